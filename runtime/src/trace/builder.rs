//! Configuring a [`UserEventsSpanProcessor`].

use otel_user_events_abi::DEFAULT_KEYWORD;
use otel_user_events_abi::name::check_event_name;

use super::record::SpanSettings;
use super::span_processor::UserEventsSpanProcessor;
use crate::encode::common_schema::CloudRole;
use crate::encode::profile::EncodingProfile;
use crate::encode::value::Arrays;
use crate::output::{BuildError, Output, OutputKind, OutputOptions, output_options};

/// The EventHeader event name spans are written with, unless
/// [`UserEventsSpanProcessorBuilder::with_event_name`] says otherwise: the
/// `opentelemetry-user-events-trace` crate's.
pub const DEFAULT_SPAN_EVENTHEADER_NAME: &str = "Span";

impl UserEventsSpanProcessor {
    /// Starts configuring a span processor for provider `provider_name`:
    /// non-empty, at most 233 bytes, only ASCII letters, digits and `_`.
    pub fn builder(provider_name: &str) -> UserEventsSpanProcessorBuilder {
        UserEventsSpanProcessorBuilder {
            options: OutputOptions::new(provider_name),
            keyword: DEFAULT_KEYWORD,
            event_name: DEFAULT_SPAN_EVENTHEADER_NAME,
            live: false,
            span_events: true,
            arrays: Arrays::Typed,
        }
    }
}

/// Configures a [`UserEventsSpanProcessor`]. Start with
/// [`UserEventsSpanProcessor::builder`].
///
/// The shape follows `opentelemetry_user_events_trace::ProcessorBuilder` (0.6):
/// `builder(name)`, `build()`; the settings are additions. The defaults write
/// each span as that crate does, plus its span events (which it drops), with
/// arrays typed (where it writes `""`).
///
/// ```
/// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
///
/// let processor = UserEventsSpanProcessor::builder("MyService")
///     .with_live_spans(true) // ActivityStart at start, ActivityStop at end
///     .with_span_events(true) // Span::add_event events (the default)
///     .with_typed_arrays(true) // arrays as arrays (the default)
///     .with_keyword(0x10) // tracepoint MyService_L4K10
///     .with_event_name("Operation") // events MyService:Operation
///     .build()?;
/// // Spans go to level 4; all five levels are registered.
/// assert_eq!(processor.report().tracepoints[3].name, "MyService_L4K10");
/// # Ok::<(), otel_user_events_runtime::output::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use = "call .build() to create the processor"]
pub struct UserEventsSpanProcessorBuilder {
    options: OutputOptions,
    keyword: u64,
    event_name: &'static str,
    live: bool,
    span_events: bool,
    arrays: Arrays,
}

impl UserEventsSpanProcessorBuilder {
    output_options!("processor");

    /// Live spans (default off): each span is written when it starts too, so
    /// `perf`, `ue-tail` and agents see a span while it runs.
    ///
    /// - At the start: an event with opcode ActivityStart, the span's activity
    ///   id ([`ActivityId::from_span`](crate::activity::ActivityId::from_span)) and its
    ///   parent's as related id (for a span with a parent). It has what a span
    ///   knows when it starts: PartA `time` (the start) and ids, PartB
    ///   `_typeName`, `name`, `startTime`, `kind`, `parentId`, `links`, the
    ///   semantic-convention attributes, PartC the attributes given at start.
    /// - At the end: the ended span, as without live spans (every field, the
    ///   attributes set since included), with opcode ActivityStop and the
    ///   span's activity id (no related id). It is written even when the start
    ///   was not (nobody listened then): it alone is the whole span.
    ///
    /// Without live spans the ended span is the plain event
    /// `opentelemetry-user-events-trace` writes (opcode Info, no activity id).
    ///
    /// Reading a started span's name, kind and attributes goes through the
    /// SDK's only accessor, `Span::exported_data`, a copy: the start of a span
    /// with an owned name or attributes given at start allocates (only while
    /// someone listens). Ended spans never do.
    ///
    /// ```
    /// use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    /// use opentelemetry_sdk::trace::SdkTracerProvider;
    /// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
    /// use otel_user_events_runtime::testing::Capture; // feature `testing`
    ///
    /// let processor = UserEventsSpanProcessor::builder("MyService")
    ///     .with_live_spans(true)
    ///     .build()
    ///     .unwrap();
    /// let tracer = SdkTracerProvider::builder()
    ///     .with_span_processor(processor)
    ///     .build()
    ///     .tracer("app");
    /// let (_, events) = Capture::new("MyService").unwrap().run(|| {
    ///     tracer.in_span("charge", |_cx| {});
    /// });
    /// // EventHeader byte 6 is the opcode: ActivityStart, then ActivityStop.
    /// let opcodes: Vec<u8> = events.iter().map(|e| e.payload[6]).collect();
    /// assert_eq!(opcodes, [1, 2]);
    /// ```
    pub fn with_live_spans(mut self, live: bool) -> Self {
        self.live = live;
        self
    }

    /// Span events (default on): each event added with `Span::add_event` is
    /// written, when the span ends and before it, as an event
    /// [`SpanEvent`](crate::trace::SPAN_EVENT_NAME) with the span's activity id (opcode
    /// Info): PartA the event's time and the span's ids, PartB `_typeName`
    /// `"SpanEvent"` and `name` (the event's name), PartC its attributes. The
    /// `opentelemetry-user-events-trace` crate drops them; off writes as it
    /// does.
    ///
    /// ```
    /// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
    ///
    /// let processor = UserEventsSpanProcessor::builder("MyService").with_span_events(false).build();
    /// assert!(processor.is_ok());
    /// ```
    pub fn with_span_events(mut self, span_events: bool) -> Self {
        self.span_events = span_events;
        self
    }

    /// Typed arrays (default on): an array attribute is an EventHeader array
    /// of its element type (booleans, 64-bit integers, doubles, strings), as the
    /// `LogProcessor` writes a list of one type, so decoders show `[1,2]`. Off
    /// writes `""` for it, as the `opentelemetry-user-events-trace` crate does.
    ///
    /// ```
    /// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
    ///
    /// let processor = UserEventsSpanProcessor::builder("MyService").with_typed_arrays(false).build();
    /// assert!(processor.is_ok());
    /// ```
    pub fn with_typed_arrays(mut self, typed: bool) -> Self {
        self.arrays = if typed { Arrays::Typed } else { Arrays::AsPeer };
        self
    }

    /// The keyword of the tracepoint (`<Provider>_L4K<keyword hex>`); default
    /// 1, as the `opentelemetry-user-events-trace` crate uses.
    ///
    /// ```
    /// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
    ///
    /// let processor = UserEventsSpanProcessor::builder("MyService").with_keyword(0x2a).build().unwrap();
    /// assert_eq!(processor.report().tracepoints[3].name, "MyService_L4K2a");
    /// ```
    pub fn with_keyword(mut self, keyword: u64) -> Self {
        self.keyword = keyword;
        self
    }

    /// Writes spans with this EventHeader event name (default `"Span"`,
    /// [`DEFAULT_SPAN_EVENTHEADER_NAME`]). PartB's `_typeName` stays `"Span"`
    /// and `name` the span's name.
    ///
    /// ```
    /// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
    ///
    /// // Decoders show its spans as `MyService:Operation`.
    /// let processor = UserEventsSpanProcessor::builder("MyService").with_event_name("Operation").build();
    /// assert!(processor.is_ok());
    /// ```
    pub fn with_event_name(mut self, name: &'static str) -> Self {
        self.event_name = name;
        self
    }

    /// Checks the provider name (and group), opens `user_events_data` and
    /// registers the tracepoint `<Provider>_L4K<keyword>` (then `G<group>`
    /// with a group).
    ///
    /// Only a bad provider name or group is an error. A kernel without
    /// user_events (or without write access to it) still gives a processor,
    /// which writes nothing: [`UserEventsSpanProcessor::report`] says why.
    ///
    /// ```
    /// use otel_user_events_runtime::output::BuildError;
    /// use otel_user_events_runtime::provider::ProviderNameError;
    /// use otel_user_events_runtime::trace::UserEventsSpanProcessor;
    ///
    /// let err = UserEventsSpanProcessor::builder("my-service").build().unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     BuildError::InvalidName(ProviderNameError::InvalidChar { ch: '-', index: 2 })
    /// );
    ///
    /// let processor = UserEventsSpanProcessor::builder("MyService").build().unwrap();
    /// if !processor.report().all_registered() {
    ///     eprint!("{}", processor.report()); // why nothing will be written
    /// }
    /// ```
    pub fn build(self) -> Result<UserEventsSpanProcessor, BuildError> {
        let name = self.options.provider_name()?;
        check_event_name(self.event_name)?;
        let tracepoints = self.options.register(name, &[self.keyword]);
        let profile = self.options.profile;
        Ok(UserEventsSpanProcessor {
            output: Output::new(tracepoints, OutputKind::Spans, self.options.limit()),
            settings: SpanSettings {
                event_name: self.event_name,
                live: self.live,
                span_events: self.span_events,
                // The scalar profile writes every array as JSON text.
                arrays: match profile {
                    EncodingProfile::Scalars => Arrays::Json,
                    EncodingProfile::Full => self.arrays,
                },
                scalars: profile == EncodingProfile::Scalars,
                cloud_role: CloudRole::default(),
            },
        })
    }
}
