use otel_user_events::ue_log;

fn main() {
    let id = 7;
    ue_log!(info, "OrderPlaced", id, amount = 1.5, id = 8);
}
