//! The parts of an ended span's PartB that come from more than one span field:
//! the semantic-convention attributes moved into PartB under Common Schema
//! names, and the links as JSON text. Both as the
//! `opentelemetry-user-events-trace` crate (0.6) writes them.

use std::fmt;

use opentelemetry::trace::Link;

/// The PartB name of a span attribute that Common Schema has a field for,
/// from its OpenTelemetry semantic-convention key. The attribute then leaves
/// PartC.
///
/// | attribute                    | PartB field            |
/// |------------------------------|------------------------|
/// | `db.system.name`             | `dbSystem`             |
/// | `db.namespace`               | `dbName`               |
/// | `db.query.text`              | `dbStatement`          |
/// | `http.request.method`        | `httpMethod`           |
/// | `url.full`                   | `httpUrl`              |
/// | `http.response.status_code`  | `httpStatusCode`       |
/// | `messaging.system`           | `messagingSystem`      |
/// | `messaging.destination.name` | `messagingDestination` |
/// | `messaging.url`              | `messagingUrl`         |
/// | `rpc.system.name`            | `rpcSystem`            |
/// | `rpc.response.status_code`   | `rpcGrpcStatusCode`    |
#[inline]
pub(crate) fn part_b_name(key: &str) -> Option<&'static str> {
    Some(match key {
        "db.system.name" => "dbSystem",
        "db.namespace" => "dbName",
        "db.query.text" => "dbStatement",
        "http.request.method" => "httpMethod",
        "url.full" => "httpUrl",
        HTTP_STATUS_CODE => "httpStatusCode",
        "messaging.system" => "messagingSystem",
        "messaging.destination.name" => "messagingDestination",
        "messaging.url" => "messagingUrl",
        "rpc.system.name" => "rpcSystem",
        "rpc.response.status_code" => "rpcGrpcStatusCode",
        _ => return None,
    })
}

/// The attribute whose presence keeps `statusMessage` out of PartB (Common
/// Schema: a span that reports `httpStatusCode` does not report `statusMessage`).
pub(crate) const HTTP_STATUS_CODE: &str = "http.response.status_code";

/// Bytes one link takes in [`LinksJson`]: `{"toTraceId":"<32 hex>","toSpanId":"<16 hex>"}`
/// and the comma before the next.
pub(crate) const LINK_JSON_LEN: usize = 79;

/// A span's links as PartB's `links` text:
/// `[{"toTraceId":"<hex>","toSpanId":"<hex>"},...]`, the first `.1` of them.
pub(crate) struct LinksJson<'a>(pub(crate) &'a [Link], pub(crate) usize);

impl fmt::Display for LinksJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, link) in self.0.iter().take(self.1).enumerate() {
            let sc = &link.span_context;
            let comma = if i > 0 { "," } else { "" };
            write!(
                f,
                r#"{comma}{{"toTraceId":"{}","toSpanId":"{}"}}"#,
                sc.trace_id(),
                sc.span_id()
            )?;
        }
        f.write_str("]")
    }
}

/// How many of `count` links fit in `room` bytes of [`LinksJson`] text.
pub(crate) fn links_that_fit(count: usize, room: usize) -> usize {
    count.min(room.saturating_sub(2) / LINK_JSON_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    fn link(trace: &str, span: &str) -> Link {
        let sc = SpanContext::new(
            TraceId::from_hex(trace).unwrap(),
            SpanId::from_hex(span).unwrap(),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        );
        Link::new(sc, vec![], 0)
    }

    #[test]
    fn links_are_json_objects_of_hex_ids_and_can_stop_early() {
        let links = [
            link("0af7651916cd43dd8448eb211c80319c", "00f067aa0ba902b7"),
            link("000000000000000000000000000000ff", "0000000000000001"),
        ];
        assert_eq!(
            LinksJson(&links, 2).to_string(),
            concat!(
                r#"[{"toTraceId":"0af7651916cd43dd8448eb211c80319c","toSpanId":"00f067aa0ba902b7"},"#,
                r#"{"toTraceId":"000000000000000000000000000000ff","toSpanId":"0000000000000001"}]"#
            )
        );
        assert_eq!(
            LinksJson(&links, 1).to_string(),
            r#"[{"toTraceId":"0af7651916cd43dd8448eb211c80319c","toSpanId":"00f067aa0ba902b7"}]"#
        );
        assert_eq!(LinksJson(&links, 0).to_string(), "[]");
        // One link and its comma: the constant the room is measured with.
        assert_eq!(
            LinksJson(&links, 2).to_string().len(),
            2 * LINK_JSON_LEN - 1 + 2
        );
        assert_eq!(links_that_fit(5, 2 + 2 * LINK_JSON_LEN), 2);
        assert_eq!(links_that_fit(1, 1000), 1);
        assert_eq!(links_that_fit(3, 1), 0);
    }

    #[test]
    fn the_eleven_semantic_convention_keys_and_nothing_else() {
        assert_eq!(part_b_name("db.system.name"), Some("dbSystem"));
        assert_eq!(part_b_name("url.full"), Some("httpUrl"));
        assert_eq!(part_b_name(HTTP_STATUS_CODE), Some("httpStatusCode"));
        assert_eq!(
            part_b_name("rpc.response.status_code"),
            Some("rpcGrpcStatusCode")
        );
        assert_eq!(part_b_name("http.method"), None); // the old key
        assert_eq!(part_b_name("service.name"), None);
        assert_eq!(part_b_name(""), None);
    }
}
