//! Functions instrumented through a renamed dependency (`renamed_ue` is
//! `otel-user-events`). Nothing named `otel_user_events` resolves in this crate,
//! so this compiles only if the macros find the crate under its new name.

use renamed_ue::{otel_event, ue_log};

/// An event on entry, with the arguments.
#[otel_event(level = "warn", keyword = 0x2)]
pub fn plain(id: u64, name: &str) {}

/// An activity whose result is recorded.
#[otel_event(ret, err)]
pub fn activity(text: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = text.parse()?;
    logged(n);
    Ok(n * 2)
}

/// An async activity.
#[otel_event(ret)]
pub async fn async_activity(n: u32) -> u32 {
    n + 1
}

/// `ue_log!` through the renamed path.
pub fn logged(n: u32) {
    ue_log!(info, "Logged", n, kind = "renamed");
}
