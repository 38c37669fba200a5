use otel_user_events::ue_log;

fn main() {
    ue_log!(info, "Typed", type = 1);
}
