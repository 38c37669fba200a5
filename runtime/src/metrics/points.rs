//! The SDK's metrics straight to OTLP protobuf: each data point (with its
//! attributes and exemplars), a metric's name, description and unit, and its
//! kind's fields, written as prost writes the `opentelemetry-proto` messages
//! that `opentelemetry-proto`'s conversion makes of them (fields in
//! field-number order, a oneof at its lowest number, proto3 defaults left
//! out), without making those messages: no allocation per point, and every
//! byte written once. `tests/metrics.rs` checks the bytes against prost's
//! encoding of that conversion, exemplars and every attribute type included.

use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry::{Array, KeyValue, Value};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::{
    AggregatedMetrics, Exemplar, ExponentialBucket, ExponentialHistogramDataPoint,
    HistogramDataPoint, Metric, MetricData,
};
use prost::encoding::{encode_varint, encoded_len_varint};

/// Wire types.
const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

/// Field numbers of a `Metric`'s data, by kind.
pub(super) const GAUGE: u32 = 5;
pub(super) const SUM: u32 = 7;
pub(super) const HISTOGRAM: u32 = 9;
pub(super) const EXPONENTIAL_HISTOGRAM: u32 = 10;

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    encode_varint(u64::from(field << 3 | wire), out);
}

fn key_len(field: u32) -> usize {
    encoded_len_varint(u64::from(field << 3))
}

/// A length-delimited field of `len` bytes.
fn framed(field: u32, len: usize) -> usize {
    key_len(field) + encoded_len_varint(len as u64) + len
}

fn frame(out: &mut Vec<u8>, field: u32, len: usize) {
    key(out, field, LEN);
    encode_varint(len as u64, out);
}

/// A `fixed64`/`sfixed64`/`double` field's bytes, always written.
fn fixed(out: &mut Vec<u8>, field: u32, bits: u64) {
    key(out, field, FIXED64);
    out.extend_from_slice(&bits.to_le_bytes());
}

/// A proto3 `fixed64` field: left out when 0.
fn fixed64(out: &mut Vec<u8>, field: u32, value: u64) {
    if value != 0 {
        fixed(out, field, value);
    }
}

/// A proto3 `double` field: left out when 0.
fn double(out: &mut Vec<u8>, field: u32, value: f64) {
    if value != 0.0 {
        fixed(out, field, value.to_bits());
    }
}

/// An `optional double` field: written when present.
fn optional_double(out: &mut Vec<u8>, field: u32, value: Option<f64>) {
    if let Some(value) = value {
        fixed(out, field, value.to_bits());
    }
}

/// A proto3 `string` field: left out when empty.
fn string(out: &mut Vec<u8>, field: u32, value: &str) {
    if !value.is_empty() {
        frame(out, field, value.len());
        out.extend_from_slice(value.as_bytes());
    }
}

fn string_len(field: u32, value: &str) -> usize {
    if value.is_empty() {
        0
    } else {
        framed(field, value.len())
    }
}

/// Nanoseconds since the Unix epoch (0 before it), as the conversion does.
pub(super) fn nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64
}

/// OTLP's number of a temporality: delta 1, cumulative 2 (and cumulative for
/// any other, as the conversion does).
fn temporality(temporality: Temporality) -> u64 {
    match temporality {
        Temporality::Delta => 1,
        _ => 2,
    }
}

/// A value as an `AnyValue` message's content.
fn any_value_len(value: &Value) -> usize {
    match value {
        Value::Bool(_) => BOOL_LEN,
        Value::I64(v) => int_len(*v),
        Value::F64(_) => DOUBLE_LEN,
        Value::String(s) => framed(1, s.as_str().len()),
        Value::Array(array) => framed(5, array_len(array)),
        _ => 0,
    }
}

/// The content of an `AnyValue` holding a bool, an int, a double.
const BOOL_LEN: usize = 2;
const DOUBLE_LEN: usize = 9;
fn int_len(v: i64) -> usize {
    1 + encoded_len_varint(v as u64)
}

fn put_bool(out: &mut Vec<u8>, v: bool) {
    key(out, 2, VARINT);
    out.push(u8::from(v));
}

fn put_int(out: &mut Vec<u8>, v: i64) {
    key(out, 3, VARINT);
    encode_varint(v as u64, out);
}

fn put_str(out: &mut Vec<u8>, v: &str) {
    frame(out, 1, v.len());
    out.extend_from_slice(v.as_bytes());
}

fn put_any_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Bool(v) => put_bool(out, *v),
        Value::I64(v) => put_int(out, *v),
        Value::F64(v) => fixed(out, 4, v.to_bits()),
        Value::String(s) => put_str(out, s.as_str()),
        Value::Array(array) => {
            frame(out, 5, array_len(array));
            put_array(out, array);
        }
        // A value kind this crate does not know yet: an empty `AnyValue`.
        _ => {}
    }
}

/// An `ArrayValue`'s content: each element an `AnyValue` in field 1.
fn array_len(array: &Array) -> usize {
    match array {
        Array::Bool(values) => values.len() * framed(1, BOOL_LEN),
        Array::I64(values) => values.iter().map(|v| framed(1, int_len(*v))).sum(),
        Array::F64(values) => values.len() * framed(1, DOUBLE_LEN),
        Array::String(values) => values
            .iter()
            .map(|v| framed(1, framed(1, v.as_str().len())))
            .sum(),
        _ => 0,
    }
}

fn put_array(out: &mut Vec<u8>, array: &Array) {
    match array {
        Array::Bool(values) => values.iter().for_each(|v| {
            frame(out, 1, BOOL_LEN);
            put_bool(out, *v);
        }),
        Array::I64(values) => values.iter().for_each(|v| {
            frame(out, 1, int_len(*v));
            put_int(out, *v);
        }),
        Array::F64(values) => values.iter().for_each(|v| {
            frame(out, 1, DOUBLE_LEN);
            fixed(out, 4, v.to_bits());
        }),
        Array::String(values) => values.iter().for_each(|v| {
            frame(out, 1, framed(1, v.as_str().len()));
            put_str(out, v.as_str());
        }),
        _ => {}
    }
}

/// A `KeyValue` message's content: the key, then the value (always present).
fn key_value_len(kv: &KeyValue) -> usize {
    string_len(1, kv.key.as_str()) + framed(2, any_value_len(&kv.value))
}

/// Attributes as `KeyValue` messages in field `field`.
fn attributes<'a>(out: &mut Vec<u8>, field: u32, attributes: impl Iterator<Item = &'a KeyValue>) {
    for kv in attributes {
        frame(out, field, key_value_len(kv));
        string(out, 1, kv.key.as_str());
        frame(out, 2, any_value_len(&kv.value));
        put_any_value(out, &kv.value);
    }
}

/// The value types of data points: how each is written in a number data
/// point, an exemplar, and a histogram's sum, min and max.
pub(super) trait Number: Copy {
    /// As the `value` oneof: `as_double` (field `double_field`) or `as_int`
    /// (`sfixed64`, field 6).
    fn put(self, out: &mut Vec<u8>, double_field: u32);
    fn as_f64(self) -> f64;
}

impl Number for f64 {
    fn put(self, out: &mut Vec<u8>, double_field: u32) {
        fixed(out, double_field, self.to_bits());
    }
    fn as_f64(self) -> f64 {
        self
    }
}

impl Number for i64 {
    fn put(self, out: &mut Vec<u8>, _double_field: u32) {
        fixed(out, 6, self as u64);
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Number for u64 {
    fn put(self, out: &mut Vec<u8>, _double_field: u32) {
        fixed(out, 6, self);
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// An `Exemplar` message's content: time (2), value (3 or 6), span id (4),
/// trace id (5), filtered attributes (7).
fn exemplar_len<T: Number>(exemplar: &Exemplar<T>) -> usize {
    let time = if nanos(exemplar.time()) != 0 { 9 } else { 0 };
    let attributes: usize = exemplar
        .filtered_attributes()
        .map(|kv| framed(7, key_value_len(kv)))
        .sum();
    time + 9 + framed(4, 8) + framed(5, 16) + attributes
}

fn exemplars<'a, T: Number + 'a>(
    out: &mut Vec<u8>,
    field: u32,
    exemplars: impl Iterator<Item = &'a Exemplar<T>>,
) {
    for exemplar in exemplars {
        frame(out, field, exemplar_len(exemplar));
        fixed64(out, 2, nanos(exemplar.time()));
        exemplar.value.put(out, 3);
        frame(out, 4, 8);
        out.extend_from_slice(exemplar.span_id());
        frame(out, 5, 16);
        out.extend_from_slice(exemplar.trace_id());
        attributes(out, 7, exemplar.filtered_attributes());
    }
}

/// A `NumberDataPoint` (of a gauge or a sum): start (2), time (3), value
/// (4 or 6), exemplars (5), attributes (7).
pub(super) fn number_point<'a, T: Number + 'a>(
    out: &mut Vec<u8>,
    (start, time): (u64, u64),
    value: T,
    point_exemplars: impl Iterator<Item = &'a Exemplar<T>>,
    point_attributes: impl Iterator<Item = &'a KeyValue>,
) {
    fixed64(out, 2, start);
    fixed64(out, 3, time);
    value.put(out, 4);
    exemplars(out, 5, point_exemplars);
    attributes(out, 7, point_attributes);
}

/// A packed repeated `fixed64`/`double` field of `len` values (left out
/// when empty).
fn packed_fixed(out: &mut Vec<u8>, field: u32, len: usize, values: impl Iterator<Item = u64>) {
    if len > 0 {
        frame(out, field, 8 * len);
        for bits in values {
            out.extend_from_slice(&bits.to_le_bytes());
        }
    }
}

/// A `HistogramDataPoint`: start (2), time (3), count (4), sum (5), bucket
/// counts (6), bounds (7), exemplars (8), attributes (9), min (11), max (12).
pub(super) fn histogram_point<T: Number>(
    out: &mut Vec<u8>,
    (start, time): (u64, u64),
    point: &HistogramDataPoint<T>,
) {
    fixed64(out, 2, start);
    fixed64(out, 3, time);
    fixed64(out, 4, point.count());
    fixed(out, 5, point.sum().as_f64().to_bits());
    packed_fixed(out, 6, point.bucket_counts().count(), point.bucket_counts());
    packed_fixed(
        out,
        7,
        point.bounds().count(),
        point.bounds().map(f64::to_bits),
    );
    exemplars(out, 8, point.exemplars());
    attributes(out, 9, point.attributes());
    optional_double(out, 11, point.min().map(Number::as_f64));
    optional_double(out, 12, point.max().map(Number::as_f64));
}

/// An `ExponentialHistogramDataPoint`: attributes (1), start (2), time (3),
/// count (4), sum (5), scale (6), zero count (7), positive (8) and negative
/// (9) buckets, exemplars (11), min (12), max (13), zero threshold (14).
pub(super) fn exponential_point<T: Number>(
    out: &mut Vec<u8>,
    (start, time): (u64, u64),
    point: &ExponentialHistogramDataPoint<T>,
) {
    attributes(out, 1, point.attributes());
    fixed64(out, 2, start);
    fixed64(out, 3, time);
    fixed64(out, 4, point.count() as u64);
    fixed(out, 5, point.sum().as_f64().to_bits());
    let scale = i32::from(point.scale());
    if scale != 0 {
        key(out, 6, VARINT);
        encode_varint(u64::from((scale << 1 ^ scale >> 31) as u32), out);
    }
    fixed64(out, 7, point.zero_count());
    buckets(out, 8, point.positive_bucket());
    buckets(out, 9, point.negative_bucket());
    exemplars(out, 11, point.exemplars());
    optional_double(out, 12, point.min().map(Number::as_f64));
    optional_double(out, 13, point.max().map(Number::as_f64));
    double(out, 14, point.zero_threshold());
}

/// A `Buckets` message (always present): offset (1, `sint32`), counts (2,
/// packed `uint64`).
fn buckets(out: &mut Vec<u8>, field: u32, bucket: &ExponentialBucket) {
    let offset = bucket.offset();
    let zigzag = u64::from((offset << 1 ^ offset >> 31) as u32);
    let offset_len = if offset != 0 {
        1 + encoded_len_varint(zigzag)
    } else {
        0
    };
    let counts_len: usize = bucket.counts().map(encoded_len_varint).sum();
    let counts_field = if counts_len > 0 {
        framed(2, counts_len)
    } else {
        0
    };
    frame(out, field, offset_len + counts_field);
    if offset != 0 {
        key(out, 1, VARINT);
        encode_varint(zigzag, out);
    }
    if counts_len > 0 {
        frame(out, 2, counts_len);
        for count in bucket.counts() {
            encode_varint(count, out);
        }
    }
}

/// A `Metric`'s fields before its data: name (1), description (2), unit (3).
pub(super) fn metric_head(out: &mut Vec<u8>, metric: &Metric) {
    string(out, 1, metric.name());
    string(out, 2, metric.description());
    string(out, 3, metric.unit());
}

/// A sum's fields after its data points: temporality (2), monotonic (3).
pub(super) fn sum_tail(out: &mut Vec<u8>, kind: Temporality, monotonic: bool) {
    histogram_tail(out, kind);
    if monotonic {
        key(out, 3, VARINT);
        out.push(1);
    }
}

/// A histogram's (or an exponential one's) fields after its data points:
/// temporality (2).
pub(super) fn histogram_tail(out: &mut Vec<u8>, kind: Temporality) {
    key(out, 2, VARINT);
    encode_varint(temporality(kind), out);
}

/// How many data points `metric` has.
pub(super) fn point_count(metric: &Metric) -> usize {
    fn count<T>(data: &MetricData<T>) -> usize {
        match data {
            MetricData::Gauge(g) => g.data_points().count(),
            MetricData::Sum(s) => s.data_points().count(),
            MetricData::Histogram(h) => h.data_points().count(),
            MetricData::ExponentialHistogram(h) => h.data_points().count(),
        }
    }
    match metric.data() {
        AggregatedMetrics::F64(data) => count(data),
        AggregatedMetrics::U64(data) => count(data),
        AggregatedMetrics::I64(data) => count(data),
    }
}
