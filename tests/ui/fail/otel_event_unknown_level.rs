use otel_user_events::otel_event;

#[otel_event(level = "loud")]
fn shout(text: &str) {}

#[otel_event(level = 4)]
fn whisper(text: &str) {}

fn main() {
    shout("a");
    whisper("b");
}
