use otel_user_events::ue_log;

fn main() {
    ue_log!(info, "Order Placed", id = 1);
    ue_log!(info, "");
}
