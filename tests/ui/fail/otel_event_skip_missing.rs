use otel_user_events::otel_event;

#[otel_event(skip(card))]
fn charge(amount: u64, customer: &str) {}

#[otel_event(skip(secret))]
fn ping() {}

fn main() {
    charge(1, "ada");
    ping();
}
