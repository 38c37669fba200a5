use otel_user_events::ue_log;

fn main() {
    ue_log!(info, order_id = 1);
}
