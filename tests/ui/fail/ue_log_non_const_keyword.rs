use otel_user_events::ue_log;

fn main() {
    let keyword = 0x10u64;
    ue_log!(info, "Started", keyword = keyword, port = 8080);
}
