//! What every output's builder sets the same way: the provider name and
//! group, the encoding profile and the event size limit; and the `with_*`
//! methods that set them, written once for every builder.

use std::fmt;

use otel_user_events_abi::name::{EventNameError, ProviderName, ProviderNameError};

use crate::encode::profile::EncodingProfile;

/// The largest event an output writes: longer values are shortened to fit
/// (the longest first, short ones kept whole; counted as truncated), and an
/// event whose names and fixed parts alone do not fit is dropped (counted as
/// too large).
///
/// | limit | payload bytes | who sees the event |
/// |---|---|---|
/// | [`Kernel`](Self::Kernel) | 65,535 | everything user_events accepts: ftrace, and agents reading the tracepoint directly |
/// | [`Perf`](Self::Perf) | 8,184 | also every perf-based reader: `perf`, `ue-tail` live, fleet collectors |
///
/// The kernel hands perf at most 8,192 bytes a record, its 8-byte entry
/// header included: a larger event is written (and counted as written), but
/// no perf-based reader ever sees it, and the kernel logs a warning. Every
/// output takes the default of its [`EncodingProfile`]: `Kernel` for `Full`,
/// `Perf` for `Scalars` (the profile for fleet collectors, which read with
/// perf); set it with the builder's `with_event_limit`.
///
/// ```
/// use otel_user_events_runtime::output::{EncodingProfile, EventLimit};
///
/// assert_eq!(EventLimit::Kernel.payload_bytes(), 65_535);
/// assert_eq!(EventLimit::Perf.payload_bytes(), 8_184);
/// assert_eq!(EventLimit::default_for(EncodingProfile::Scalars), EventLimit::Perf);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventLimit {
    /// What the kernel accepts: 65,535 bytes after the write index.
    Kernel,
    /// What perf-based readers see: 8,184 bytes after the write index.
    Perf,
}

impl EventLimit {
    /// The most bytes an event may have after its write index (EventHeader,
    /// extensions, metadata and data).
    pub const fn payload_bytes(self) -> usize {
        match self {
            EventLimit::Kernel => otel_user_events_abi::MAX_EVENT_SIZE,
            EventLimit::Perf => otel_user_events_abi::PERF_MAX_EVENT_SIZE,
        }
    }

    /// The limit an output takes when its builder sets none.
    pub const fn default_for(profile: EncodingProfile) -> EventLimit {
        match profile {
            EncodingProfile::Full => EventLimit::Kernel,
            EncodingProfile::Scalars => EventLimit::Perf,
        }
    }
}

/// Why a processor or layer could not be built: a bad provider name or
/// group, or a bad event name given to the builder (the rule of `ue_log!`
/// names: ASCII letters, digits, `_`, `.` and `-`, so every decoder prints
/// them unambiguously).
///
/// ```
/// use otel_user_events_runtime::logs::UserEventsProcessor;
/// use otel_user_events_runtime::output::BuildError;
///
/// let err = UserEventsProcessor::builder("MyService")
///     .with_event_name("Order;placed")
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, BuildError::InvalidEventName(_)));
/// assert_eq!(
///     err.to_string(),
///     "event names may use ASCII letters, digits, `_`, `.` and `-`: `Order;placed` has `;`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The provider name or group breaks its rule.
    InvalidName(ProviderNameError),
    /// An event name given to the builder breaks the rule.
    InvalidEventName(EventNameError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidName(e) => e.fmt(f),
            BuildError::InvalidEventName(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::InvalidName(e) => Some(e),
            BuildError::InvalidEventName(e) => Some(e),
        }
    }
}

impl From<ProviderNameError> for BuildError {
    fn from(e: ProviderNameError) -> BuildError {
        BuildError::InvalidName(e)
    }
}

impl From<EventNameError> for BuildError {
    fn from(e: EventNameError) -> BuildError {
        BuildError::InvalidEventName(e)
    }
}

/// The options every output's builder has.
#[derive(Debug, Clone)]
pub(crate) struct OutputOptions {
    pub(crate) name: String,
    pub(crate) group: Option<String>,
    pub(crate) profile: EncodingProfile,
    pub(crate) limit: Option<EventLimit>,
    /// A `user_events_data` handed over by a privileged process, if given.
    pub(crate) data_file: Option<std::sync::Arc<otel_user_events_abi::DataFile>>,
}

impl OutputOptions {
    pub(crate) fn new(name: impl Into<String>) -> OutputOptions {
        OutputOptions {
            name: name.into(),
            group: None,
            profile: EncodingProfile::Full,
            limit: None,
            data_file: None,
        }
    }

    /// The provider name with its group, checked.
    pub(crate) fn provider_name(&self) -> Result<ProviderName, ProviderNameError> {
        ProviderName::with_optional_group(&self.name, self.group.as_deref())
    }

    /// The tracepoints of `keywords`, registered through the given data file
    /// or the one this process opens.
    pub(crate) fn register(
        &self,
        name: ProviderName,
        keywords: &[u64],
    ) -> super::tracepoints::Tracepoints {
        super::tracepoints::Tracepoints::register_through(self.data_file.as_deref(), name, keywords)
    }

    /// The one tracepoint `name` with the field list `fields` (an output
    /// whose events are not EventHeader), registered through the given data
    /// file or the one this process opens.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) fn register_plain(
        &self,
        name: ProviderName,
        fields: &str,
    ) -> super::tracepoints::Tracepoints {
        super::tracepoints::Tracepoints::register_plain(self.data_file.as_deref(), name, fields)
    }

    /// The limit set, or the profile's default.
    pub(crate) fn limit(&self) -> EventLimit {
        self.limit
            .unwrap_or_else(|| EventLimit::default_for(self.profile))
    }
}

/// The `with_*` methods of the options every output has, for a builder with
/// an `options: OutputOptions` field. `$what` names what the builder builds
/// in the docs ("processor", "layer", "provider").
macro_rules! output_options {
    ($what:literal) => {
        /// Adds an EventHeader provider group to every tracepoint name
        /// (`<Provider>_L<l>K<k>G<group>`): lowercase ASCII letters and
        /// digits. A bad group is an error of `build`, naming the rule.
        pub fn with_provider_group(mut self, group: impl Into<String>) -> Self {
            self.options.group = Some(group.into());
            self
        }

        #[doc = concat!("How the ", $what, " writes values that are not plain scalars (default")]
        /// [`EncodingProfile::Full`](crate::output::EncodingProfile::Full);
        /// see [`EncodingProfile`](crate::output::EncodingProfile)).
        pub fn with_encoding_profile(mut self, profile: crate::output::EncodingProfile) -> Self {
            self.options.profile = profile;
            self
        }

        #[doc = concat!("The largest event the ", $what, " writes (default: the encoding")]
        /// profile's, see [`EventLimit`](crate::output::EventLimit)).
        pub fn with_event_limit(mut self, limit: crate::output::EventLimit) -> Self {
            self.options.limit = Some(limit);
            self
        }

        crate::output::data_file_option!($what);
    };
}
pub(crate) use output_options;

/// The builder method that hands an output a `user_events_data` opened
/// elsewhere, for a builder with an `options: OutputOptions` field (every
/// output's, the metric exporter's among them).
macro_rules! data_file_option {
    ($what:literal) => {
        #[doc = concat!("Writes through `file`, a `user_events_data` opened elsewhere, instead of opening it: the ", $what, " then needs no access to tracefs.")]
        /// A privileged process (a collector, `ue-tail serve-fd SOCKET`) opens
        /// the file and hands its descriptor over a Unix socket; receive it
        /// with [`handoff::receive`](crate::output::handoff::receive). For
        /// several outputs, give each a [`try_clone`](crate::output::DataFile::try_clone)
        /// of it. The output registers and writes through its own copy
        /// (`dup`) and closes it at shutdown; a copy that cannot be made shows
        /// in the report as a data file that did not open.
        #[cfg(unix)]
        pub fn with_user_events_data(mut self, file: crate::output::DataFile) -> Self {
            self.options.data_file = Some(std::sync::Arc::new(file));
            self
        }
    };
}
pub(crate) use data_file_option;
