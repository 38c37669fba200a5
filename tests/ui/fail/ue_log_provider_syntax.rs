use otel_user_events::ue_log;

otel_user_events::define_provider!(DRIVER, "AcmeDriver");

fn main() {
    // Nothing after the provider.
    ue_log!(provider: DRIVER);
}
