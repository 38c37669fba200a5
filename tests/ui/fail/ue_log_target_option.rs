use otel_user_events::ue_log;

fn main() {
    ue_log!(target: "payments", info, "Charged");
}
