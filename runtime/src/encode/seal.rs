//! Encoding an event small first: in [`SmallStorage`], and again in
//! [`LargeStorage`] only when it does not fit whole.
//!
//! Most events take a few hundred bytes, but the writer must hold up to 8 KB of
//! copied values and hundreds of segments. Storage that large on every event's
//! stack frame is not free: the stack probes touch each of its pages, and under
//! virtualisation each page touched after a system call can cost a TLB refill
//! (measured: a third of the enabled path in the TCG VM). So an event is first
//! encoded into [`SmallStorage`], 2,768 bytes (on 64-bit targets; the large
//! storage takes 21,392); if anything did not fit (the event would be
//! truncated, dropped, or ran out of slots), it is encoded again, out of line,
//! with the large storage, which alone decides how the event is shortened. The
//! price of the retry (encoding twice, so a `%value` is formatted twice) is paid
//! only by events too large for the small storage.

use super::header::{Header, HeaderFields};
use super::writer::{EventWriter, Storage};

/// Storage for ordinary events: 1 KB of data and 256 bytes of metadata scratch,
/// 56 data and 24 metadata segments, 16 shortenable values.
pub(crate) type SmallStorage = Storage<1280, 81, 16>;

/// The most an event may use: 8 KB of data and 2 KB of metadata scratch, 320 data
/// and 136 metadata segments; every borrowed data value may be shortened.
pub(crate) type LargeStorage = Storage<10240, 457, 320>;

/// An event's content, which [`seal_event`] may encode twice.
pub(crate) trait Encode {
    /// Writes the event's metadata and data into `w`, and returns how many
    /// members (attributes, fields) did not fit and were left out.
    fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64;
}

/// An encoded event, ready to be written or captured.
pub(crate) struct Sealed<'w> {
    /// The segments (pass to [`EventWriter::into_iovecs`] or [`EventWriter::payload`]).
    pub writer: EventWriter<'w>,
    /// The header and whether values were shortened; `None` when the event is too large.
    pub header: Option<(Header, bool)>,
    /// How many members the encoding left out ([`Encode::encode`]).
    pub dropped: u64,
}

/// Encodes `event` with the header `fields` describe and gives the result to
/// `finish`: from [`SmallStorage`] when the event fits there whole, else from
/// [`LargeStorage`].
#[inline(always)]
pub(crate) fn seal_event<E: Encode + ?Sized, R>(
    event: &E,
    fields: &HeaderFields<'_>,
    limit: usize,
    finish: impl FnOnce(Sealed<'_>) -> R,
) -> R {
    // Built in place (not returned from a helper): the writer is large enough
    // that every move of it is a `memcpy` on the enabled path.
    let mut storage = SmallStorage::new();
    let mut writer = storage.writer();
    writer.set_limit(limit);
    let dropped = event.encode(&mut writer);
    match writer.seal(fields) {
        header @ Some((_, false)) => finish(Sealed {
            writer,
            header,
            dropped,
        }),
        _ => seal_large(event, fields, limit, finish),
    }
}

/// [`seal_event`] again in large storage, the event's values measured and
/// shortened to fit where they must be (see `EventWriter::is_retry`).
#[cold]
#[inline(never)]
fn seal_large<E: Encode + ?Sized, R>(
    event: &E,
    fields: &HeaderFields<'_>,
    limit: usize,
    finish: impl FnOnce(Sealed<'_>) -> R,
) -> R {
    let mut storage = LargeStorage::new();
    let mut writer = storage.writer();
    writer.set_limit(limit);
    writer.set_retry();
    let dropped = event.encode(&mut writer);
    let header = writer.seal(fields);
    finish(Sealed {
        writer,
        header,
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encoding::STRING;
    use crate::encode::writer::MAX_EVENT_SIZE;

    /// A made-up event: one metadata field per value.
    enum Value {
        Str(String),
        Formatted(String),
        Int(u64),
        Blob(Vec<u8>),
    }

    struct Values(Vec<(String, Value)>);

    impl Encode for Values {
        fn encode<'w>(&'w self, w: &mut EventWriter<'w>) -> u64 {
            w.meta.event_name("Test");
            for (name, value) in &self.0 {
                w.meta.field(name, STRING, 0);
                match value {
                    Value::Str(s) => w.data.str(s),
                    Value::Formatted(s) => w.data.display(format_args!("{s}{}", "")),
                    Value::Int(i) => w.data.value(&i.to_ne_bytes()),
                    Value::Blob(b) => w.data.bytes(b),
                }
            }
            self.0.len() as u64
        }
    }

    const FIELDS: HeaderFields<'static> = HeaderFields {
        level: 4,
        opcode: 0,
        activity: None,
    };

    /// What `seal_event` produced, and the data room left (which tells the storage used).
    fn sealed(values: &Values) -> (Option<(Vec<u8>, bool)>, usize) {
        seal_event(values, &FIELDS, MAX_EVENT_SIZE, |sealed| {
            let room = sealed.writer.data.room().bytes;
            let out = sealed
                .header
                .map(|(h, truncated)| (sealed.writer.payload(&h), truncated));
            (out, room)
        })
    }

    /// The same event encoded straight into the large storage.
    fn large_only(values: &Values) -> Option<(Vec<u8>, bool)> {
        let mut storage = LargeStorage::new();
        let mut writer = storage.writer();
        values.encode(&mut writer);
        let (header, truncated) = writer.seal(&FIELDS)?;
        Some((writer.payload(&header), truncated))
    }

    fn named(values: Vec<Value>) -> Values {
        Values(
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("f{i}"), v))
                .collect(),
        )
    }

    #[test]
    fn the_storages_take_the_stack_the_module_says() {
        #[cfg(target_pointer_width = "64")]
        {
            assert_eq!(std::mem::size_of::<SmallStorage>(), 2_768);
            assert_eq!(std::mem::size_of::<LargeStorage>(), 21_392);
        }
        // Under 3 KB whatever the target's pointer width (ARCHITECTURE.md).
        assert!(std::mem::size_of::<SmallStorage>() < 3 * 1024);
    }

    #[test]
    fn a_small_event_is_sealed_in_small_storage() {
        let values = named(vec![
            Value::Int(42),
            Value::Str("ada".into()),
            Value::Formatted("timed out".into()),
        ]);
        let (out, room) = sealed(&values);
        assert!(room < 1024, "data room {room}: not the small storage");
        assert_eq!(out, large_only(&values));
        assert_eq!(out.map(|(_, truncated)| truncated), Some(false));
    }

    #[test]
    fn events_too_big_for_small_storage_are_encoded_as_large_storage_would() {
        let long = |n: usize, c: char| c.to_string().repeat(n);
        let cases = [
            // More copied bytes than small scratch has.
            named(
                (0..40)
                    .map(|i| Value::Str(long(60, 'a') + &i.to_string()))
                    .collect(),
            ),
            // More borrowed values than small slots.
            named((0..40).map(|_| Value::Str(long(100, 'b'))).collect()),
            // A formatted value longer than small scratch.
            named(vec![Value::Formatted(long(3000, 'c')), Value::Int(7)]),
            // Needs shortening: 70 KB of borrowed strings (the large storage decides how).
            named(vec![
                Value::Str(long(40_000, 'd')),
                Value::Blob(vec![1; 30_000]),
            ]),
            // More than 16 values fitting may shorten, and too large.
            named((0..20).map(|_| Value::Blob(vec![2; 4000])).collect()),
            // Long field names fill small metadata.
            Values(
                (0..30)
                    .map(|i| (long(70, 'n') + &i.to_string(), Value::Int(i)))
                    .collect(),
            ),
        ];
        for (i, values) in cases.iter().enumerate() {
            let (out, room) = sealed(values);
            assert!(
                room >= 1024,
                "case {i}: data room {room}: not the large storage"
            );
            assert_eq!(out, large_only(values), "case {i}");
        }
    }

    #[test]
    fn too_large_in_large_storage_is_too_large() {
        let values = named((0..400).map(Value::Int).collect());
        assert_eq!(sealed(&values).0, None);
        assert_eq!(large_only(&values), None);
    }
}
