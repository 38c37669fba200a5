//! The `otlp_metrics` tracepoint: one for the whole host, not EventHeader
//! (no provider, level or keyword in its name), registered with a field list
//! of its own. Every writer of OpenTelemetry metrics to user_events (the
//! `opentelemetry-user-events-metrics` crate, the .NET exporter) registers
//! the same name and fields and writes the same layout, so one reader reads
//! them all.

/// The tracepoint's name.
pub const OTLP_METRICS_TRACEPOINT: &str = "otlp_metrics";

/// The tracepoint's field list, as registered: the protocol (0: protobuf),
/// the protocol's version, and the buffer (the encoded
/// `ExportMetricsServiceRequest`) as a relative location: a `u32` holding the
/// buffer's length in its high 16 bits and its offset after the field (0) in
/// the low ones, followed by the buffer.
pub const OTLP_METRICS_FIELDS: &str = "u32 protocol;char[8] version;__rel_loc u8[] buffer";

/// `protocol`: protobuf.
const PROTOCOL_PROTOBUF: u32 = 0;

/// `version`: the OTLP protobuf version the peers write.
const VERSION: &[u8; 8] = b"v0.19.00";

/// The bytes of an event before its buffer.
pub(super) const PREFIX_LEN: usize = 4 + 8 + 4;

/// The event's fields before the buffer, for a buffer of `len` bytes (at most
/// `u16::MAX`; the caller keeps to the limit, which is smaller).
pub(super) struct Prefix {
    protocol: [u8; 4],
    rel_loc: [u8; 4],
}

impl Prefix {
    pub(super) fn new(len: usize) -> Prefix {
        let len = u32::try_from(len.min(usize::from(u16::MAX))).unwrap_or(0);
        Prefix {
            protocol: PROTOCOL_PROTOBUF.to_ne_bytes(),
            rel_loc: (len << 16).to_ne_bytes(),
        }
    }

    /// The event: protocol, version, relative location, buffer.
    pub(super) fn parts<'a>(&'a self, buffer: &'a [u8]) -> [&'a [u8]; 4] {
        [&self.protocol, VERSION, &self.rel_loc, buffer]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_protocol_version_rel_loc_then_buffer() {
        let buffer = [7u8; 300];
        let prefix = Prefix::new(buffer.len());
        let event = prefix.parts(&buffer).concat();
        assert_eq!(event.len(), PREFIX_LEN + 300);
        assert_eq!(&event[..4], &0u32.to_ne_bytes());
        assert_eq!(&event[4..12], b"v0.19.00");
        // Length 300 in the high half, offset 0 (right after the field) in the low.
        assert_eq!(
            u32::from_ne_bytes(event[12..16].try_into().unwrap()),
            300 << 16
        );
        assert_eq!(&event[16..], &buffer[..]);
    }
}
