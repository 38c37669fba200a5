use otel_user_events::otel_event;

#[otel_event(name = "Order Placed")]
fn order_placed(id: u64) {}

#[otel_event(name = Placed)]
fn placed(id: u64) {}

fn main() {
    order_placed(1);
    placed(2);
}
