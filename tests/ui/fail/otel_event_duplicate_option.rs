use otel_user_events::otel_event;

#[otel_event(ret, duration, ret)]
fn charge(amount: u64) -> u64 {
    amount
}

#[otel_event(level = "warn", name = "A", level = "info")]
fn refund(amount: u64) {}

fn main() {
    charge(1);
    refund(2);
}
