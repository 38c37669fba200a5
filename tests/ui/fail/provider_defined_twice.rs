otel_user_events::define_provider!(pub DRIVER, "AcmeDriver");

mod again {
    // The same name again in the same crate, elsewhere.
    otel_user_events::define_provider!(pub DRIVER, "AcmeDriver");
}

fn main() {}
