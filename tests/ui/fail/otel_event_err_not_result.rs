use otel_user_events::otel_event;

#[otel_event(err)]
fn count(items: &[u32]) -> usize {
    items.len()
}

#[otel_event(err, duration)]
fn ping(host: &str) {}

fn main() {
    count(&[1]);
    ping("localhost");
}
