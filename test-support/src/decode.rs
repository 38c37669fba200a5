//! Decoding of EventHeader events with `tracepoint_decode`, the reference
//! decoder: `otel-user-events-listen`'s, shared with `ue-tail`.

pub use otel_user_events_listen::decode::{DecodeError, decode_json};
