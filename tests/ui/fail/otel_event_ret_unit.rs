use otel_user_events::otel_event;

#[otel_event(ret)]
fn ping(host: &str) {}

#[otel_event(ret, err)]
fn save(id: u64) -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {
    ping("localhost");
    let _ = save(1);
}
