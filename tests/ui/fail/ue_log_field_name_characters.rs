use otel_user_events::ue_log;

fn main() {
    ue_log!(info, "Odd", "a b" = 1, "x=y" = 2, ok.name = 3);
}
