use otel_user_events::ue_log;

struct Opaque;

fn main() {
    let order = Opaque;
    ue_log!(info, "OrderPlaced", id = 1, order = order);
}
