//! Knowing whether a test runs inside the user_events test VM.
//!
//! Tests that need a real kernel with user_events start with
//! [`require_kernel!`](crate::require_kernel): inside the VM started by
//! `scripts/kernel-test.sh` they run; anywhere else they print a `skipped:`
//! line to stderr and return early, so a skip is always visible.

use std::io::Write as _;
use std::path::Path;

/// Environment variable that `scripts/kernel-test.sh` sets to `1` in the guest.
pub const VM_ENV: &str = "OTEL_UE_KERNEL_VM";

/// The user_events status file, present when the kernel has user_events and
/// tracefs is mounted at `/sys/kernel/tracing`.
pub const USER_EVENTS_STATUS: &str = "/sys/kernel/tracing/user_events_status";

/// True when running inside the test VM: [`VM_ENV`] is `1` and the kernel
/// exposes [`USER_EVENTS_STATUS`].
pub fn in_kernel_vm() -> bool {
    std::env::var_os(VM_ENV).is_some_and(|v| v == "1") && Path::new(USER_EVENTS_STATUS).exists()
}

/// Returns true when the calling test can use user_events (it runs in the VM).
///
/// Otherwise prints `skipped: <test_name> needs a kernel with user_events; run
/// scripts/kernel-test.sh` to stderr and returns false; the test should return.
///
/// # Panics
///
/// When [`VM_ENV`] says we are in the VM but the kernel has no user_events:
/// that is a broken VM, not a reason to skip.
pub fn require_kernel(test_name: &str) -> bool {
    if in_kernel_vm() {
        return true;
    }
    if std::env::var_os(VM_ENV).is_some_and(|v| v == "1") {
        panic!(
            "{VM_ENV}=1 but {USER_EVENTS_STATUS} does not exist: the VM kernel lacks \
             user_events or tracefs is not mounted at /sys/kernel/tracing"
        );
    }
    // Straight to the stderr handle: libtest captures `eprintln!` (and shows it
    // only for failing tests), and a skip must always be visible.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test_name} needs a kernel with user_events; run scripts/kernel-test.sh cargo-test"
    );
    false
}

/// The name of the running test: libtest names each test's thread after it.
/// Falls back to `fallback` (e.g. `module_path!()`) on other threads.
pub fn current_test_name(fallback: &str) -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_owned(),
        _ => fallback.to_owned(),
    }
}

/// Makes the calling test return early (after printing a `skipped:` line to
/// stderr) unless it runs inside the user_events test VM.
///
/// - `require_kernel!();` in a test returning `()`;
/// - `require_kernel!(value);` returns `value`, e.g. `require_kernel!(Ok(()))`
///   in a test returning `Result`.
///
/// ```
/// use otel_user_events_test_support::require_kernel;
///
/// // A #[test] function:
/// fn writes_events() {
///     require_kernel!();
///     // ... uses user_events ...
/// }
/// # writes_events();
/// ```
#[macro_export]
macro_rules! require_kernel {
    () => {
        $crate::require_kernel!(())
    };
    ($ret:expr) => {
        if !$crate::vm::require_kernel(&$crate::vm::current_test_name(module_path!())) {
            return $ret;
        }
    };
}
