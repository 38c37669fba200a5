use otel_user_events::ue_log;

const fn answer(x: u32) -> u32 {
    ue_log!(info, "Answer", x);
    x + 42
}

fn main() {
    answer(0);
}
