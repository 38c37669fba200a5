use otel_user_events::otel_event;

#[otel_event]
fn open(path: impl AsRef<std::path::Path>, mode: &'static str) {
    let _ = (path.as_ref(), mode);
}

fn main() {
    open("/tmp/x", "r");
}
