use otel_user_events::otel_event;

#[otel_event(levle = "warn", ret)]
fn charge(amount: u64) -> u64 {
    amount
}

#[otel_event(skip::all)]
fn refund(amount: u64) {}

fn main() {
    charge(1);
    refund(2);
}
