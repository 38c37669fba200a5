//! `UserEventsMetricExporter` without a kernel: the exact events a test
//! capture keeps, decoded as the OTLP requests they hold (protocol, version,
//! the buffer's relative location, every data point once), packed and not,
//! the event limit, the counters, the report and shutdown. The same
//! exporter against its peer crate, on a real kernel: tests/kernel_metrics.rs.

mod otlp;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point::Value};
use opentelemetry_sdk::error::OTelSdkError;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{
    InMemoryMetricExporterBuilder, PeriodicReader, SdkMeterProvider, Temporality,
};
use otel_user_events::metrics::UserEventsMetricExporter;
use otel_user_events::output::EventLimit;
use otel_user_events::testing::{Capture, CapturedEvent};
use otlp::{collect, ready};
use prost::Message;

/// `n` data points of the counter `orders`, one per `shop` value.
fn orders(n: usize) -> impl FnOnce(&Meter) {
    move |meter| {
        let counter = meter.u64_counter("orders").with_unit("{order}").build();
        for i in 0..n {
            counter.add(
                i as u64 + 1,
                &[KeyValue::new("shop", format!("shop-{i:03}"))],
            );
        }
    }
}

/// Exports `metrics` under a test capture; the result and the events.
fn export(
    exporter: &UserEventsMetricExporter,
    metrics: &ResourceMetrics,
) -> (Result<(), OTelSdkError>, Vec<CapturedEvent>) {
    Capture::new("Unused")
        .unwrap()
        .run(|| ready(exporter.export(metrics)))
}

/// An event's fields: protocol, version, and the request its buffer holds
/// (the whole rest of a captured event).
fn decode(event: &CapturedEvent) -> (u32, [u8; 8], ExportMetricsServiceRequest) {
    assert_eq!(event.tracepoint, "otlp_metrics");
    let (protocol, version, buffer) = otlp::fields(&event.payload);
    assert_eq!(
        buffer.len(),
        event.payload.len() - 16,
        "the buffer ends the event"
    );
    (
        protocol,
        version,
        ExportMetricsServiceRequest::decode(buffer).unwrap(),
    )
}

/// Every (shop attribute, value) of the sums in `requests`, in order.
fn sum_points(requests: &[ExportMetricsServiceRequest]) -> Vec<(String, i64)> {
    let mut points = Vec::new();
    for request in requests {
        for resource in &request.resource_metrics {
            for scope in &resource.scope_metrics {
                for metric in &scope.metrics {
                    let Some(Data::Sum(sum)) = &metric.data else {
                        panic!("{} is not a sum", metric.name);
                    };
                    for point in &sum.data_points {
                        let Some(AnyValue::StringValue(shop)) =
                            &point.attributes[0].value.as_ref().unwrap().value
                        else {
                            panic!("shop is a string");
                        };
                        let Some(Value::AsInt(value)) = point.value else {
                            panic!("a u64 counter's value is an int");
                        };
                        points.push((shop.clone(), value));
                    }
                }
            }
        }
    }
    points.sort();
    points
}

/// The points `orders(n)` records.
fn expected_orders(n: usize) -> Vec<(String, i64)> {
    (0..n)
        .map(|i| (format!("shop-{i:03}"), i as i64 + 1))
        .collect()
}

#[test]
fn each_data_point_is_one_event_holding_a_whole_request() {
    let metrics = collect(Temporality::Delta, orders(3));
    let exporter = UserEventsMetricExporter::builder().build();
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    assert_eq!(events.len(), 3);
    let mut requests = Vec::new();
    for event in &events {
        let (protocol, version, request) = decode(event);
        assert_eq!((protocol, &version), (0, b"v0.19.00"));
        let resource = &request.resource_metrics[0];
        assert_eq!(request.resource_metrics.len(), 1);
        let service = &resource.resource.as_ref().unwrap().attributes;
        assert!(service.iter().any(|kv| kv.key == "service.name"));
        assert_eq!(resource.scope_metrics.len(), 1);
        let scope = &resource.scope_metrics[0];
        assert_eq!(scope.scope.as_ref().unwrap().name, "shop");
        assert_eq!(scope.metrics.len(), 1);
        let metric = &scope.metrics[0];
        assert_eq!(
            (metric.name.as_str(), metric.unit.as_str()),
            ("orders", "{order}")
        );
        let Some(Data::Sum(sum)) = &metric.data else {
            panic!("a counter is a sum");
        };
        // OTLP's numbers: delta 1.
        assert_eq!((sum.aggregation_temporality, sum.is_monotonic), (1, true));
        assert_eq!(sum.data_points.len(), 1);
        requests.push(request);
    }
    assert_eq!(sum_points(&requests), expected_orders(3));
    assert_eq!(exporter.counters().written, 3);
}

#[test]
fn cumulative_temporality_is_written_as_otlp_numbers_it() {
    let metrics = collect(Temporality::Cumulative, orders(1));
    let exporter = UserEventsMetricExporter::builder()
        .with_temporality(Temporality::Cumulative)
        .build();
    assert_eq!(exporter.temporality(), Temporality::Cumulative);
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    let (_, _, request) = decode(&events[0]);
    let Some(Data::Sum(sum)) = &request.resource_metrics[0].scope_metrics[0].metrics[0].data else {
        panic!("a counter is a sum");
    };
    assert_eq!(sum.aggregation_temporality, 2);
}

#[test]
fn packing_writes_every_point_once_in_fewer_events_within_the_perf_limit() {
    // 400 points with long attribute values: more than one perf-visible event.
    let record = |meter: &Meter| {
        let counter = meter.u64_counter("orders").build();
        for i in 0..400 {
            let shop = format!("shop-{i:03}-{}", "x".repeat(40));
            counter.add(i + 1, &[KeyValue::new("shop", shop)]);
        }
    };
    let metrics = collect(Temporality::Delta, record);
    let exporter = UserEventsMetricExporter::builder()
        .with_packing(true)
        .build();
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    assert!(
        events.len() > 1 && events.len() < 10,
        "{} events",
        events.len()
    );
    let mut requests = Vec::new();
    for event in &events {
        assert!(event.payload.len() <= EventLimit::Perf.payload_bytes());
        requests.push(decode(event).2);
    }
    // Every event but the last is full: the next point would not have fit.
    for event in &events[..events.len() - 1] {
        assert!(event.payload.len() > EventLimit::Perf.payload_bytes() - 200);
    }
    let points = sum_points(&requests);
    assert_eq!(points.len(), 400);
    let mut expected: Vec<(String, i64)> = (0..400)
        .map(|i| (format!("shop-{i:03}-{}", "x".repeat(40)), i + 1))
        .collect();
    expected.sort();
    assert_eq!(points, expected);
    assert_eq!(exporter.counters().written, events.len() as u64);
}

#[test]
fn packing_keeps_each_scope_and_metric_once_per_event() {
    let metrics = collect(Temporality::Delta, |meter| {
        orders(5)(meter);
        let refunds = meter.u64_counter("refunds").build();
        refunds.add(2, &[KeyValue::new("shop", "shop-x")]);
        let latency = meter.f64_histogram("latency").build();
        latency.record(1.5, &[]);
    });
    let exporter = UserEventsMetricExporter::builder()
        .with_packing(true)
        .build();
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    assert_eq!(events.len(), 1);
    let (_, _, request) = decode(&events[0]);
    let scopes = &request.resource_metrics[0].scope_metrics;
    assert_eq!(scopes.len(), 1);
    let mut names: Vec<(&str, usize)> = scopes[0]
        .metrics
        .iter()
        .map(|m| {
            let points = match m.data.as_ref().unwrap() {
                Data::Sum(s) => s.data_points.len(),
                Data::Histogram(h) => h.data_points.len(),
                other => panic!("unexpected {other:?}"),
            };
            (m.name.as_str(), points)
        })
        .collect();
    names.sort();
    assert_eq!(names, [("latency", 1), ("orders", 5), ("refunds", 1)]);
}

#[test]
fn a_point_too_large_alone_is_counted_and_the_others_are_written() {
    let metrics = collect(Temporality::Delta, |meter| {
        let counter = meter.u64_counter("orders").build();
        counter.add(1, &[KeyValue::new("shop", "small")]);
        counter.add(2, &[KeyValue::new("shop", "y".repeat(9_000))]);
        counter.add(3, &[KeyValue::new("shop", "also-small")]);
    });
    for packed in [false, true] {
        let exporter = UserEventsMetricExporter::builder()
            .with_packing(packed)
            .build();
        let (result, events) = export(&exporter, &metrics);
        let Err(OTelSdkError::InternalFailure(message)) = result else {
            panic!("packed {packed}: {result:?}");
        };
        let requests: Vec<_> = events.iter().map(|e| decode(e).2).collect();
        let written: Vec<i64> = sum_points(&requests).iter().map(|(_, v)| *v).collect();
        assert_eq!(written, [3, 1], "packed {packed}"); // sorted by shop: "also-small", "small"
        let counters = exporter.counters();
        assert_eq!(counters.dropped_too_large, 1, "packed {packed}");
        assert_eq!(counters.written, events.len() as u64, "packed {packed}");
        assert!(message.starts_with("otlp_metrics: 1 of "), "{message}");
    }
    // Up to 64 KB on request: written.
    let exporter = UserEventsMetricExporter::builder()
        .with_event_limit(EventLimit::Kernel)
        .build();
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    assert_eq!(events.len(), 3);
}

#[test]
fn every_instrument_kind_is_written() {
    let metrics = collect(Temporality::Delta, |meter| {
        meter.u64_counter("u64_counter").build().add(1, &[]);
        meter.f64_counter("f64_counter").build().add(1.5, &[]);
        meter.i64_up_down_counter("i64_updown").build().add(-2, &[]);
        meter
            .f64_up_down_counter("f64_updown")
            .build()
            .add(-2.5, &[]);
        meter.u64_gauge("u64_gauge").build().record(7, &[]);
        meter.i64_gauge("i64_gauge").build().record(-7, &[]);
        meter.f64_gauge("f64_gauge").build().record(7.5, &[]);
        meter
            .f64_histogram("f64_histogram")
            .build()
            .record(3.0, &[]);
        meter.u64_histogram("u64_histogram").build().record(3, &[]);
        meter
            .f64_histogram("f64_exponential")
            .build()
            .record(3.0, &[]);
    });
    let exporter = UserEventsMetricExporter::builder().build();
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    let mut kinds: Vec<(String, &'static str)> = events
        .iter()
        .map(|event| {
            let (_, _, request) = decode(event);
            let metric = &request.resource_metrics[0].scope_metrics[0].metrics[0];
            let kind = match metric.data.as_ref().unwrap() {
                Data::Sum(_) => "sum",
                Data::Gauge(_) => "gauge",
                Data::Histogram(_) => "histogram",
                Data::ExponentialHistogram(_) => "exponential histogram",
                Data::Summary(_) => "summary",
            };
            (metric.name.clone(), kind)
        })
        .collect();
    kinds.sort();
    let expected = [
        ("f64_counter", "sum"),
        ("f64_exponential", "exponential histogram"),
        ("f64_gauge", "gauge"),
        ("f64_histogram", "histogram"),
        ("f64_updown", "sum"),
        ("i64_gauge", "gauge"),
        ("i64_updown", "sum"),
        ("u64_counter", "sum"),
        ("u64_gauge", "gauge"),
        ("u64_histogram", "histogram"),
    ];
    let kinds: Vec<(&str, &str)> = kinds.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    assert_eq!(kinds, expected);
}

#[test]
fn without_user_events_every_point_is_counted_and_nothing_encoded() {
    let metrics = collect(Temporality::Delta, orders(4));
    let exporter = UserEventsMetricExporter::builder().build();
    if exporter.report().all_registered() {
        // A kernel with user_events and nobody listening: nothing happens.
        ready(exporter.export(&metrics)).unwrap();
        assert_eq!(exporter.counters().dropped(), 0);
        return;
    }
    ready(exporter.export(&metrics)).unwrap();
    let counters = exporter.counters();
    assert_eq!((counters.dropped_unavailable, counters.written), (4, 0));
    let report = exporter.report().to_string();
    assert!(
        report.starts_with("otel-user-events metric exporter \"otlp_metrics\":\n"),
        "{report}"
    );
    assert!(
        report.contains("data points are dropped and counted"),
        "{report}"
    );
}

#[test]
fn after_shutdown_an_export_fails_and_nothing_is_written() {
    let metrics = collect(Temporality::Delta, orders(1));
    let exporter = UserEventsMetricExporter::builder().build();
    let handle = exporter.handle();
    exporter.shutdown().unwrap();
    assert!(handle.is_shut_down());
    let (result, events) = export(&exporter, &metrics);
    assert!(
        matches!(result, Err(OTelSdkError::AlreadyShutdown)),
        "{result:?}"
    );
    assert!(events.is_empty());
    // Shutting down again does nothing more.
    exporter.shutdown().unwrap();
}

#[test]
fn packing_crosses_scopes_and_every_event_stays_a_whole_request() {
    // Two meters (scopes) of 200 points each: events hold parts of one scope
    // or the end of one and the start of the next.
    let record = |meter: &Meter| {
        let counter = meter.u64_counter("orders").build();
        for i in 0..200 {
            let shop = format!("shop-{i:03}-{}", "z".repeat(30));
            counter.add(i + 1, &[KeyValue::new("shop", shop)]);
        }
    };
    let memory = InMemoryMetricExporterBuilder::new()
        .with_temporality(Temporality::Delta)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(memory.clone()).build())
        .build();
    record(&provider.meter("shop"));
    record(&provider.meter("billing"));
    provider.force_flush().unwrap();
    let metrics = memory.get_finished_metrics().unwrap().remove(0);
    provider.shutdown().unwrap();

    let exporter = UserEventsMetricExporter::builder()
        .with_packing(true)
        .build();
    let (result, events) = export(&exporter, &metrics);
    result.unwrap();
    let requests: Vec<_> = events.iter().map(|e| decode(e).2).collect();
    let mut per_scope = std::collections::BTreeMap::<String, usize>::new();
    for request in &requests {
        for scope in &request.resource_metrics[0].scope_metrics {
            let name = scope.scope.as_ref().unwrap().name.clone();
            let Some(Data::Sum(sum)) = &scope.metrics[0].data else {
                panic!("a counter is a sum");
            };
            *per_scope.entry(name).or_default() += sum.data_points.len();
        }
    }
    assert_eq!(
        per_scope.into_iter().collect::<Vec<_>>(),
        [("billing".to_owned(), 200), ("shop".to_owned(), 200)]
    );
    assert_eq!(sum_points(&requests).len(), 400);
    // Some event holds the end of one scope and the start of the other.
    assert!(
        requests
            .iter()
            .any(|r| r.resource_metrics[0].scope_metrics.len() == 2),
        "{} events",
        events.len()
    );
}

/// Every instrument kind, with attributes of every value type (arrays too),
/// negative and exponential values, recorded more than once.
fn every_kind_and_attribute_type(meter: &Meter) {
    use opentelemetry::{Array, StringValue, Value};
    let attributes = [
        KeyValue::new("shop", "north"),
        KeyValue::new("open", true),
        KeyValue::new("closed", false),
        KeyValue::new("tier", -2),
        KeyValue::new("zero", 0),
        KeyValue::new("ratio", 0.25),
        KeyValue::new("empty", ""),
        KeyValue::new("bools", Value::Array(Array::Bool(vec![true, false]))),
        KeyValue::new("ints", Value::Array(Array::I64(vec![-1, 0, 300]))),
        KeyValue::new("floats", Value::Array(Array::F64(vec![0.5, -0.0]))),
        KeyValue::new(
            "strings",
            Value::Array(Array::String(vec![
                StringValue::from("a"),
                StringValue::from(""),
            ])),
        ),
    ];
    let other = [KeyValue::new("shop", "south")];
    meter
        .u64_counter("u64_counter")
        .with_description("orders")
        .with_unit("{order}")
        .build()
        .add(3, &attributes);
    meter.f64_counter("f64_counter").build().add(0.0, &other);
    meter
        .i64_up_down_counter("i64_updown")
        .build()
        .add(-2, &attributes);
    meter
        .f64_up_down_counter("f64_updown")
        .build()
        .add(-2.5, &other);
    meter.u64_gauge("u64_gauge").build().record(0, &attributes);
    meter
        .i64_gauge("i64_gauge")
        .build()
        .record(i64::MIN, &other);
    meter
        .f64_gauge("f64_gauge")
        .build()
        .record(f64::MAX, &attributes);
    let histogram = meter.f64_histogram("f64_histogram").build();
    for v in [-3.0, 0.0, 12.5, 1e9] {
        histogram.record(v, &attributes);
    }
    meter
        .u64_histogram("u64_histogram")
        .build()
        .record(7, &other);
    let exponential = meter.f64_histogram("f64_exponential").build();
    for v in [-1e6, -0.001, 0.0, 1e-9, 2.0, 3.5, 1e12] {
        exponential.record(v, &attributes);
    }
    meter
        .u64_histogram("u64_exponential")
        .build()
        .record(4, &other);
}

/// Prost's encoding of what `opentelemetry-proto` converts `metrics` to, one
/// request a data point (in the SDK's order), as a reference.
fn reference_requests(metrics: &ResourceMetrics) -> Vec<Vec<u8>> {
    let whole = ExportMetricsServiceRequest::from(metrics);
    let mut requests = Vec::new();
    let resource = &whole.resource_metrics[0];
    for scope in &resource.scope_metrics {
        for metric in &scope.metrics {
            let points = match metric.data.as_ref().unwrap() {
                Data::Gauge(g) => g.data_points.len(),
                Data::Sum(s) => s.data_points.len(),
                Data::Histogram(h) => h.data_points.len(),
                Data::ExponentialHistogram(h) => h.data_points.len(),
                Data::Summary(s) => s.data_points.len(),
            };
            for i in 0..points {
                let mut one = metric.clone();
                match one.data.as_mut().unwrap() {
                    Data::Gauge(g) => g.data_points = vec![g.data_points[i].clone()],
                    Data::Sum(s) => s.data_points = vec![s.data_points[i].clone()],
                    Data::Histogram(h) => h.data_points = vec![h.data_points[i].clone()],
                    Data::ExponentialHistogram(h) => h.data_points = vec![h.data_points[i].clone()],
                    Data::Summary(s) => s.data_points = vec![s.data_points[i].clone()],
                }
                let mut scope = scope.clone();
                scope.metrics = vec![one];
                let mut resource = resource.clone();
                resource.scope_metrics = vec![scope];
                let request = ExportMetricsServiceRequest {
                    resource_metrics: vec![resource],
                };
                requests.push(request.encode_to_vec());
            }
        }
    }
    requests
}

#[test]
fn every_byte_is_prosts_encoding_of_opentelemetry_protos_conversion() {
    for temporality in [Temporality::Delta, Temporality::Cumulative] {
        let metrics = collect(temporality, every_kind_and_attribute_type);
        let reference = reference_requests(&metrics);
        assert_eq!(reference.len(), 11);

        let exporter = UserEventsMetricExporter::builder()
            .with_temporality(temporality)
            .build();
        let (result, events) = export(&exporter, &metrics);
        result.unwrap();
        let ours: Vec<Vec<u8>> = events.iter().map(|e| e.payload[16..].to_vec()).collect();
        assert_eq!(ours.len(), reference.len());
        for (i, (ours, reference)) in ours.iter().zip(&reference).enumerate() {
            assert_eq!(ours, reference, "{temporality:?}, point {i}");
        }

        // Packed, the whole collection fits in one event: the conversion's
        // whole request.
        let packed = UserEventsMetricExporter::builder()
            .with_temporality(temporality)
            .with_packing(true)
            .build();
        let (result, events) = export(&packed, &metrics);
        result.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].payload[16..],
            ExportMetricsServiceRequest::from(&metrics).encode_to_vec()[..],
            "{temporality:?}, packed"
        );
    }
}
