use otel_user_events::ue_log;

fn main() {
    let keyword = "k";
    ue_log!(info, "Tagged", %keyword);
}
