use otel_user_events::otel_event;

// A syntax error in the body is rustc's alone: reported once, at its token,
// not as a misuse of the attribute.
#[otel_event]
fn charge(amount: u64) -> u64 {
    let total = amount + ;
    total
}

#[otel_event(ret, duration)]
fn refund(amount: u64) -> u64 {
    let rest = amount - ;
    rest
}

fn main() {
    charge(1);
    refund(2);
}
