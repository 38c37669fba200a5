use otel_user_events::otel_event;

struct Card {
    last4: u16,
}

#[otel_event]
fn charge(amount: u64, card: &Card) -> u16 {
    card.last4
}

fn main() {
    charge(1, &Card { last4: 4242 });
}
