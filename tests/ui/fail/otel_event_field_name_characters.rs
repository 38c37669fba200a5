use otel_user_events::otel_event;

#[otel_event(fields("k;v" = 1))]
fn odd() {}

fn main() {
    odd();
}
