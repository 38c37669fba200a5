//! Every accepted form of `ue_log!` compiles.
use otel_user_events::{Level, ue_log};

const MY_LEVEL: Level = Level::Warn;
const KEYWORD: u64 = 0x20;

struct Service {
    region: String,
}

impl Service {
    fn log(&self) {
        ue_log!(info, "Region", %self.region, r = self.region.as_str());
    }
}

fn main() {
    let (n, err, state) = (3, std::fmt::Error, vec![1, 2]);
    ue_log!(info, "OrderPlaced", order_id = 42u64, customer = "ada", amount = 9.99, express = true);
    ue_log!(Level::Warn, "Retry", keyword = 0x10, attempt = n, %err, ?state, body = "retrying");
    ue_log!(MY_LEVEL, "Const", keyword = KEYWORD);
    ue_log!(critical, "A");
    ue_log!(fatal, "A",);
    ue_log!(trace, "A", n);
    ue_log!(debug, "A", "http.method" = "GET", v = ?Some(1), d = %n);
    ue_log!(verbose, "A", body = %err);
    let r#type = 5;
    ue_log!(error, "A", r#type);
    Service { region: "eu".into() }.log();
}
