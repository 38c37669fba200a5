//! `UserEventsMetricExporter` against a real kernel, side by side with
//! `opentelemetry_user_events_metrics::MetricsExporter` 0.14 (the peer).
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_metrics`. Elsewhere each test prints a `skipped:` line.
//!
//! Both exporters register `otlp_metrics` in this process (the kernel lets
//! registrations share a tracepoint whose fields match), export the same
//! collected metrics one after the other, and perf reads the events: for
//! every instrument kind, the same bytes, or (where the SDK says cumulative:
//! up-down counters always, the rest with cumulative temporality) requests
//! the same field by field but for temporality, which the peer writes as 0
//! (unspecified) and we as OTLP's 2. Also: packed events as perf sees them, nothing written while
//! nobody listens, and the data file closed at shutdown.

mod otlp;

use std::sync::Mutex;

use opentelemetry::KeyValue;
use opentelemetry::metrics::Meter;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_user_events_metrics::MetricsExporter as PeerExporter;
use otel_user_events::metrics::UserEventsMetricExporter;
use otel_user_events::output::EventLimit;
use otel_user_events_test_support::perf::{Listener, Sample};
use otel_user_events_test_support::{require_kernel, tracefs};
use otlp::{collect, fields, ready};
use prost::Message;

/// One tracepoint for every test, and the perf buffers: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());
const TRACEPOINT: &str = "otlp_metrics";

/// Every instrument kind and value type, with attributes.
fn every_kind(meter: &Meter) {
    let shop = [KeyValue::new("shop", "north"), KeyValue::new("tier", 2)];
    meter.u64_counter("u64_counter").build().add(3, &shop);
    meter.f64_counter("f64_counter").build().add(1.5, &shop);
    meter
        .i64_up_down_counter("i64_updown")
        .build()
        .add(-2, &shop);
    meter
        .f64_up_down_counter("f64_updown")
        .build()
        .add(-2.5, &[]);
    meter.u64_gauge("u64_gauge").build().record(7, &shop);
    meter.i64_gauge("i64_gauge").build().record(-7, &[]);
    meter.f64_gauge("f64_gauge").build().record(7.25, &[]);
    let latency = meter.f64_histogram("f64_histogram").build();
    for v in [0.5, 3.0, 12.0, 700.0] {
        latency.record(v, &shop);
    }
    meter.u64_histogram("u64_histogram").build().record(42, &[]);
    let exponential = meter.f64_histogram("f64_exponential").build();
    for v in [0.001, 1.0, 2.0, 1000.0] {
        exponential.record(v, &shop);
    }
    meter
        .u64_histogram("u64_exponential")
        .build()
        .record(9, &[]);
}

/// The buffer of each event perf read, in order.
fn buffers(samples: &[Sample]) -> Vec<Vec<u8>> {
    samples
        .iter()
        .map(|s| {
            assert_eq!(s.tracepoint, TRACEPOINT);
            let (protocol, version, buffer) = fields(&s.event_data);
            assert_eq!((protocol, &version), (0, b"v0.19.00"));
            buffer.to_vec()
        })
        .collect()
}

/// The metric names of `buffers`, one request each.
fn names(buffers: &[Vec<u8>]) -> Vec<String> {
    buffers
        .iter()
        .map(|b| {
            let request = ExportMetricsServiceRequest::decode(&b[..]).unwrap();
            request.resource_metrics[0].scope_metrics[0].metrics[0]
                .name
                .clone()
        })
        .collect()
}

/// The events the peer and ours write for the same collected metrics.
fn both(temporality: Temporality) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let metrics = collect(temporality, every_kind);
    let peer = PeerExporter::new();
    let ours = UserEventsMetricExporter::builder()
        .with_temporality(temporality)
        .build();
    assert!(ours.report().all_registered(), "{}", ours.report());
    let mut listener = Listener::start(&[TRACEPOINT]).unwrap();
    ready(peer.export(&metrics)).unwrap();
    let from_peer = buffers(&listener.drain());
    ready(ours.export(&metrics)).unwrap();
    let from_ours = buffers(&listener.drain());
    assert_eq!(listener.lost(), 0);
    drop(listener);
    assert_eq!(ours.counters().written, from_ours.len() as u64);
    (from_peer, from_ours)
}

/// The temporality of a request's one metric, if it has one.
fn temporality_of(request: &mut ExportMetricsServiceRequest) -> Option<&mut i32> {
    match request.resource_metrics[0].scope_metrics[0].metrics[0]
        .data
        .as_mut()?
    {
        Data::Sum(s) => Some(&mut s.aggregation_temporality),
        Data::Histogram(h) => Some(&mut h.aggregation_temporality),
        Data::ExponentialHistogram(h) => Some(&mut h.aggregation_temporality),
        Data::Gauge(_) | Data::Summary(_) => None,
    }
}

/// Compares our events with the peer's for `temporality`: the same bytes, or
/// requests that differ only in a cumulative temporality (ours OTLP's 2, the
/// peer's `Temporality::Cumulative as i32`, 0). Returns the names of those.
fn compare(temporality: Temporality) -> Vec<String> {
    let (from_peer, from_ours) = both(temporality);
    // One event a data point: 11 instruments, one point each.
    assert_eq!(from_peer.len(), 11);
    assert_eq!(names(&from_ours), names(&from_peer));
    let mut cumulative = Vec::new();
    for (ours, peer) in from_ours.iter().zip(&from_peer) {
        if ours == peer {
            continue;
        }
        let mut ours = ExportMetricsServiceRequest::decode(&ours[..]).unwrap();
        let mut peer = ExportMetricsServiceRequest::decode(&peer[..]).unwrap();
        let name = ours.resource_metrics[0].scope_metrics[0].metrics[0]
            .name
            .clone();
        let (Some(o), Some(p)) = (temporality_of(&mut ours), temporality_of(&mut peer)) else {
            panic!("{name}: differs, and not in temporality");
        };
        assert_eq!((*o, *p), (2, 0), "{name}");
        *o = 0;
        assert_eq!(ours, peer, "{name}");
        cumulative.push(name);
    }
    cumulative.sort();
    cumulative
}

#[test]
fn same_bytes_as_the_peer_but_cumulative_temporality_for_every_instrument_kind() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // With delta, the SDK keeps up-down counters cumulative (OpenTelemetry's
    // rule): only they differ.
    assert_eq!(compare(Temporality::Delta), ["f64_updown", "i64_updown"]);
    // With cumulative, so do counters, histograms and exponential ones; gauges
    // have no temporality.
    assert_eq!(
        compare(Temporality::Cumulative),
        [
            "f64_counter",
            "f64_exponential",
            "f64_histogram",
            "f64_updown",
            "i64_updown",
            "u64_counter",
            "u64_exponential",
            "u64_histogram"
        ]
    );
}

#[test]
fn packed_events_hold_every_point_and_perf_sees_each() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let metrics = collect(Temporality::Delta, |meter| {
        let counter = meter.u64_counter("orders").build();
        for i in 0..300 {
            let shop = KeyValue::new("shop", format!("shop-{i:03}-{}", "p".repeat(50)));
            counter.add(i + 1, &[shop]);
        }
    });
    let exporter = UserEventsMetricExporter::builder()
        .with_packing(true)
        .build();
    let mut listener = Listener::start(&[TRACEPOINT]).unwrap();
    ready(exporter.export(&metrics)).unwrap();
    let samples = listener.drain();
    assert_eq!(listener.lost(), 0);
    let written = exporter.counters().written;
    assert_eq!(
        samples.len() as u64,
        written,
        "perf sees every event written"
    );
    assert!((2..10).contains(&samples.len()), "{} events", samples.len());
    let mut values = Vec::new();
    for buffer in buffers(&samples) {
        assert!(buffer.len() <= EventLimit::Perf.payload_bytes() - 16);
        let request = ExportMetricsServiceRequest::decode(&buffer[..]).unwrap();
        for metric in &request.resource_metrics[0].scope_metrics[0].metrics {
            let Some(Data::Sum(sum)) = &metric.data else {
                panic!("a counter is a sum")
            };
            values.extend(sum.data_points.iter().map(|p| p.value));
        }
    }
    values.sort_by_key(|v| format!("{v:?}"));
    let mut expected: Vec<_> = (1..=300)
        .map(|v| Some(opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsInt(v)))
        .collect();
    expected.sort_by_key(|v| format!("{v:?}"));
    assert_eq!(values, expected);
}

#[test]
fn nothing_is_written_while_nobody_listens_and_shutdown_closes_the_file() {
    require_kernel!();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let metrics = collect(Temporality::Delta, every_kind);
    let files_before = tracefs::user_events_data_fds().unwrap().len();
    let exporter = UserEventsMetricExporter::builder().build();
    let handle = exporter.handle();
    assert!(tracefs::is_registered(TRACEPOINT).unwrap());
    assert_eq!(
        tracefs::user_events_data_fds().unwrap().len(),
        files_before + 1
    );
    ready(exporter.export(&metrics)).unwrap();
    let counters = handle.counters();
    assert_eq!((counters.written, counters.dropped()), (0, 0));

    let mut listener = Listener::start(&[TRACEPOINT]).unwrap();
    ready(exporter.export(&metrics)).unwrap();
    assert_eq!(listener.drain().len(), 11);
    drop(listener);

    exporter.shutdown().unwrap();
    assert!(handle.is_shut_down());
    // Its data file is closed (the peer's, if one ran in this process, stays
    // open for the process's life: it holds the name registered).
    assert_eq!(tracefs::user_events_data_fds().unwrap().len(), files_before);
    ready(exporter.export(&metrics)).unwrap_err();
}
