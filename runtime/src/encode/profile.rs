//! [`EncodingProfile`]: whether events use every EventHeader type or only scalars.

/// How an output writes values that are not plain scalars, chosen on the
/// provider ([`ProviderBuilder::with_encoding_profile`], for `ue_log!` and
/// `#[otel_event]`), on each processor
/// ([`UserEventsProcessorBuilder::with_encoding_profile`],
/// [`UserEventsSpanProcessorBuilder::with_encoding_profile`]) and on the
/// `tracing` layer (`UserEventsLayerBuilder::with_encoding_profile`, feature
/// `tracing`).
///
/// [`Full`](Self::Full), the default, uses EventHeader's own types: arrays,
/// binary blobs shown as hex, IP addresses, 64-bit unsigned integers, and the
/// activity id, related id and opcode in the header only. Some consumers decode
/// only scalars (strings, integers, floats, booleans): a collector agent that
/// turns events into OTLP attributes, for example, may repeat an array's key
/// per element, drop blobs and IP addresses, and clamp unsigned values to
/// `i64::MAX`. [`Scalars`](Self::Scalars) writes the same information with
/// scalar types only.
///
/// | value                                 | `Full`                      | `Scalars`                                 |
/// |---------------------------------------|-----------------------------|-------------------------------------------|
/// | array / `Vec` / slice of scalars or strings | EventHeader array      | JSON text (`StringJson` format): `[1,2,3]`, `["a","b"]` |
/// | bytes (`&[u8]`, `Vec<u8>`), OpenTelemetry `Bytes` | binary, hex format | lowercase hex text: `"0aff"`          |
/// | `IpAddr`, `Ipv4Addr`, `Ipv6Addr`      | binary, IP address format   | text: `"192.0.2.1"`, `"2001:db8::1"`      |
/// | unsigned value above `i64::MAX` (`u64`, `usize`, `Duration` nanoseconds) | `u64` | decimal text: `"18446744073709551615"` |
/// | unsigned value up to `i64::MAX`       | `u64`                       | the same `u64`                            |
/// | `Option<T>`                           | array of 0 or 1 elements    | `None`: left out; `Some(x)`: `x`          |
/// | `f32`                                 | `f32`                       | the `f64` of its shortest digits (`0.1f32` is `0.1`, not `0.10000000149011612`) |
/// | activity id, related activity id      | header extension            | also PartB `activityId`, `relatedActivityId`: GUID text, as decoders show the header's |
/// | opcode (1 activity start, 2 stop)     | header                      | also PartB `opcode`, an integer, when not 0 |
///
/// Everything else (integers, floats, booleans, strings, times, `%`/`?`
/// fields, the Common Schema members) is written the same in both profiles.
/// Nothing is lost: every value of the full profile can be read back from its
/// scalar form. The scalar profile costs more per event (the macros' field
/// metadata is then laid out per event instead of copied from a constant).
///
/// ```
/// use otel_user_events_runtime::{output::EncodingProfile, Provider};
///
/// let provider = Provider::builder("MyService")
///     .with_encoding_profile(EncodingProfile::Scalars)
///     .build()
///     .unwrap();
/// provider.shutdown();
/// assert_eq!(EncodingProfile::default(), EncodingProfile::Full);
/// ```
///
/// [`ProviderBuilder::with_encoding_profile`]: crate::provider::ProviderBuilder::with_encoding_profile
/// [`UserEventsProcessorBuilder::with_encoding_profile`]: crate::logs::UserEventsProcessorBuilder::with_encoding_profile
/// [`UserEventsSpanProcessorBuilder::with_encoding_profile`]: crate::trace::UserEventsSpanProcessorBuilder::with_encoding_profile
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EncodingProfile {
    /// EventHeader's own types (arrays, binary, IP addresses, `u64`).
    #[default]
    Full,
    /// Only strings, integers, floats and booleans; see the table above.
    Scalars,
}
