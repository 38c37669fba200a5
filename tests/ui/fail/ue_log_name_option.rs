use otel_user_events::ue_log;

fn main() {
    ue_log!(info, name: "Charged", amount = 3);
}
