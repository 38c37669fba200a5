//! The output modes a provider can be asked for.

/// Where macro events go, chosen at [`init`](crate::provider::ProviderBuilder::build):
///
/// | [`OutputMode`]  | every tracepoint registered | some did       | user_events unavailable |
/// |-----------------|-----------------------------|----------------|-------------------------|
/// | `Auto`          | user_events                 | OpenTelemetry¹ | OpenTelemetry¹          |
/// | `UserEvents`    | user_events                 | user_events²   | none²                   |
/// | `OpenTelemetry` | OpenTelemetry (not tried)   |                |                         |
/// | `Both`          | both                        | both³          | OpenTelemetry           |
///
/// ¹ when a logger provider was given ([`ProviderBuilder::with_logger_provider`](crate::provider::ProviderBuilder::with_logger_provider), or
/// `ProviderBuilder::with_stdout_logger_provider` with the `stdout` feature); without
/// one, events are dropped and counted as `dropped_unavailable` (or, when some
/// tracepoints registered, user_events as in ²).
/// ² events of call sites whose tracepoint did not register are dropped and counted.
/// ³ call sites whose tracepoint did not register write to OpenTelemetry only.
///
/// "Tracepoint" here means one a call site writes to. The provider also
/// registers the levels of each keyword that no call site has, and the
/// [extra keywords](crate::provider::ProviderBuilder::with_keywords), so that a collector's
/// subscription list always opens; nothing is written to those, so when one
/// of them does not register the report and its sentence say so, but the
/// outputs stay as the table says: events keep flowing where they can.
///
/// The [`InitReport`](crate::provider::InitReport) says which outputs are active and why, in one sentence.
///
/// ```
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
/// use otel_user_events_runtime::{provider::ActiveOutputs, provider::OutputMode, Provider};
///
/// // OpenTelemetry only: user_events is not even tried, on any kernel.
/// let logger_provider = SdkLoggerProvider::builder().build();
/// let provider = Provider::builder("MyService")
///     .with_output(OutputMode::OpenTelemetry)
///     .with_logger_provider(logger_provider.clone())
///     .build()
///     .unwrap();
/// let report = provider.report();
/// assert_eq!(report.active, ActiveOutputs { user_events: false, opentelemetry: true });
/// assert_eq!(report.data_file, None);
/// provider.shutdown();
/// logger_provider.shutdown().unwrap();
///
/// // user_events only: no fallback. Where user_events is missing, nothing is
/// // active and events are dropped and counted (`dropped_unavailable`).
/// let provider = Provider::builder("MyService")
///     .with_output(OutputMode::UserEvents)
///     .build()
///     .unwrap();
/// let report = provider.report();
/// assert!(!report.active.opentelemetry);
/// assert_eq!(report.active.user_events, matches!(report.data_file, Some(Ok(_))));
/// println!("{}", report.reason);
/// ```
///
/// # The OpenTelemetry output
///
/// Each event becomes an SDK `LogRecord` emitted through the logger provider (so
/// any `LogExporter` works): event name, target (module path), severity number
/// and text from the level (critical 21 `FATAL`, error 17 `ERROR`, warn 13 `WARN`,
/// info 9 `INFO`, verbose 5 `DEBUG`), timestamp and observed timestamp (the time
/// of the call), the body, the fields as attributes, and the current span's
/// trace context. Fields keep their natural types (see [`Field::to_any_value`](crate::field::Field::to_any_value)):
/// integers `Int` (beyond `i64` a decimal `String`), floats `Double`, `bool`,
/// strings and `char` `String`, bytes `Bytes`, other arrays `ListAny`, `Duration`
/// `Int` nanoseconds, `SystemTime` RFC 3339, addresses, `%x` and `?x` `String`.
///
/// The enabled check stays one load: whether the logger provider wants a call
/// site (`Logger::event_enabled` for its severity, target and name) is asked
/// once at `init` and cached in the site's enable word; call
/// [`Provider::refresh_enabled`](crate::Provider::refresh_enabled) after changing a processor's filter at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// user_events when every tracepoint registered, else OpenTelemetry (when a
    /// logger provider was given; otherwise events are dropped and counted).
    #[default]
    Auto,
    /// user_events only; events that cannot reach it (no kernel support, or
    /// their tracepoint did not register) are dropped and counted as
    /// `dropped_unavailable`.
    UserEvents,
    /// OpenTelemetry only; user_events is not tried.
    OpenTelemetry,
    /// Both user_events and OpenTelemetry; OpenTelemetry alone when user_events
    /// is unavailable.
    Both,
}
