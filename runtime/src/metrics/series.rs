//! A metric's data points, for each OTLP metric kind alike: the kind's
//! message (a `Sum` with its temporality and monotonicity, a `Gauge`, ...)
//! holds them in `data_points`, which the packer fills and empties.

use opentelemetry_proto::tonic::metrics::v1::{
    ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint,
    NumberDataPoint, Sum, Summary, SummaryDataPoint, metric::Data,
};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData};

/// One OTLP metric kind's message.
pub(super) trait Series: prost::Message + Clone + Sized {
    /// Its data point message.
    type Point: prost::Message;

    /// Its data points.
    fn points(&mut self) -> &mut Vec<Self::Point>;

    /// As a `Metric`'s `data`.
    fn into_data(self) -> Data;
}

macro_rules! series {
    ($($kind:ident => $point:ident),*) => {$(
        impl Series for $kind {
            type Point = $point;

            fn points(&mut self) -> &mut Vec<$point> {
                &mut self.data_points
            }

            fn into_data(self) -> Data {
                Data::$kind(self)
            }
        }
    )*};
}

series!(
    Gauge => NumberDataPoint,
    Sum => NumberDataPoint,
    Histogram => HistogramDataPoint,
    ExponentialHistogram => ExponentialHistogramDataPoint,
    Summary => SummaryDataPoint
);

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
