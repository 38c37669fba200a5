use otel_user_events::otel_event;

#[otel_event]
#[otel_event(ret)]
fn twice(x: u32) -> u32 {
    x
}

#[otel_event(duration)]
#[inline]
#[otel_user_events::otel_event]
fn twice_by_path(x: u32) -> u32 {
    x
}

mod renamed {
    pub use otel_user_events as telemetry;
}

#[otel_user_events::otel_event]
#[renamed::telemetry::otel_event(level = "warn")]
fn twice_by_other_paths() {}

fn main() {
    twice(1);
    twice_by_path(1);
    twice_by_other_paths();
}
