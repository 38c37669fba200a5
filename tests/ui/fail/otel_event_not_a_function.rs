use otel_user_events::otel_event;

#[otel_event]
struct Order {
    id: u64,
}

fn main() {
    let _ = Order { id: 1 }.id;
}
