use otel_user_events::otel_event;

#[otel_event]
const fn answer(x: u32) -> u32 {
    x + 42
}

fn main() {
    answer(0);
}
