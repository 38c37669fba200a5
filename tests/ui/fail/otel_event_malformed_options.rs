use otel_user_events::otel_event;

#[otel_event(ret = true, skip_all(x), fields(1 + 2), ret(Pretty))]
fn charge(amount: u64) -> u64 {
    amount
}

#[otel_event(skip_all, skip(amount))]
fn refund(amount: u64) {}

trait Shop {
    #[otel_event]
    fn buy(&self, id: u64);
}

fn main() {
    charge(1);
    refund(2);
}
