#![deny(unused_must_use)]

use otel_user_events::Provider;

fn main() {
    // Dropped at the end of the statement: the provider shuts down at once.
    Provider::builder("P").build().unwrap();
}
