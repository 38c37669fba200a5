use std::future::Future;

use otel_user_events::otel_event;

// The stop event would be written when the future is built, not when it
// completes: an error, at the return type.
#[otel_event(duration)]
fn fetch(id: u32) -> impl Future<Output = u32> {
    async move { id }
}

#[otel_event(ret)]
fn fetch_sendable(id: u32) -> impl Future<Output = u32> + Send {
    async move { id }
}

#[otel_event(err)]
fn load(id: u32) -> impl std::future::IntoFuture<Output = Result<u32, String>> {
    async move { Ok(id) }
}

// A plain event is written on the call, which building the future is: fine.
#[otel_event]
fn called(id: u32) -> impl Future<Output = u32> {
    async move { id }
}

fn main() {
    drop(fetch(1));
    drop(fetch_sendable(1));
    drop(load(1));
    drop(called(1));
}
