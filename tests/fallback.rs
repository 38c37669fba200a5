//! The OpenTelemetry output: macro events through an `SdkLoggerProvider` into
//! the SDK's in-memory exporter, compared with hand-written expected values; and
//! how each output mode decides on a machine without user_events.
//!
//! Each test starts its provider through a [`Fixture`], which holds the turn
//! (only one provider can be active per process).

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::{InstrumentationScope, Key};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{
    InMemoryLogExporter, LogProcessor, SdkLogRecord, SdkLoggerProvider, SimpleLogProcessor,
};
use otel_user_events::{
    Level, Provider, output::DataFileError, provider::ActiveOutputs, provider::InitError,
    provider::InitReport, provider::LoggerSource, provider::OutputMode, ue_log,
};

mod fixture;
use fixture::otlp_receiver::OtlpReceiver;
use fixture::{Fixture, in_memory, records, serial};

/// Whether this machine's kernel offers user_events (then the mode tests that
/// describe a machine without it do not apply).
fn kernel_has_user_events() -> bool {
    Path::new("/sys/kernel/tracing/user_events_data").exists()
}

fn skip_with_user_events(test: &str) -> bool {
    if kernel_has_user_events() {
        eprintln!("skipped: {test} describes a kernel without user_events");
        return true;
    }
    false
}

/// Why user_events was unavailable: the report must say it was tried and failed.
fn data_file_error(report: &InitReport) -> DataFileError {
    report
        .data_file
        .clone()
        .expect("user_events was tried")
        .expect_err("no user_events here")
}

fn attributes(record: &SdkLogRecord) -> Vec<(String, AnyValue)> {
    record
        .attributes_iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect()
}

fn s(text: &str) -> AnyValue {
    AnyValue::String(text.to_owned().into())
}

fn list(values: Vec<AnyValue>) -> AnyValue {
    AnyValue::ListAny(Box::new(values))
}

fn expect(pairs: Vec<(&str, AnyValue)>) -> Vec<(String, AnyValue)> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn integers_floats_bool_and_char_keep_their_natural_types() {
    let fixture = Fixture::opentelemetry("FallbackNumbers");
    ue_log!(
        info,
        "Numbers",
        i8 = -8i8,
        i16 = -16i16,
        i32 = -32i32,
        i64 = i64::MIN,
        isize = -1isize,
        i128_small = -5i128,
        i128 = i128::MIN,
        u8 = 255u8,
        u16 = 65535u16,
        u32 = u32::MAX,
        u64_small = 9u64,
        u64 = u64::MAX,
        usize = 7usize,
        u128 = u128::MAX,
        f32 = 0.1f32,
        f32_half = 1.5f32,
        f64 = -0.25f64,
        yes = true,
        no = false,
        letter = 'é'
    );
    assert_eq!(
        attributes(&fixture.only_record()),
        expect(vec![
            ("i8", AnyValue::Int(-8)),
            ("i16", AnyValue::Int(-16)),
            ("i32", AnyValue::Int(-32)),
            ("i64", AnyValue::Int(-9223372036854775808)),
            ("isize", AnyValue::Int(-1)),
            ("i128_small", AnyValue::Int(-5)),
            // Beyond i64: every digit kept, as text.
            ("i128", s("-170141183460469231731687303715884105728")),
            ("u8", AnyValue::Int(255)),
            ("u16", AnyValue::Int(65535)),
            ("u32", AnyValue::Int(4294967295)),
            ("u64_small", AnyValue::Int(9)),
            ("u64", s("18446744073709551615")),
            ("usize", AnyValue::Int(7)),
            ("u128", s("340282366920938463463374607431768211455")),
            // The decimal a person wrote, not 0.10000000149011612.
            ("f32", AnyValue::Double(0.1)),
            ("f32_half", AnyValue::Double(1.5)),
            ("f64", AnyValue::Double(-0.25)),
            ("yes", AnyValue::Boolean(true)),
            ("no", AnyValue::Boolean(false)),
            ("letter", s("é")),
        ])
    );
    fixture.finish();
}

#[test]
fn strings_bytes_and_arrays_map_to_string_bytes_and_list() {
    let fixture = Fixture::opentelemetry("FallbackArrays");
    let owned = String::from("owned ✓");
    let cow: Cow<str> = Cow::Borrowed("cow");
    let bytes: Vec<u8> = vec![0x00, 0xAB, 0xFF];
    let words = vec![String::from("x"), String::new()];
    ue_log!(
        info,
        "Arrays",
        text = "a\0b",
        empty = "",
        owned = owned,
        cow = cow,
        "dotted.name" = "x",
        blob = bytes,
        slice = &[1u8, 2][..],
        ints = [1i32, -2, 3],
        vec_u64 = vec![7u64, u64::MAX],
        floats = &[0.5f64, 2.0][..],
        f32s = [0.1f32],
        flags = [true, false],
        none = Vec::<u16>::new(),
        strs = ["a", "b"],
        words = words
    );
    assert_eq!(
        attributes(&fixture.only_record()),
        expect(vec![
            ("text", s("a\0b")),
            ("empty", s("")),
            ("owned", s("owned ✓")),
            ("cow", s("cow")),
            ("dotted.name", s("x")),
            ("blob", AnyValue::Bytes(Box::new(vec![0x00, 0xAB, 0xFF]))),
            ("slice", AnyValue::Bytes(Box::new(vec![1, 2]))),
            (
                "ints",
                list(vec![AnyValue::Int(1), AnyValue::Int(-2), AnyValue::Int(3)])
            ),
            (
                "vec_u64",
                list(vec![AnyValue::Int(7), s("18446744073709551615")])
            ),
            (
                "floats",
                list(vec![AnyValue::Double(0.5), AnyValue::Double(2.0)])
            ),
            ("f32s", list(vec![AnyValue::Double(0.1)])),
            (
                "flags",
                list(vec![AnyValue::Boolean(true), AnyValue::Boolean(false)])
            ),
            ("none", list(vec![])),
            ("strs", list(vec![s("a"), s("b")])),
            ("words", list(vec![s("x"), s("")])),
        ])
    );
    fixture.finish();
}

#[test]
fn time_duration_addresses_and_formatted_fields_map_as_documented() {
    #[derive(Debug)]
    #[allow(dead_code)] // read through Debug
    struct State {
        tries: u32,
    }
    let fixture = Fixture::opentelemetry("FallbackMisc");
    let err = std::io::Error::from(std::io::ErrorKind::TimedOut);
    let state = State { tries: 3 };
    ue_log!(
        info,
        "Misc",
        at = SystemTime::UNIX_EPOCH + Duration::from_micros(1_500_000),
        took = Duration::from_micros(1500),
        v4 = Ipv4Addr::new(192, 0, 2, 1),
        v6 = "2001:db8::1".parse::<Ipv6Addr>().unwrap(),
        ip = IpAddr::from(Ipv4Addr::LOCALHOST),
        sock = "[::1]:8080".parse::<SocketAddr>().unwrap(),
        %err,
        ?state,
        shown = %42u8,
        debugged = ?"q"
    );
    assert_eq!(
        attributes(&fixture.only_record()),
        expect(vec![
            ("at", s("1970-01-01T00:00:01.500Z")),
            ("took", AnyValue::Int(1_500_000)),
            ("v4", s("192.0.2.1")),
            ("v6", s("2001:db8::1")),
            ("ip", s("127.0.0.1")),
            ("sock", s("[::1]:8080")),
            ("err", s("timed out")),
            ("state", s("State { tries: 3 }")),
            ("shown", s("42")),
            ("debugged", s("\"q\"")),
        ])
    );
    fixture.finish();
}

#[test]
fn record_has_name_severity_target_timestamps_and_body() {
    let fixture = Fixture::opentelemetry("FallbackRecord");
    let before = SystemTime::now();
    ue_log!(
        Level::Warn,
        "Retry",
        keyword = 0x10,
        attempt = 2,
        body = "retrying"
    );
    ue_log!(error, "NoBody");
    ue_log!(info, "NumberBody", body = 7u16);
    let after = SystemTime::now();
    let got = fixture.records();
    assert_eq!(got.len(), 3);

    let retry = &got[0];
    assert_eq!(retry.event_name(), Some("Retry"));
    assert_eq!(retry.severity_number(), Some(Severity::Warn));
    assert_eq!(retry.severity_text(), Some("WARN"));
    assert_eq!(retry.target().map(|t| t.as_ref()), Some(module_path!()));
    assert_eq!(retry.body(), Some(&s("retrying")));
    assert_eq!(
        attributes(retry),
        expect(vec![
            ("attempt", AnyValue::Int(2)),
            ("keyword", AnyValue::Int(0x10))
        ])
    );
    let time = retry.timestamp().expect("timestamp set");
    assert!(before <= time && time <= after, "{time:?}");
    assert_eq!(retry.observed_timestamp(), Some(time));
    assert!(retry.trace_context().is_none());

    assert_eq!(got[1].event_name(), Some("NoBody"));
    assert_eq!(got[1].severity_number(), Some(Severity::Error));
    assert_eq!(got[1].severity_text(), Some("ERROR"));
    assert_eq!(got[1].body(), None);
    assert_eq!(attributes(&got[1]), vec![]);
    assert_eq!(got[2].body(), Some(&AnyValue::Int(7)));

    // The instrumentation scope names this crate.
    let logs = fixture.exporter.get_emitted_logs().unwrap();
    assert_eq!(logs[0].instrumentation.name(), "otel-user-events");
    assert_eq!(
        logs[0].instrumentation.version(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(fixture.provider.counters().handed_to_opentelemetry, 3);
    assert_eq!(fixture.provider.counters().written, 0);
    fixture.finish();
}

#[test]
fn every_level_has_its_severity_number_and_text() {
    let fixture = Fixture::opentelemetry("FallbackLevels");
    ue_log!(critical, "L");
    ue_log!(fatal, "L");
    ue_log!(error, "L");
    ue_log!(warn, "L");
    ue_log!(info, "L");
    ue_log!(verbose, "L");
    ue_log!(debug, "L");
    ue_log!(trace, "L");
    let got: Vec<(Option<Severity>, Option<&str>)> = fixture
        .records()
        .iter()
        .map(|r| (r.severity_number(), r.severity_text()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(Severity::Fatal), Some("FATAL")),
            (Some(Severity::Fatal), Some("FATAL")),
            (Some(Severity::Error), Some("ERROR")),
            (Some(Severity::Warn), Some("WARN")),
            (Some(Severity::Info), Some("INFO")),
            (Some(Severity::Debug), Some("DEBUG")),
            (Some(Severity::Debug), Some("DEBUG")),
            (Some(Severity::Debug), Some("DEBUG")),
        ]
    );
    assert_eq!(Severity::Fatal as i32, 21);
    assert_eq!(Severity::Debug as i32, 5);
    fixture.finish();
}

#[test]
fn trace_context_comes_from_the_current_span() {
    let fixture = Fixture::opentelemetry("FallbackTrace");
    let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    let span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    let span = SpanContext::new(
        trace_id,
        span_id,
        TraceFlags::SAMPLED,
        false,
        TraceState::default(),
    );
    {
        let _guard = opentelemetry::Context::current()
            .with_remote_span_context(span)
            .attach();
        ue_log!(info, "Traced", n = 1);
    }
    ue_log!(info, "Untraced");
    let got = fixture.records();
    assert_eq!(got.len(), 2);
    let trace = got[0].trace_context().expect("trace context");
    assert_eq!(trace.trace_id, trace_id);
    assert_eq!(trace.span_id, span_id);
    assert_eq!(trace.trace_flags, Some(TraceFlags::SAMPLED));
    assert!(got[1].trace_context().is_none());
    // Inside the span, the record carries the span's activity id, as its
    // event on user_events does: ActivityId::from_span(trace, span).
    let activity =
        otel_user_events::activity::ActivityId::from_span(trace_id.to_bytes(), span_id.to_bytes());
    let attribute = |record: &SdkLogRecord, key: &str| {
        attributes(record)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    };
    assert_eq!(
        attribute(&got[0], "activity_id"),
        Some(AnyValue::Bytes(Box::new(activity.as_bytes().to_vec())))
    );
    assert_eq!(attribute(&got[1], "activity_id"), None);
    fixture.finish();
}

#[test]
fn events_emitted_while_telemetry_is_suppressed_are_not_built_or_counted() {
    let fixture = Fixture::opentelemetry("FallbackSuppressed");
    {
        let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
        ue_log!(info, "Inside");
    }
    ue_log!(info, "Outside");
    let names: Vec<_> = fixture.records().iter().map(|r| r.event_name()).collect();
    assert_eq!(names, [Some("Outside")]);
    assert_eq!(fixture.provider.counters().handed_to_opentelemetry, 1);
    fixture.finish();
}

#[test]
fn auto_falls_back_to_opentelemetry_without_user_events() {
    if skip_with_user_events("auto_falls_back_to_opentelemetry_without_user_events") {
        return;
    }
    let fixture = Fixture::start("FallbackAuto", None);
    let report = fixture.provider.report();
    assert_eq!(report.requested, OutputMode::Auto);
    assert_eq!(
        report.active,
        ActiveOutputs {
            user_events: false,
            opentelemetry: true
        }
    );
    let DataFileError { errno, path } = data_file_error(report);
    assert!(report.tracepoints.is_empty());
    assert_eq!(
        report.reason,
        format!(
            "user_events is unavailable ({}: {}): falling back to OpenTelemetry",
            errno.name(),
            errno.explain()
        )
    );
    let otel = report.opentelemetry.clone().unwrap();
    assert_eq!(otel.source, LoggerSource::Given);
    assert!(otel.call_sites > 0);
    assert_eq!(otel.enabled_call_sites, otel.call_sites);
    assert!(fixture.provider.logger_provider().is_some());
    assert_eq!(
        report.to_string(),
        format!(
            "otel-user-events provider \"FallbackAuto\": output OpenTelemetry (requested Auto)\n  \
             why: {}\n  \
             user_events_data: {}: {} ({})\n  \
             OpenTelemetry: the given logger provider, {4} of {4} call sites enabled\n",
            report.reason,
            path.display(),
            errno.name(),
            errno.0,
            otel.call_sites
        )
    );

    ue_log!(info, "AutoEvent", n = 1u8);
    assert_eq!(fixture.only_record().event_name(), Some("AutoEvent"));
    fixture.finish();
}

#[test]
fn user_events_mode_without_user_events_drops_and_counts() {
    if skip_with_user_events("user_events_mode_without_user_events_drops_and_counts") {
        return;
    }
    static EVALUATED: AtomicUsize = AtomicUsize::new(0);
    let fixture = Fixture::start("FallbackUserEventsOnly", Some(OutputMode::UserEvents));
    let report = fixture.provider.report();
    assert_eq!(
        report.active,
        ActiveOutputs {
            user_events: false,
            opentelemetry: false
        }
    );
    let DataFileError { errno, .. } = data_file_error(report);
    assert_eq!(
        report.reason,
        format!(
            "user_events was requested but user_events is unavailable ({}: {}): \
             events are dropped and counted (dropped_unavailable)",
            errno.name(),
            errno.explain()
        )
    );
    assert_eq!(report.opentelemetry, None);
    assert!(fixture.provider.logger_provider().is_none());
    assert!(report.to_string().starts_with(
        "otel-user-events provider \"FallbackUserEventsOnly\": output none (requested UserEvents)\n"
    ));

    for _ in 0..3 {
        ue_log!(
            info,
            "Dropped",
            n = EVALUATED.fetch_add(1, Ordering::Relaxed)
        );
    }
    let counters = fixture.provider.counters();
    assert_eq!(counters.dropped_unavailable, 3);
    assert_eq!(counters.dropped(), 3);
    assert_eq!((counters.written, counters.handed_to_opentelemetry), (0, 0));
    // The logger provider is not used in this mode.
    assert!(fixture.records().is_empty());
    fixture.finish();
}

#[test]
fn auto_without_a_logger_provider_drops_and_counts() {
    if skip_with_user_events("auto_without_a_logger_provider_drops_and_counts") {
        return;
    }
    let _serial = serial();
    let provider = Provider::builder("FallbackNothing").build().unwrap();
    let report = provider.report();
    assert_eq!(
        report.active,
        ActiveOutputs {
            user_events: false,
            opentelemetry: false
        }
    );
    assert!(
        report.reason.ends_with(
            ", and no OpenTelemetry logger provider was given to fall back to \
             (.logger_provider(..) or .stdout_logger_provider()): events are dropped and \
             counted (dropped_unavailable)"
        ),
        "{}",
        report.reason
    );
    ue_log!(warn, "Lost");
    assert_eq!(provider.counters().dropped_unavailable, 1);
    provider.shutdown();
}

#[test]
fn both_without_user_events_writes_to_opentelemetry_only() {
    if skip_with_user_events("both_without_user_events_writes_to_opentelemetry_only") {
        return;
    }
    let fixture = Fixture::start("FallbackBoth", Some(OutputMode::Both));
    let report = fixture.provider.report();
    assert_eq!(
        report.active,
        ActiveOutputs {
            user_events: false,
            opentelemetry: true
        }
    );
    let DataFileError { errno, .. } = data_file_error(report);
    assert_eq!(
        report.reason,
        format!(
            "both outputs were requested but user_events is unavailable ({}: {}): \
             OpenTelemetry only",
            errno.name(),
            errno.explain()
        )
    );
    ue_log!(info, "BothEvent");
    assert_eq!(fixture.records().len(), 1);
    assert_eq!(fixture.provider.counters().handed_to_opentelemetry, 1);
    assert_eq!(fixture.provider.counters().dropped(), 0);
    fixture.finish();
}

#[test]
fn opentelemetry_mode_does_not_try_user_events() {
    let fixture = Fixture::opentelemetry("FallbackOtelOnly");
    let report = fixture.provider.report();
    assert_eq!(report.data_file, None);
    assert!(report.tracepoints.is_empty());
    assert_eq!(
        report.reason,
        "OpenTelemetry was requested, so user_events was not tried"
    );
    fixture.finish();
}

#[test]
fn opentelemetry_and_both_need_a_logger_provider() {
    let serial = serial();
    for mode in [OutputMode::OpenTelemetry, OutputMode::Both] {
        let err = Provider::builder("FallbackNoLogger")
            .with_output(mode)
            .build()
            .unwrap_err();
        assert_eq!(err, InitError::NoLoggerProvider(mode));
        assert_eq!(
            err.to_string(),
            format!(
                "output mode {mode:?} needs an OpenTelemetry logger provider: call \
                 .logger_provider(..) or .stdout_logger_provider()"
            )
        );
    }
    // Nothing was left active: a provider starts (still in this test's turn).
    let mode = Some(OutputMode::OpenTelemetry);
    Fixture::start_with(serial, "FallbackAfterError", mode, in_memory()).finish();
}

#[test]
fn only_one_provider_at_a_time_and_shutdown_stops_output() {
    let Fixture {
        provider,
        logger_provider,
        exporter,
        serial: _serial,
    } = Fixture::opentelemetry("FallbackFirst");
    let (other, _) = in_memory();
    let err = Provider::builder("FallbackSecond")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(other)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        InitError::AlreadyActive {
            active: "FallbackFirst".to_owned()
        }
    );
    fn site() {
        ue_log!(info, "AroundShutdown");
    }
    site();
    provider.shutdown();
    site();
    assert_eq!(records(&exporter).len(), 1);
    assert_eq!(otel_user_events::provider::counters(), None);
    logger_provider.shutdown().unwrap();
}

/// A processor whose `event_enabled` keeps events named `Gate*` at or above a
/// threshold that the test changes at run time.
#[derive(Debug)]
struct GateProcessor {
    min_severity: Arc<AtomicU8>,
    inner: SimpleLogProcessor<InMemoryLogExporter>,
}

impl LogProcessor for GateProcessor {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        self.inner.emit(record, scope);
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }
    fn event_enabled(&self, level: Severity, _target: &str, name: Option<&str>) -> bool {
        name.is_some_and(|n| n.starts_with("Gate"))
            && level as u8 >= self.min_severity.load(Ordering::Relaxed)
    }
}

#[test]
fn event_enabled_is_cached_per_call_site_and_refreshed_on_request() {
    static EVALUATED: AtomicUsize = AtomicUsize::new(0);
    fn sites() {
        ue_log!(
            info,
            "GateInfo",
            n = EVALUATED.fetch_add(1, Ordering::Relaxed)
        );
        ue_log!(warn, "GateWarn");
    }
    let exporter = InMemoryLogExporter::default();
    let min_severity = Arc::new(AtomicU8::new(Severity::Warn as u8));
    let logger_provider = SdkLoggerProvider::builder()
        .with_log_processor(GateProcessor {
            min_severity: min_severity.clone(),
            inner: SimpleLogProcessor::new(exporter.clone()),
        })
        .build();
    let mode = Some(OutputMode::OpenTelemetry);
    let fixture = Fixture::start_with(serial(), "FallbackGate", mode, (logger_provider, exporter));
    assert_eq!(
        fixture
            .provider
            .report()
            .opentelemetry
            .as_ref()
            .unwrap()
            .enabled_call_sites,
        1
    );

    // The info site is off: its values are not even evaluated.
    sites();
    assert_eq!(EVALUATED.load(Ordering::Relaxed), 0);
    let names: Vec<_> = fixture.records().iter().map(|r| r.event_name()).collect();
    assert_eq!(names, [Some("GateWarn")]);

    // A run-time change is seen after refresh_enabled, not before.
    min_severity.store(Severity::Info as u8, Ordering::Relaxed);
    sites();
    assert_eq!(EVALUATED.load(Ordering::Relaxed), 0);
    assert_eq!(fixture.provider.refresh_enabled(), 2);
    fixture.exporter.reset();
    sites();
    assert_eq!(EVALUATED.load(Ordering::Relaxed), 1);
    let names: Vec<_> = fixture.records().iter().map(|r| r.event_name()).collect();
    assert_eq!(names, [Some("GateInfo"), Some("GateWarn")]);
    fixture.finish();
}

#[test]
fn a_logger_provider_without_processors_enables_nothing_and_the_report_says_so() {
    let no_processor = SdkLoggerProvider::builder().build();
    // Nothing reaches this exporter: no processor leads to it.
    let unreached = InMemoryLogExporter::default();
    let mode = Some(OutputMode::OpenTelemetry);
    let fixture = Fixture::start_with(
        serial(),
        "FallbackNoProcessor",
        mode,
        (no_processor, unreached),
    );
    let provider = &fixture.provider;
    let otel = provider.report().opentelemetry.clone().unwrap();
    assert_eq!(otel.enabled_call_sites, 0);
    assert!(
        provider.report().to_string().contains(&format!(
            "  OpenTelemetry: the given logger provider, 0 of {} call sites enabled (the logger \
             provider wants none of them: does it have a log processor?)\n",
            otel.call_sites
        )),
        "{}",
        provider.report()
    );
    ue_log!(info, "Nowhere");
    assert_eq!(provider.counters(), Default::default());
    fixture.finish();
}

#[test]
fn the_stdout_logger_provider_is_built_on_request_and_shut_down_with_the_provider() {
    let _serial = serial();
    let provider = Provider::builder("FallbackStdout")
        .with_output(OutputMode::OpenTelemetry)
        .with_stdout_logger_provider()
        .build()
        .unwrap();
    let otel = provider.report().opentelemetry.clone().unwrap();
    assert_eq!(otel.source, LoggerSource::Stdout);
    assert_eq!(otel.enabled_call_sites, otel.call_sites);
    assert!(
        provider
            .report()
            .to_string()
            .contains("  OpenTelemetry: stdout (opentelemetry-stdout), ")
    );
    let logger_provider = provider.logger_provider().unwrap().clone();
    ue_log!(info, "Printed", n = 1);
    assert_eq!(provider.counters().handed_to_opentelemetry, 1);
    provider.shutdown();
    // Already shut down by the provider that built it.
    assert!(logger_provider.shutdown().is_err());
}

#[test]
fn attribute_keys_are_the_field_names() {
    let fixture = Fixture::opentelemetry("FallbackKeys");
    let order_id = 42u64;
    ue_log!(info, "Keys", order_id, "http.method" = "GET");
    let got = fixture.records();
    let keys: Vec<&Key> = got[0].attributes_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, [&Key::from("order_id"), &Key::from("http.method")]);
    fixture.finish();
}

/// `examples/otlp.rs`, compiled into this test to run against a local receiver.
#[path = "../examples/otlp.rs"]
#[allow(dead_code)] // its `main`
mod otlp_example;

#[test]
fn the_otlp_example_sends_its_events_to_a_collector() {
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use opentelemetry_proto::tonic::common::v1::{AnyValue as Pb, KeyValue, any_value::Value};
    use prost::Message as _;

    /// (key, value) of OTLP attributes.
    fn pairs(attributes: &[KeyValue]) -> Vec<(String, Option<Value>)> {
        attributes
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone().and_then(|v| v.value)))
            .collect()
    }

    let _serial = serial();
    let receiver = OtlpReceiver::start();
    let endpoint = format!("http://127.0.0.1:{}/v1/logs", receiver.port);
    otlp_example::run(Some(&endpoint)).expect("the example runs");

    let requests = receiver.requests();
    assert!(!requests.is_empty(), "no OTLP request arrived");
    let mut records = Vec::new();
    for (line, body) in &requests {
        assert_eq!(line, "POST /v1/logs HTTP/1.1");
        let request = ExportLogsServiceRequest::decode(body.as_slice()).expect("OTLP protobuf");
        for resource_logs in request.resource_logs {
            let resource = resource_logs.resource.expect("resource");
            assert!(
                pairs(&resource.attributes).contains(&(
                    "service.name".to_owned(),
                    Some(Value::StringValue("checkout".to_owned()))
                )),
                "{:?}",
                resource.attributes
            );
            for scope_logs in resource_logs.scope_logs {
                // The OTLP exporter names the scope after the record's target:
                // the call site's module path, as for the tracing appender.
                assert_eq!(
                    scope_logs.scope.expect("scope").name,
                    "fallback::otlp_example"
                );
                records.extend(scope_logs.log_records);
            }
        }
    }
    let attr = |key: &str, value: Value| (key.to_owned(), Some(value));
    assert_eq!(records.len(), 2, "{records:?}");
    let placed = &records[0];
    assert_eq!(placed.event_name, "OrderPlaced");
    assert_eq!(
        (placed.severity_number, placed.severity_text.as_str()),
        (9, "INFO")
    );
    assert!(placed.time_unix_nano > 0);
    assert_eq!(placed.observed_time_unix_nano, placed.time_unix_nano);
    assert_eq!(placed.body, None);
    assert_eq!(
        pairs(&placed.attributes),
        [
            attr("order_id", Value::IntValue(42)),
            attr("customer", Value::StringValue("ada".to_owned())),
            attr("amount", Value::DoubleValue(9.99)),
            attr("express", Value::BoolValue(true)),
        ]
    );
    let slow = &records[1];
    assert_eq!(slow.event_name, "PaymentSlow");
    assert_eq!(
        (slow.severity_number, slow.severity_text.as_str()),
        (13, "WARN")
    );
    assert_eq!(
        slow.body,
        Some(Pb {
            value: Some(Value::StringValue("payment took long".to_owned()))
        })
    );
    assert_eq!(
        pairs(&slow.attributes),
        [attr("took_ms", Value::IntValue(1250))]
    );
}

/// A log processor that takes every record and keeps none, as a full
/// `BatchLogProcessor` queue does.
#[derive(Debug)]
struct DiscardingProcessor;

impl LogProcessor for DiscardingProcessor {
    fn emit(&self, _record: &mut SdkLogRecord, _scope: &InstrumentationScope) {}
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

#[test]
fn handed_to_opentelemetry_counts_records_given_to_the_sdk_whatever_it_does_with_them() {
    let _serial = serial();
    let logger_provider = SdkLoggerProvider::builder()
        .with_log_processor(DiscardingProcessor)
        .build();
    let provider = Provider::builder("FallbackHanded")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(logger_provider.clone())
        .build()
        .unwrap();
    ue_log!(info, "Handed", n = 1);
    ue_log!(warn, "HandedToo");
    // The SDK kept neither record; this crate handed both over, and says so.
    let counters = provider.counters();
    assert_eq!(counters.handed_to_opentelemetry, 2);
    assert_eq!(counters.dropped(), 0);
    provider.shutdown();
    logger_provider.shutdown().unwrap();
}

#[otel_user_events::otel_event(ret)]
fn fallback_activity_with_ue_log_inside(n: i64) -> i64 {
    ue_log!(info, "FallbackInside", n);
    n + 1
}

#[test]
fn ue_log_inside_an_activity_carries_its_id_as_an_attribute() {
    let fixture = Fixture::opentelemetry("FallbackInsideActivity");
    assert_eq!(fallback_activity_with_ue_log_inside(1), 2);
    ue_log!(info, "FallbackOutside");
    let got = fixture.records();
    let names: Vec<_> = got.iter().map(|r| r.event_name().unwrap()).collect();
    assert_eq!(
        names,
        [
            "fallback_activity_with_ue_log_inside",
            "FallbackInside",
            "fallback_activity_with_ue_log_inside",
            "FallbackOutside"
        ]
    );
    let attribute = |record: &SdkLogRecord, key: &str| {
        attributes(record)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    };
    let id = attribute(&got[0], "activity_id").expect("the start carries its activity id");
    assert_eq!(attribute(&got[1], "activity_id"), Some(id.clone()));
    assert_eq!(attribute(&got[1], "related_activity_id"), None);
    assert_eq!(attribute(&got[1], "n"), Some(AnyValue::Int(1)));
    assert_eq!(attribute(&got[2], "activity_id"), Some(id));
    assert_eq!(attribute(&got[3], "activity_id"), None);
    fixture.finish();
}

#[otel_user_events::otel_event(keyword = 0x10, ret)]
fn fallback_keyed_activity(n: i64) -> i64 {
    n * 2
}

#[otel_user_events::otel_event]
fn fallback_plain_event(n: i64) {}

#[test]
fn activity_records_carry_their_opcode_keyword_and_ids() {
    let fixture = Fixture::opentelemetry("FallbackOpcodes");
    assert_eq!(fallback_keyed_activity(3), 6);
    fallback_plain_event(1);
    ue_log!(info, "FallbackKeyed", keyword = 0x20, n = 1);
    let got = fixture.records();
    assert_eq!(got.len(), 4);
    let attribute = |record: &SdkLogRecord, key: &str| {
        attributes(record)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    };
    // Start and stop: same name and severity, told apart by `opcode`.
    assert_eq!(got[0].event_name(), got[1].event_name());
    assert_eq!(got[0].severity_number(), got[1].severity_number());
    assert_eq!(attribute(&got[0], "opcode"), Some(s("ActivityStart")));
    assert_eq!(attribute(&got[1], "opcode"), Some(s("ActivityStop")));
    // The keyword that is not the default 1.
    assert_eq!(attribute(&got[0], "keyword"), Some(AnyValue::Int(0x10)));
    assert_eq!(attribute(&got[1], "keyword"), Some(AnyValue::Int(0x10)));
    // One id for both, as 16 bytes; no parent.
    let id = attribute(&got[0], "activity_id").expect("the start has an id");
    assert!(matches!(&id, AnyValue::Bytes(b) if b.len() == 16), "{id:?}");
    assert_eq!(attribute(&got[1], "activity_id"), Some(id));
    assert_eq!(attribute(&got[0], "related_activity_id"), None);
    // A plain event: no opcode, no activity; the default keyword is left out.
    assert_eq!(attributes(&got[2]), expect(vec![("n", AnyValue::Int(1))]));
    assert_eq!(
        attributes(&got[3]),
        expect(vec![
            ("n", AnyValue::Int(1)),
            ("keyword", AnyValue::Int(0x20))
        ])
    );
    fixture.finish();
}

/// Counts how often a value of an event is evaluated or formatted.
static NONE_EVALUATED: AtomicUsize = AtomicUsize::new(0);

struct CountedDisplay;

impl std::fmt::Display for CountedDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        NONE_EVALUATED.fetch_add(1, Ordering::SeqCst);
        f.write_str("counted")
    }
}

fn counted_value() -> u32 {
    NONE_EVALUATED.fetch_add(1, Ordering::SeqCst);
    1
}

#[otel_user_events::otel_event(fields(v = counted_value(), %CountedDisplay))]
fn none_plain_event(n: u32) {}

#[otel_user_events::otel_event(ret, fields(v = counted_value()))]
fn none_activity(n: u32) -> u32 {
    n + 1
}

#[test]
fn output_none_evaluates_nothing_and_counts_each_dropped_event() {
    if skip_with_user_events("output_none_evaluates_nothing_and_counts_each_dropped_event") {
        return;
    }
    let _serial = serial();
    let provider = Provider::builder("FallbackNoneLazy").build().unwrap();
    assert_eq!(
        provider.report().active,
        ActiveOutputs {
            user_events: false,
            opentelemetry: false
        }
    );
    for _ in 0..3 {
        ue_log!(info, "NoneLazy", v = counted_value(), c = %CountedDisplay);
    }
    none_plain_event(1);
    assert_eq!(none_activity(1), 2);
    // No value was evaluated or formatted...
    assert_eq!(NONE_EVALUATED.load(Ordering::SeqCst), 0);
    // ... and each event is counted: 3 ue_log!, the plain event, and the
    // activity's start (an activity that did not start writes no stop).
    let counters = provider.counters();
    assert_eq!(counters.dropped_unavailable, 5);
    assert_eq!(counters.dropped(), 5);
    assert_eq!((counters.written, counters.handed_to_opentelemetry), (0, 0));
    provider.shutdown();
    // After shutdown nothing is counted (no provider) and nothing evaluated.
    ue_log!(info, "NoneLazy", v = counted_value(), c = %CountedDisplay);
    assert_eq!(NONE_EVALUATED.load(Ordering::SeqCst), 0);
}

/// In the OpenTelemetry fallback an `Option` field is its value when `Some`
/// and left out when `None` (user_events writes it as an array of 0 or 1).
#[test]
fn option_fields_are_their_value_or_left_out() {
    let fixture = Fixture::opentelemetry("FallbackOptions");
    let (retries, none_retries): (Option<u32>, Option<u32>) = (Some(3), None);
    let user: Option<&str> = Some("ada");
    let no_body: Option<&str> = None;
    ue_log!(
        info,
        "Opt",
        retries,
        none_retries,
        user,
        after = 1u8,
        body = no_body
    );
    let record = fixture.only_record();
    assert_eq!(
        attributes(&record),
        expect(vec![
            ("retries", AnyValue::Int(3)),
            ("user", s("ada")),
            ("after", AnyValue::Int(1)),
        ])
    );
    assert_eq!(record.body(), None);
    fixture.finish();
}
