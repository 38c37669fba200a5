use otel_user_events::otel_event;

#[otel_event(skip(card))]
fn charge(amount: u64, customer: &str) {}

#[otel_event(skip(secret))]
fn ping() {}

// `self` may be skipped (it is never recorded), but only on a method.
#[otel_event(skip(self))]
fn free(id: u8) {}

fn main() {
    charge(1, "ada");
    ping();
    free(1);
}
