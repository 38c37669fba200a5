otel_user_events::define_provider!(pub A, "AcmeA");
otel_user_events::define_provider!(pub B, "AcmeB");

mod events {
    otel_user_events::default_provider!(crate::A);
    // A module takes one default.
    otel_user_events::default_provider!(crate::B);
}

fn main() {}
