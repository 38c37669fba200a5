use otel_user_events::{otel_event, ue_log};

otel_user_events::define_provider!(DRIVER, "AcmeDriver");

fn main() {
    // A typo: no such static.
    ue_log!(provider: DRIVR, info, "Connected");
    ue_log!(provider: crate::drivers::DRIVER, info, "Connected");
    events();
}

#[otel_event(provider = DIRVER)]
fn events() {}
