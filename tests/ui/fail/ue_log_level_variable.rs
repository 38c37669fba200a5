use otel_user_events::{Level, ue_log};

fn main() {
    let lvl = Level::Warn;
    ue_log!(lvl, "Retry");
}
