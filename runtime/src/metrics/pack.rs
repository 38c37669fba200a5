//! Filling `ExportMetricsServiceRequest`s with data points, each request up
//! to a byte budget and a number of points, and handing each one, encoded,
//! to be written: one point a request writes what the
//! `opentelemetry-user-events-metrics` crate writes; more points a request
//! write fewer, larger events, each still a whole request any reader of that
//! crate's events reads.
//!
//! A request's size is known before it is encoded: protobuf frames each
//! nested message with its tag (one byte: every tag here is below 16) and its
//! length (a varint), so the packer keeps the length of each open level (the
//! resource's, the scope's, the metric's, its data's) and adds a point's
//! framed length to them. The tests check the prediction against the
//! encoding.

use std::borrow::Cow;

use opentelemetry::InstrumentationScope;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{self as proto, metric::Data};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::data::Metric;
use prost::Message;
use prost::encoding::encoded_len_varint;

use super::series::Series;

/// The bytes of a nested message of `len` bytes in a field whose tag is
/// below 16: one byte of tag, the length as a varint, the message.
fn framed(len: usize) -> usize {
    1 + encoded_len_varint(len as u64) + len
}

/// What became of an export's requests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Outcome {
    /// Requests handed to the writer.
    pub(super) events: usize,
    /// Of those, the ones the writer did not write.
    pub(super) failed: usize,
}

/// Builds requests of at most `max_points` data points and `budget` bytes
/// (a point too large alone goes alone: the writer counts it) and hands each
/// encoded request to `write`, which says whether it was written.
pub(super) struct Packer<W: FnMut(&[u8]) -> bool> {
    request: ExportMetricsServiceRequest,
    /// The current scope, without metrics: the first point of the scope in a
    /// request puts a copy of it there.
    scope: proto::ScopeMetrics,
    budget: usize,
    max_points: usize,
    /// Points in the request.
    points: usize,
    /// The resource metrics' length without scopes.
    resource_base: usize,
    /// The resource metrics' length without the open scope.
    resource_len: usize,
    /// The open scope's length without the open metric, when one is open.
    scope_len: Option<usize>,
    buffer: Vec<u8>,
    write: W,
    outcome: Outcome,
}

impl<W: FnMut(&[u8]) -> bool> Packer<W> {
    /// A packer of `resource`'s metrics.
    pub(super) fn new(resource: &Resource, budget: usize, max_points: usize, write: W) -> Self {
        let resource_metrics = proto::ResourceMetrics {
            resource: Some(resource.into()),
            scope_metrics: Vec::new(),
            schema_url: resource.schema_url().map(Into::into).unwrap_or_default(),
        };
        let resource_len = resource_metrics.encoded_len();
        Packer {
            request: ExportMetricsServiceRequest {
                resource_metrics: vec![resource_metrics],
            },
            scope: proto::ScopeMetrics::default(),
            budget,
            max_points: max_points.max(1),
            points: 0,
            resource_base: resource_len,
            resource_len,
            scope_len: None,
            buffer: Vec::new(),
            write,
            outcome: Outcome::default(),
        }
    }

    /// The metrics that follow are `scope`'s.
    pub(super) fn start_scope(&mut self, scope: &InstrumentationScope) {
        self.close_scope();
        self.scope = proto::ScopeMetrics {
            scope: Some((scope, None::<Cow<'static, str>>).into()),
            metrics: Vec::new(),
            schema_url: scope
                .schema_url()
                .map(ToOwned::to_owned)
                .unwrap_or_default(),
        };
    }

    /// Adds every data point of `metric` (of the current scope).
    pub(super) fn add_metric(&mut self, metric: &Metric) {
        let mut envelope = proto::Metric::from(metric);
        match envelope.data.take() {
            Some(Data::Gauge(series)) => self.add_series(&envelope, series),
            Some(Data::Sum(series)) => self.add_series(&envelope, series),
            Some(Data::Histogram(series)) => self.add_series(&envelope, series),
            Some(Data::ExponentialHistogram(series)) => self.add_series(&envelope, series),
            Some(Data::Summary(series)) => self.add_series(&envelope, series),
            None => {}
        }
    }

    /// Writes the last request and says what became of all of them.
    pub(super) fn finish(mut self) -> Outcome {
        self.flush();
        self.outcome
    }

    /// Adds the points of `series`, a metric of `envelope` (which has no data).
    fn add_series<S: Series>(&mut self, envelope: &proto::Metric, mut series: S) {
        let points = std::mem::take(series.points());
        // The metric's length without its data, and its data's without points.
        let metric_base = envelope.encoded_len();
        let data_base = series.encoded_len();
        let mut data_len = data_base;
        for point in points {
            let point_len = framed(point.encoded_len());
            if self.points > 0
                && (self.points >= self.max_points
                    || self.total(metric_base, data_len + point_len) > self.budget)
            {
                self.close_metric(envelope, &mut series);
                self.flush();
                data_len = data_base;
            }
            if self.scope_len.is_none() {
                self.open_scope();
            }
            series.points().push(point);
            data_len += point_len;
            self.points += 1;
        }
        self.close_metric(envelope, &mut series);
    }

    /// The request's length with the open metric's data at `data_len`.
    fn total(&self, metric_base: usize, data_len: usize) -> usize {
        let metric_len = framed(metric_base + framed(data_len));
        let scope_len = framed(self.scope_len.unwrap_or(self.scope.encoded_len()) + metric_len);
        framed(self.resource_len + scope_len)
    }

    /// Puts a copy of the current scope (no metrics yet) in the request.
    fn open_scope(&mut self) {
        self.scope_len = Some(self.scope.encoded_len());
        if let Some(resource) = self.request.resource_metrics.first_mut() {
            resource.scope_metrics.push(self.scope.clone());
        }
    }

    /// Moves the points gathered in `series` into the request as a metric of
    /// `envelope`, leaving `series` without points.
    fn close_metric<S: Series>(&mut self, envelope: &proto::Metric, series: &mut S) {
        let points = std::mem::take(series.points());
        if points.is_empty() {
            return;
        }
        let mut data = series.clone();
        *data.points() = points;
        let metric = proto::Metric {
            data: Some(data.into_data()),
            ..envelope.clone()
        };
        if let Some(scope_len) = &mut self.scope_len {
            *scope_len += framed(metric.encoded_len());
        }
        if let Some(scope) = self
            .request
            .resource_metrics
            .first_mut()
            .and_then(|r| r.scope_metrics.last_mut())
        {
            scope.metrics.push(metric);
        }
    }

    /// Counts the open scope in the resource's length.
    fn close_scope(&mut self) {
        if let Some(scope_len) = self.scope_len.take() {
            self.resource_len += framed(scope_len);
        }
    }

    /// Encodes and writes the request if it has points, and empties it.
    fn flush(&mut self) {
        if self.points == 0 {
            return;
        }
        self.close_scope();
        self.buffer.clear();
        // Encoding into a `Vec` cannot fail: it grows as needed.
        let _ = self.request.encode(&mut self.buffer);
        debug_assert_eq!(
            self.buffer.len(),
            framed(self.resource_len),
            "the packer's size model"
        );
        self.outcome.events += 1;
        if !(self.write)(&self.buffer) {
            self.outcome.failed += 1;
        }
        if let Some(resource) = self.request.resource_metrics.first_mut() {
            resource.scope_metrics.clear();
        }
        self.resource_len = self.resource_base;
        self.points = 0;
    }
}
