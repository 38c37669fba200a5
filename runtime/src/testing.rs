//! Capturing events in tests, without a kernel.
//!
//! [`Capture::run`] forces every call site (and every level of every
//! [`UserEventsProcessor`](crate::UserEventsProcessor)) enabled for the duration of
//! a closure and records, for each event the closure's thread writes, the exact
//! bytes that would follow the write index in the `writev` to `user_events_data`:
//! EventHeader, extensions, metadata and data. Decode them with any EventHeader
//! decoder.
//!
//! Events of a `UserEventsProcessor` keep the processor's own provider name,
//! keyword and resource (PartA cloud role); [`Capture::at_time`] replaces the
//! record's timestamp.
//!
//! ```
//! use otel_user_events_runtime::testing::Capture;
//! let (_, events) = Capture::new("MyProvider").unwrap().run(|| {
//!     // ue_log!(info, "Started", port = 8080);
//! });
//! assert!(events.is_empty());
//! ```

use std::cell::RefCell;
use std::sync::Mutex;
use std::time::SystemTime;

use otel_user_events_abi::name::{ProviderName, ProviderNameError};

use crate::callsite::{self, Callsite, bits};
use crate::emit::{self, Event};
use crate::encode::common_schema::{PartA, TraceHex};
use crate::encode::seal::seal_event;
use crate::encode::time::Rfc3339;

pub use crate::activity::sequential_activity_ids;

/// One captured event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedEvent {
    /// The tracepoint it would be written to, e.g. `MyProvider_L4K1`.
    pub tracepoint: String,
    /// The bytes after the write index: EventHeader, extensions, metadata, data.
    pub payload: Vec<u8>,
    /// True when values were shortened to fit in 64 KB.
    pub truncated: bool,
}

/// Settings of a capture.
#[derive(Debug, Clone)]
pub struct Capture {
    provider: ProviderName,
    time: Option<SystemTime>,
    cloud_role: Option<String>,
    cloud_role_instance: Option<String>,
}

struct Sink {
    settings: Capture,
    events: Vec<CapturedEvent>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Number of captures running, guarding the call sites' capture bit.
static CAPTURES: Mutex<usize> = Mutex::new(0);

impl Capture {
    /// Captures events as provider `provider` would write them.
    pub fn new(provider: &str) -> Result<Capture, ProviderNameError> {
        Ok(Capture {
            provider: ProviderName::new(provider)?,
            time: None,
            cloud_role: None,
            cloud_role_instance: None,
        })
    }

    /// Stamps every event with `time` instead of the current time, for exact comparisons.
    pub fn at_time(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Fills PartA's `ext_cloud_role` and `ext_cloud_roleInstance`.
    pub fn cloud_role(mut self, role: &str, instance: Option<&str>) -> Self {
        self.cloud_role = Some(role.to_owned());
        self.cloud_role_instance = instance.map(str::to_owned);
        self
    }

    /// Runs `f` and returns what it returned with the events its thread wrote.
    pub fn run<R>(self, f: impl FnOnce() -> R) -> (R, Vec<CapturedEvent>) {
        let previous = SINK.with(|s| {
            s.borrow_mut().replace(Sink {
                settings: self,
                events: Vec::new(),
            })
        });
        set_capturing(true);
        struct Restore(Option<Option<Sink>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                set_capturing(false);
                if let Some(previous) = self.0.take() {
                    SINK.with(|s| *s.borrow_mut() = previous);
                }
            }
        }
        let mut restore = Restore(None);
        let result = f();
        let sink = SINK.with(|s| s.borrow_mut().take());
        restore.0 = Some(previous);
        drop(restore);
        (result, sink.map(|s| s.events).unwrap_or_default())
    }
}

fn set_capturing(on: bool) {
    let mut count = CAPTURES.lock().unwrap_or_else(|e| e.into_inner());
    let before = *count;
    *count = if on {
        before + 1
    } else {
        before.saturating_sub(1)
    };
    if (before == 0) != (*count == 0) {
        for site in callsite::all() {
            site.set(bits::CAPTURE, on);
        }
        crate::processor::set_capture_bits(on);
    }
}

/// Runs `f` with whether a capture is running, while none can start or stop
/// (so a `LogProcessor` built now gets its capture bits right).
pub(crate) fn with_capture_state<R>(f: impl FnOnce(bool) -> R) -> R {
    let count = CAPTURES.lock().unwrap_or_else(|e| e.into_inner());
    f(*count > 0)
}

/// For `LogProcessor` events: `Some(time override)` when this thread is capturing.
pub(crate) fn thread_capture_time() -> Option<Option<SystemTime>> {
    SINK.with(|s| s.try_borrow().ok()?.as_ref().map(|s| s.settings.time))
}

/// Adds a `LogProcessor` event to this thread's capture.
pub(crate) fn push_captured(event: CapturedEvent) {
    SINK.with(|s| {
        if let Ok(mut sink) = s.try_borrow_mut()
            && let Some(sink) = sink.as_mut()
        {
            sink.events.push(event);
        }
    });
}

/// Records `event` if this thread is capturing. Returns whether it did.
pub(crate) fn capture_event(site: &'static Callsite, event: &Event<'_>) -> bool {
    // Copy the settings out so a value whose formatting logs can be captured too.
    let Some(settings) = SINK.with(|s| s.try_borrow().ok()?.as_ref().map(|s| s.settings.clone()))
    else {
        return false;
    };
    let info = site.info();
    let time = Rfc3339::new(settings.time.unwrap_or_else(SystemTime::now));
    let trace = TraceHex::current();
    let part_a = PartA {
        time: time.as_str(),
        trace: trace.as_ref().map(TraceHex::as_strs),
        cloud_role: settings.cloud_role.as_deref(),
        cloud_role_instance: settings.cloud_role_instance.as_deref(),
    };
    let content = emit::MacroEvent {
        info,
        event,
        part_a: &part_a,
    };
    let fields = emit::header_fields(info, event);
    let Some(captured) = seal_event(&content, &fields, |sealed| {
        let (header, truncated) = sealed.header?;
        Some(CapturedEvent {
            tracepoint: settings.provider.tracepoint_name(info.level, info.keyword),
            payload: sealed.writer.payload(&header),
            truncated,
        })
    }) else {
        return true;
    };
    SINK.with(|s| {
        if let Ok(mut sink) = s.try_borrow_mut()
            && let Some(sink) = sink.as_mut()
        {
            sink.events.push(captured);
        }
    });
    true
}
