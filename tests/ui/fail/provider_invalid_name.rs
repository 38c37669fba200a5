otel_user_events::define_provider!(DRIVER, "acme-driver");
otel_user_events::define_provider!(EMPTY, "");
otel_user_events::define_provider!(GROUPED, "AcmeDriver", group = "Team7");
otel_user_events::define_provider!(DRIVER2, "AcmeDriver2", gruop = "team7");
otel_user_events::define_provider!(DRIVER3, AcmeDriver3);

fn main() {}
