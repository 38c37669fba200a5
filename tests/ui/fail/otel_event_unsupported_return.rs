use otel_user_events::otel_event;

struct Receipt;

struct PayError;

#[otel_event(ret)]
fn charge(amount: u64) -> Receipt {
    Receipt
}

#[otel_event(err)]
fn refund(amount: u64) -> Result<u64, PayError> {
    Err(PayError)
}

fn main() {
    charge(1);
    let _ = refund(2);
}
