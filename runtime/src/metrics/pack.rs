//! Filling `ExportMetricsServiceRequest`s with data points, each request up
//! to a byte budget and a number of points, and handing each one, encoded,
//! to be written: one point a request writes what the
//! `opentelemetry-user-events-metrics` crate writes; more points a request
//! write fewer, larger events, each still a whole request any reader of that
//! crate's events reads.
//!
//! Everything is encoded once: the resource's fields once an export, a
//! scope's and a metric's once each, every data point once (straight from
//! the SDK's data, see `points`). A request is
//! then assembled from those bytes: protobuf frames each nested message with
//! its field key (one byte: every field number here is below 16) and its
//! length (a varint), and the packer knows every length before it writes, so
//! it also knows, before adding a point, whether the request would still fit.
//! The fields come in field-number order, as prost writes them: the bytes are
//! prost's.

use std::borrow::Cow;
use std::ops::Range;

use opentelemetry::InstrumentationScope;
use opentelemetry_proto::tonic::metrics::v1 as proto;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData};
use prost::Message;
use prost::encoding::{encode_varint, encoded_len_varint};

use super::points::{self, Number, nanos};

/// Field numbers of the nested messages: `ExportMetricsServiceRequest.
/// resource_metrics`, `ResourceMetrics.scope_metrics`,
/// `ScopeMetrics.metrics`, and the data points of every metric kind.
const RESOURCE_METRICS: u32 = 1;
const SCOPE_METRICS: u32 = 2;
const METRICS: u32 = 2;
const DATA_POINTS: u32 = 1;

/// The bytes of a nested message of `len` bytes in a field whose number is
/// below 16: one byte of key, the length as a varint, the message.
fn framed(len: usize) -> usize {
    1 + encoded_len_varint(len as u64) + len
}

/// Writes the key and length of a nested message (field `field`, below 16).
fn frame(out: &mut Vec<u8>, field: u32, len: usize) {
    // Wire type 2: length-delimited.
    out.push((field << 3 | 2) as u8);
    encode_varint(len as u64, out);
}

/// What became of an export's requests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Outcome {
    /// Requests handed to the writer.
    pub(super) events: usize,
    /// Of those, the ones the writer did not write.
    pub(super) failed: usize,
}

/// A message's fields before and after its nested messages, encoded (ranges
/// in the packer's `encoded`).
#[derive(Clone)]
struct Envelope {
    head: Range<usize>,
    tail: Range<usize>,
}

impl Envelope {
    fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }
}

/// A metric in the request: its envelope, its kind's field number and the
/// kind's fields after the data points, and its first point.
struct MetricPart {
    envelope: Envelope,
    kind_field: u32,
    kind_tail: Range<usize>,
    first_point: usize,
    /// Its length and its data's, set when it is closed.
    len: usize,
    data_len: usize,
}

/// The metric whose points are being added.
struct OpenMetric {
    envelope: Envelope,
    kind_field: u32,
    kind_tail: Range<usize>,
    /// Its data's length in the request so far.
    data_len: usize,
    /// Whether the request has its points.
    in_request: bool,
}

/// A scope in the request: its envelope and its first metric.
struct ScopePart {
    envelope: Envelope,
    first_metric: usize,
    /// Its length, set when it is closed.
    len: usize,
}

/// Builds requests of at most `max_points` data points and `budget` bytes
/// (a point too large alone goes alone: the writer counts it) and hands each
/// encoded request to `write`, which says whether it was written.
pub(super) struct Packer<W: FnMut(&[u8]) -> bool> {
    /// Envelopes and data points, encoded once.
    encoded: Vec<u8>,
    resource: Envelope,
    /// The current scope's envelope, once it is encoded.
    scope: Envelope,
    /// The request: its scopes, metrics and points, in order.
    scopes: Vec<ScopePart>,
    metrics: Vec<MetricPart>,
    points: Vec<Range<usize>>,
    /// Whether the current scope is in the request.
    scope_open: bool,
    /// The request's resource metrics' length without the open scope.
    resource_len: usize,
    /// The open scope's length without the open metric.
    scope_len: usize,
    budget: usize,
    max_points: usize,
    /// The encoded request.
    buffer: Vec<u8>,
    write: W,
    outcome: Outcome,
}

impl<W: FnMut(&[u8]) -> bool> Packer<W> {
    /// A packer of `resource`'s metrics.
    pub(super) fn new(resource: &Resource, budget: usize, max_points: usize, write: W) -> Self {
        let mut encoded = Vec::new();
        let message = proto::ResourceMetrics {
            resource: Some(resource.into()),
            scope_metrics: Vec::new(),
            schema_url: resource.schema_url().map(Into::into).unwrap_or_default(),
        };
        let head_len = message
            .resource
            .as_ref()
            .map_or(0, |r| framed(r.encoded_len()));
        let resource = envelope(&mut encoded, &message, head_len);
        Packer {
            resource_len: resource.len(),
            encoded,
            resource,
            scope: Envelope {
                head: 0..0,
                tail: 0..0,
            },
            scopes: Vec::new(),
            metrics: Vec::new(),
            points: Vec::new(),
            scope_open: false,
            scope_len: 0,
            budget,
            max_points: max_points.max(1),
            buffer: Vec::new(),
            write,
            outcome: Outcome::default(),
        }
    }

    /// The metrics that follow are `scope`'s.
    pub(super) fn start_scope(&mut self, scope: &InstrumentationScope) {
        self.close_scope();
        let message = proto::ScopeMetrics {
            scope: Some((scope, None::<Cow<'static, str>>).into()),
            metrics: Vec::new(),
            schema_url: scope
                .schema_url()
                .map(ToOwned::to_owned)
                .unwrap_or_default(),
        };
        let head_len = message
            .scope
            .as_ref()
            .map_or(0, |s| framed(s.encoded_len()));
        self.scope = envelope(&mut self.encoded, &message, head_len);
    }

    /// Adds every data point of `metric` (of the current scope).
    pub(super) fn add_metric(&mut self, metric: &Metric) {
        match metric.data() {
            AggregatedMetrics::F64(data) => self.add_data(metric, data),
            AggregatedMetrics::U64(data) => self.add_data(metric, data),
            AggregatedMetrics::I64(data) => self.add_data(metric, data),
        }
    }

    /// Writes the last request and says what became of all of them.
    pub(super) fn finish(mut self) -> Outcome {
        self.flush();
        self.outcome
    }

    /// Adds the points of `data`, `metric`'s.
    fn add_data<T: Number>(&mut self, metric: &Metric, data: &MetricData<T>) {
        let start = self.encoded.len();
        points::metric_head(&mut self.encoded, metric);
        let end = self.encoded.len();
        // A metric's metadata (after its data) is never set by the SDK.
        let envelope = Envelope {
            head: start..end,
            tail: end..end,
        };
        match data {
            MetricData::Gauge(gauge) => {
                let times = (
                    gauge.start_time().map(nanos).unwrap_or_default(),
                    nanos(gauge.time()),
                );
                self.add_points(
                    envelope,
                    points::GAUGE,
                    |_| {},
                    gauge.data_points(),
                    |out, p| {
                        points::number_point(out, times, p.value(), p.exemplars(), p.attributes())
                    },
                );
            }
            MetricData::Sum(sum) => {
                let times = (nanos(sum.start_time()), nanos(sum.time()));
                let tail = |out: &mut Vec<u8>| {
                    points::sum_tail(out, sum.temporality(), sum.is_monotonic())
                };
                self.add_points(envelope, points::SUM, tail, sum.data_points(), |out, p| {
                    points::number_point(out, times, p.value(), p.exemplars(), p.attributes())
                });
            }
            MetricData::Histogram(histogram) => {
                let times = (nanos(histogram.start_time()), nanos(histogram.time()));
                let tail = |out: &mut Vec<u8>| points::histogram_tail(out, histogram.temporality());
                let all = histogram.data_points();
                self.add_points(envelope, points::HISTOGRAM, tail, all, |out, p| {
                    points::histogram_point(out, times, p)
                });
            }
            MetricData::ExponentialHistogram(histogram) => {
                let times = (nanos(histogram.start_time()), nanos(histogram.time()));
                let tail = |out: &mut Vec<u8>| points::histogram_tail(out, histogram.temporality());
                let all = histogram.data_points();
                self.add_points(
                    envelope,
                    points::EXPONENTIAL_HISTOGRAM,
                    tail,
                    all,
                    |out, p| points::exponential_point(out, times, p),
                );
            }
        }
    }

    /// Adds `all`, the points of a metric of `envelope` whose data is field
    /// `kind_field`, each written by `encode`; `tail` writes the kind's
    /// fields after the points.
    fn add_points<P>(
        &mut self,
        envelope: Envelope,
        kind_field: u32,
        tail: impl FnOnce(&mut Vec<u8>),
        all: impl Iterator<Item = P>,
        mut encode: impl FnMut(&mut Vec<u8>, P),
    ) {
        let mut open = self.open_metric(envelope, kind_field, tail);
        for point in all {
            let start = self.encoded.len();
            encode(&mut self.encoded, point);
            self.push_point(&mut open, start);
        }
        self.close_metric(&open);
    }

    /// A metric of `envelope` whose data is field `kind_field`, the kind's
    /// fields after its points written by `tail`; no point in the request yet.
    fn open_metric(
        &mut self,
        envelope: Envelope,
        kind_field: u32,
        tail: impl FnOnce(&mut Vec<u8>),
    ) -> OpenMetric {
        let start = self.encoded.len();
        tail(&mut self.encoded);
        let kind_tail = start..self.encoded.len();
        OpenMetric {
            data_len: kind_tail.len(),
            envelope,
            kind_field,
            kind_tail,
            in_request: false,
        }
    }

    /// Adds the point encoded from `start` to the end of `encoded`, a point
    /// of `open`: first writes the request if the point would not fit in it.
    fn push_point(&mut self, open: &mut OpenMetric, start: usize) {
        let point = start..self.encoded.len();
        let point_len = framed(point.len());
        let count = self.points.len();
        if count > 0
            && (count >= self.max_points
                || self.total(open.envelope.len(), open.data_len + point_len) > self.budget)
        {
            self.close_metric(open);
            self.flush();
            open.data_len = open.kind_tail.len();
            open.in_request = false;
        }
        if !self.scope_open {
            self.open_scope();
        }
        if !open.in_request {
            self.metrics.push(MetricPart {
                envelope: open.envelope.clone(),
                kind_field: open.kind_field,
                kind_tail: open.kind_tail.clone(),
                first_point: self.points.len(),
                len: 0,
                data_len: 0,
            });
            open.in_request = true;
        }
        self.points.push(point);
        open.data_len += point_len;
    }

    /// The request's length with the open metric's data at `data_len`.
    fn total(&self, metric_base: usize, data_len: usize) -> usize {
        let metric_len = framed(metric_base + framed(data_len));
        let scope_len = if self.scope_open {
            self.scope_len
        } else {
            self.scope.len()
        };
        framed(self.resource_len + framed(scope_len + metric_len))
    }

    /// Puts the current scope in the request.
    fn open_scope(&mut self) {
        self.scopes.push(ScopePart {
            envelope: self.scope.clone(),
            first_metric: self.metrics.len(),
            len: 0,
        });
        self.scope_len = self.scope.len();
        self.scope_open = true;
    }

    /// Closes `open` (if it is in the request): its lengths are final, and
    /// count in its scope's.
    fn close_metric(&mut self, open: &OpenMetric) {
        if let (true, Some(metric)) = (open.in_request, self.metrics.last_mut()) {
            metric.data_len = open.data_len;
            metric.len = open.envelope.len() + framed(open.data_len);
            self.scope_len += framed(metric.len);
        }
    }

    /// Closes the open scope: its length is final, and counts in the
    /// resource's.
    fn close_scope(&mut self) {
        if let (true, Some(scope)) = (self.scope_open, self.scopes.last_mut()) {
            scope.len = self.scope_len;
            self.resource_len += framed(self.scope_len);
        }
        self.scope_open = false;
    }

    /// Assembles and writes the request if it has points, and empties it.
    fn flush(&mut self) {
        if self.points.is_empty() {
            return;
        }
        self.close_scope();
        let Packer {
            encoded,
            resource,
            scopes,
            metrics,
            points,
            buffer,
            ..
        } = self;
        let bytes = |range: &Range<usize>| &encoded[range.clone()];
        buffer.clear();
        frame(buffer, RESOURCE_METRICS, self.resource_len);
        buffer.extend_from_slice(bytes(&resource.head));
        for (s, scope) in scopes.iter().enumerate() {
            frame(buffer, SCOPE_METRICS, scope.len);
            buffer.extend_from_slice(bytes(&scope.envelope.head));
            let last_metric = scopes.get(s + 1).map_or(metrics.len(), |n| n.first_metric);
            for m in scope.first_metric..last_metric {
                let metric = &metrics[m];
                frame(buffer, METRICS, metric.len);
                buffer.extend_from_slice(bytes(&metric.envelope.head));
                frame(buffer, metric.kind_field, metric.data_len);
                let last_point = metrics.get(m + 1).map_or(points.len(), |n| n.first_point);
                for point in &points[metric.first_point..last_point] {
                    frame(buffer, DATA_POINTS, point.len());
                    buffer.extend_from_slice(bytes(point));
                }
                buffer.extend_from_slice(bytes(&metric.kind_tail));
                buffer.extend_from_slice(bytes(&metric.envelope.tail));
            }
            buffer.extend_from_slice(bytes(&scope.envelope.tail));
        }
        buffer.extend_from_slice(bytes(&resource.tail));
        debug_assert_eq!(
            buffer.len(),
            framed(self.resource_len),
            "the packer's size model"
        );
        self.outcome.events += 1;
        if !(self.write)(&self.buffer) {
            self.outcome.failed += 1;
        }
        self.scopes.clear();
        self.metrics.clear();
        self.points.clear();
        self.resource_len = self.resource.len();
    }
}

/// Encodes `message` (its nested messages left out) into `encoded`: the
/// first `head_len` bytes are the fields before them, the rest after.
fn envelope(encoded: &mut Vec<u8>, message: &impl Message, head_len: usize) -> Envelope {
    let start = encoded.len();
    message.encode_raw(encoded);
    let split = (start + head_len).min(encoded.len());
    Envelope {
        head: start..split,
        tail: split..encoded.len(),
    }
}
