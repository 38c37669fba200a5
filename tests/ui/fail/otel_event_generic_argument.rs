use otel_user_events::otel_event;

#[otel_event]
fn store<T: Clone>(key: &str, value: T) -> T {
    value.clone()
}

fn main() {
    store("k", vec![String::new()]);
}
