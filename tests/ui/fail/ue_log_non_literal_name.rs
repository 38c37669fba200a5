use otel_user_events::ue_log;

const NAME: &str = "Started";

fn main() {
    ue_log!(info, NAME, port = 8080);
}
