use otel_user_events::otel_event;

#[otel_event(err)]
fn mode() -> &'static str {
    "r"
}

fn main() {
    mode();
}
