//! Running decoding code that may panic on malformed input, so that one bad
//! record costs that record only.
//!
//! `tracepoint_decode` 0.5 panics on some malformed tracefs formats and
//! events (slicing inside a multi-byte character, indexing an emptied field
//! list, debug assertions), and a perf.data file or an event can come from
//! anywhere. [`isolate`] catches such a panic, keeps its message and
//! location, and keeps the panic hook quiet about it: the caller reports it
//! (`ue-tail` with the record's file offset) and goes on. Panics outside
//! [`isolate`] still reach the previous hook (the default one prints them,
//! libFuzzer's aborts).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// True while this thread runs inside [`isolate`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// What the hook saw of the last panic caught on this thread.
    static CAUGHT: RefCell<Option<Panic>> = const { RefCell::new(None) };
}

/// A panic caught by [`isolate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic's message.
    pub message: String,
    /// Where it panicked, `file:line:column`; a crate from the registry is
    /// named from its directory on (`tracepoint_decode-0.5.0/src/...`).
    pub location: Option<String>,
}

impl Panic {
    /// True when it panicked inside a crate of the `tracepoint` family
    /// (`tracepoint_decode`, `tracepoint_perf`, `eventheader`): a known
    /// upstream limit, not a bug of ours.
    pub fn is_upstream(&self) -> bool {
        self.location
            .as_deref()
            .is_some_and(|l| l.starts_with("tracepoint_") || l.starts_with("eventheader"))
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "panicked at {location}: {}", self.message),
            None => write!(f, "panicked: {}", self.message),
        }
    }
}

/// Runs `f`; a panic inside it is caught, not printed, and returned.
///
/// `f` is treated as unwind safe: callers pass closures whose state is
/// either rebuilt on next use (the output's line buffer, the EventHeader
/// enumerator context) or dropped.
pub fn isolate<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    install_hook();
    let outer = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(outer);
    result.map_err(|payload| {
        CAUGHT.take().unwrap_or_else(|| Panic {
            message: payload_message(payload.as_ref()),
            location: None,
        })
    })
}

/// Installs (once) the hook that records panics inside [`isolate`] and
/// passes the others to the hook that was there before.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if CATCHING.get() {
                CAUGHT.set(Some(Panic {
                    message: payload_message(info.payload()),
                    location: info
                        .location()
                        .map(|l| format!("{}:{}:{}", short_path(l.file()), l.line(), l.column())),
                }));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// A registry crate's file from the crate's directory on
/// (`.../registry/src/index.crates.io-xxx/tracepoint_decode-0.5.0/src/a.rs`
/// is `tracepoint_decode-0.5.0/src/a.rs`); other paths as they are.
fn short_path(file: &str) -> &str {
    const REGISTRY: &str = "/registry/src/";
    match file.find(REGISTRY) {
        Some(i) => {
            let index_and_rest = &file[i + REGISTRY.len()..];
            index_and_rest
                .split_once('/')
                .map_or(index_and_rest, |(_, rest)| rest)
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_a_panic_with_its_message_and_location() {
        let caught = isolate(|| -> u32 { panic!("bad byte {}", 7) }).unwrap_err();
        assert_eq!(caught.message, "bad byte 7");
        let location = caught.location.as_deref().unwrap();
        assert!(location.starts_with("listen/src/isolate.rs:"), "{location}");
        assert!(!caught.is_upstream());
        assert!(
            caught
                .to_string()
                .starts_with("panicked at listen/src/isolate.rs:")
        );
        // Out of bounds, as the decoder does it.
        let empty: Vec<u8> = Vec::new();
        let index = empty.len() + 3;
        let caught = isolate(|| empty[index]).unwrap_err();
        assert_eq!(
            caught.message,
            "index out of bounds: the len is 0 but the index is 3"
        );
        assert_eq!(isolate(|| 5), Ok(5));
    }

    #[test]
    fn nested_isolation_keeps_the_outer_one() {
        let outer: Result<(), Panic> = isolate(|| {
            let inner: Result<(), Panic> = isolate(|| panic!("inner"));
            assert_eq!(inner.unwrap_err().message, "inner");
            panic!("outer")
        });
        assert_eq!(outer.unwrap_err().message, "outer");
    }

    #[test]
    fn registry_paths_start_at_the_crate() {
        assert_eq!(
            short_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/\
                 tracepoint_decode-0.5.0/src/perf_field_format.rs"
            ),
            "tracepoint_decode-0.5.0/src/perf_field_format.rs"
        );
        assert_eq!(short_path("cli/src/file.rs"), "cli/src/file.rs");
        let upstream = Panic {
            message: "x".into(),
            location: Some("tracepoint_decode-0.5.0/src/perf_item.rs:412:13".into()),
        };
        assert!(upstream.is_upstream());
    }
}
