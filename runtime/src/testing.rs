//! Capturing events in tests, without a kernel (feature `testing`).
//!
//! [`Capture::run`] forces every call site (and every level of every
//! [`UserEventsProcessor`](crate::logs::UserEventsProcessor)) enabled for the duration of
//! a closure and records, for each event the closure's thread writes, the exact
//! bytes that would follow the write index in the `writev` to `user_events_data`:
//! EventHeader, extensions, metadata and data. Decode them with any EventHeader
//! decoder. A captured event is counted as a written one would be (written,
//! truncated, dropped as too large) in the counters of its call site's provider
//! (the application's or a library's) when it is started, or of its processor.
//!
//! Events of a call site of a [library provider](crate::provider::LibraryProvider)
//! keep that provider's tracepoint name (its running name once started).
//!
//! Events of a `UserEventsProcessor` (or a `UserEventsSpanProcessor`) keep the
//! processor's own provider name, keyword and resource (PartA cloud role);
//! [`Capture::at_time`] replaces the record's timestamp (for spans: PartA's
//! time; PartB's `startTime` stays the span's).
//!
//! ```
//! use otel_user_events_runtime::testing::Capture;
//! use otel_user_events_runtime::logs::UserEventsProcessor;
//! use opentelemetry::logs::{Logger as _, LoggerProvider as _, LogRecord as _, Severity};
//! use opentelemetry_sdk::logs::SdkLoggerProvider;
//!
//! let processor = UserEventsProcessor::builder("MyProvider").build().unwrap();
//! let counters = processor.handle();
//! let logger = SdkLoggerProvider::builder()
//!     .with_log_processor(processor)
//!     .build()
//!     .logger("example");
//! let (_, events) = Capture::new("MyProvider").unwrap().run(|| {
//!     let mut record = logger.create_log_record();
//!     record.set_severity_number(Severity::Warn);
//!     record.set_body("disk almost full".into());
//!     logger.emit(record);
//! });
//! assert_eq!(events.len(), 1);
//! assert_eq!(events[0].tracepoint, "MyProvider_L3K1"); // warn: level 3
//! assert!(!events[0].truncated);
//! assert_eq!(counters.counters().written, 1);
//! ```

use std::time::SystemTime;

use otel_user_events_abi::name::{ProviderName, ProviderNameError};

use crate::encode::common_schema::CloudRole;
use crate::encode::profile::EncodingProfile;
use crate::events::CallsiteWords;
use crate::output::capture::{self, Settings};

pub use crate::activity::id::sequential_activity_ids;
pub use crate::output::capture::CapturedEvent;

/// Settings of a capture: what provider name, time and cloud role the events of
/// `ue_log!` and `#[otel_event]` call sites get.
#[derive(Debug, Clone)]
pub struct Capture {
    settings: Settings,
}

impl Capture {
    /// Captures events as provider `provider` would write them (call sites
    /// of library providers keep their own provider's name).
    pub fn new(provider: &str) -> Result<Capture, ProviderNameError> {
        Ok(Capture {
            settings: Settings {
                provider: ProviderName::new(provider)?,
                time: None,
                cloud_role: CloudRole::default(),
                profile: EncodingProfile::Full,
            },
        })
    }

    /// Stamps every event with `time` instead of the current time, for exact comparisons.
    pub fn at_time(mut self, time: SystemTime) -> Self {
        self.settings.time = Some(time);
        self
    }

    /// Fills PartA's `ext_cloud_role` and `ext_cloud_roleInstance` of macro events.
    pub fn cloud_role(mut self, role: &str, instance: Option<&str>) -> Self {
        self.settings.cloud_role = CloudRole {
            role: Some(role.into()),
            instance: instance.map(Into::into),
        };
        self
    }

    /// Encodes macro events with `profile`, as a provider built with
    /// [`ProviderBuilder::with_encoding_profile`](crate::provider::ProviderBuilder::with_encoding_profile)
    /// would (processors and layers keep their own profile).
    ///
    /// ```
    /// use otel_user_events_runtime::output::EncodingProfile;
    /// use otel_user_events_runtime::testing::Capture;
    ///
    /// let capture = Capture::new("MyService")
    ///     .unwrap()
    ///     .encoding_profile(EncodingProfile::Scalars);
    /// let (_, events) = capture.run(|| {
    ///     // ue_log!(info, "Sent", peers = [1u32, 2]) here is captured with
    ///     // "peers":"[1,2]" (the facade's tests show it decoded).
    /// });
    /// assert!(events.is_empty());
    /// ```
    pub fn encoding_profile(mut self, profile: EncodingProfile) -> Self {
        self.settings.profile = profile;
        self
    }

    /// Runs `f` and returns what it returned with the events its thread wrote.
    pub fn run<R>(self, f: impl FnOnce() -> R) -> (R, Vec<CapturedEvent>) {
        // The macro call sites get the capture's bit as outputs do.
        capture::track_static(&CallsiteWords);
        capture::run(self.settings, f)
    }
}
