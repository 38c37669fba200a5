use otel_user_events::ue_log;

fn main() {
    let (order_id, id) = (7u64, 42u64);
    ue_log!(info, "OrderPlaced", order_id, "order {} placed", id);
}
