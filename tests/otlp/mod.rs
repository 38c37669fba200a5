//! What the metric exporter's tests share: the SDK's collected metrics, a
//! future run to completion, and an `otlp_metrics` event's fields.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::{
    Aggregation, InMemoryMetricExporterBuilder, Instrument, PeriodicReader, SdkMeterProvider,
    Stream, Temporality,
};

/// Runs a future that completes without waiting (an export writes at once).
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the export waited"),
    }
}

/// What the SDK hands an exporter after `record` ran with the meter `shop`,
/// with `temporality`. Histograms named `*exponential*` aggregate as
/// base-2 exponential histograms.
pub fn collect(temporality: Temporality, record: impl FnOnce(&Meter)) -> ResourceMetrics {
    let memory = InMemoryMetricExporterBuilder::new()
        .with_temporality(temporality)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_attribute(KeyValue::new("service.name", "checkout"))
                .build(),
        )
        .with_view(|instrument: &Instrument| {
            instrument.name().contains("exponential").then(|| {
                Stream::builder()
                    .with_aggregation(Aggregation::Base2ExponentialHistogram {
                        max_size: 160,
                        max_scale: 20,
                        record_min_max: true,
                    })
                    .build()
                    .unwrap()
            })
        })
        .with_reader(PeriodicReader::builder(memory.clone()).build())
        .build();
    record(&provider.meter("shop"));
    provider.force_flush().unwrap();
    let mut collected = memory.get_finished_metrics().unwrap();
    provider.shutdown().unwrap();
    collected.remove(0)
}

/// An `otlp_metrics` event's protocol, version and buffer (the relative
/// location's length of bytes after it: a perf sample may pad the event).
pub fn fields(event: &[u8]) -> (u32, [u8; 8], &[u8]) {
    let protocol = u32::from_ne_bytes(event[0..4].try_into().unwrap());
    let version: [u8; 8] = event[4..12].try_into().unwrap();
    let rel_loc = u32::from_ne_bytes(event[12..16].try_into().unwrap());
    assert_eq!(rel_loc & 0xffff, 0, "the buffer follows its field");
    let len = (rel_loc >> 16) as usize;
    (protocol, version, &event[16..16 + len])
}
