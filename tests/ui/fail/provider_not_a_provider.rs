use otel_user_events::ue_log;

static NAME: &str = "AcmeDriver";

fn main() {
    // A static of another type.
    ue_log!(provider: NAME, info, "Connected");
}
