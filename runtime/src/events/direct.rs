//! The enabled path of a call site whose values the generated writer stores
//! ([`crate::encode::direct`]): the event laid out in one [`Frame`] and
//! written with one `writev`. Everything it does not take (a test capture,
//! the OpenTelemetry fallback, the scalar profile, an event its limit would
//! shorten) goes the general way, [`dispatch`].

use super::callsite::{Callsite, EventInfo};
use super::dispatch::dispatch;
use super::event::Event;
use crate::activity::{self, OtelSpan};
use crate::encode::direct::{Body, Frame, FrameWriter, Head, Values};
use crate::encode::header::{ActivityIds, HeaderFields};
use crate::encode::layout::TYPE_NAME_DATA;
use crate::encode::profile::EncodingProfile;
use crate::encode::time::{self, MAX_LEN};
use crate::encode::writer::IoVec;
use crate::output::enable;
use crate::provider::ProviderState;

/// What a call site's event is besides its values.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct EventMeta<'a> {
    /// PartC's and PartB's metadata (see [`Event::meta_tail`]).
    pub meta_tail: &'static [u8],
    /// How much of `meta_tail` is PartC's.
    pub part_c_len: usize,
    /// EventHeader opcode.
    pub opcode: u8,
    /// The activity ids the call site gives, if any.
    pub activity: Option<ActivityIds<'a>>,
}

/// Writes an event of `site` whose field values are `values` and whose body
/// is `body` (`()` or a 1-tuple) to every output that wants it: the kernel
/// straight from a `Frame` when that is all that wants it, else as
/// [`dispatch`] does. Called only after `site.is_enabled()` said yes; out of
/// line and cold for the reasons `dispatch` is. One instance per tuple of
/// field types, shared by every call site with those types.
#[cold]
#[inline(never)]
pub fn dispatch_direct<V: Values, B: Body>(
    site: &'static Callsite,
    meta: &EventMeta<'_>,
    values: &V,
    body: &B,
) {
    if V::DIRECT
        && B::DIRECT
        && site.bits() == enable::KERNEL
        && let Some(state) = site.owner()
        && state.profile == EncodingProfile::Full
        && write(site, state, meta, values, body)
    {
        return;
    }
    general(site, meta, values, body);
}

/// The general way: the values as `dyn Field`s, to [`dispatch`].
#[inline(never)]
fn general<V: Values, B: Body>(
    site: &'static Callsite,
    meta: &EventMeta<'_>,
    values: &V,
    body: &B,
) {
    values.with_fields(|fields| {
        dispatch(
            site,
            &Event {
                meta_tail: meta.meta_tail,
                part_c_len: meta.part_c_len,
                fields,
                body: body.as_body(),
                opcode: meta.opcode,
                activity: meta.activity,
            },
        )
    });
}

/// Lays the event out and writes it to the kernel; false (nothing done) when
/// it does not fit its output's limit whole.
#[inline(always)]
fn write<V: Values, B: Values>(
    site: &'static Callsite,
    state: &ProviderState,
    meta: &EventMeta<'_>,
    values: &V,
    body: &B,
) -> bool {
    // One read of the OpenTelemetry context, as the general way does.
    let span = OtelSpan::current();
    let trace = span.as_ref().map(OtelSpan::trace_hex);
    let span_activity = span.as_ref().map(OtelSpan::activity_id);
    let info = site.info();
    let head = Head {
        header: HeaderFields {
            level: info.level.as_u8(),
            opcode: meta.opcode,
            activity: activity::within_span(meta.activity, meta.opcode, span_activity.as_ref()),
        },
        write_index: site.write_index(),
        name_meta: info.name_meta,
        trace: trace.as_ref(),
        cloud_role: &state.cloud_role,
    };
    let mut frame = Frame::new();
    // A closure, not the function: passed as a function item its call
    // stayed out of line (callgrind: ~70 instructions an event more).
    #[allow(clippy::redundant_closure)]
    let Some(iov) = lay_out(
        &mut frame,
        &head,
        (info, meta.meta_tail),
        |out| time::now_into(out),
        (values, body),
        state.output.limit(),
    ) else {
        return false;
    };
    state.output.write_laid_out(site.enable_word(), iov);
    true
}

/// Lays an event of the call site `info` (its PartC and PartB metadata
/// `meta_tail`) out in `frame` as the general writer encodes it in the full
/// profile (`dispatch::encode`): `head`'s header, event name, `__csver__`
/// and PartA (its time formatted by `time`), PartC (`values`), PartB (`body`
/// and the call site's values after it). `None` when it is larger than
/// `limit` (which the general writer then shortens).
#[inline(always)]
fn lay_out<'a, V: Values, B: Values>(
    frame: &'a mut Frame,
    head: &Head<'a>,
    (info, meta_tail): (&'static EventInfo, &'static [u8]),
    time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize,
    (values, body): (&'a V, &'a B),
    limit: usize,
) -> Option<&'a [IoVec]> {
    let mut w = FrameWriter::begin(frame, head, [meta_tail, &[]], time);
    values.store(&mut w);
    w.borrow(&TYPE_NAME_DATA);
    body.store(&mut w);
    w.borrow(info.part_b_data);
    w.finish(limit)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::time::Duration;

    use super::*;
    use crate::Level;
    use crate::encode::common_schema::{CloudRole, PartA, TraceHex};
    use crate::encode::direct::payload_of;
    use crate::encode::field::{DisplayField, Field};
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::MAX_EVENT_SIZE;
    use opentelemetry::trace::{SpanId, TraceId};

    /// A call site's constants, leaked as the macros' statics would be.
    fn info(name: &str, level: Level) -> &'static EventInfo {
        let mut name_meta = name.as_bytes().to_vec();
        name_meta.push(0);
        let mut part_b = level.severity_number().to_ne_bytes().to_vec();
        for s in [level.severity_text(), name] {
            part_b.extend_from_slice(&(s.len() as u16).to_ne_bytes());
            part_b.extend_from_slice(s.as_bytes());
        }
        Box::leak(Box::new(EventInfo {
            name: Box::leak(name.to_owned().into_boxed_str()),
            level,
            keyword: 1,
            field_names: &[],
            target: "tests",
            name_meta: Box::leak(name_meta.into_boxed_slice()),
            part_b_data: Box::leak(part_b.into_boxed_slice()),
            provider: None,
        }))
    }

    /// Everything but the values: PartA's optional members and the header's ids.
    struct Context {
        trace: Option<TraceHex>,
        role: CloudRole,
        activity: Option<([u8; 16], Option<[u8; 16]>)>,
        opcode: u8,
    }

    const TIME: &str = "2026-12-07T22:43:07.123456789Z";

    /// The payload the general writer encodes (everything after the write
    /// index), or `None` when it does not fit whole in `limit`.
    fn general(
        info: &'static EventInfo,
        cx: &Context,
        fields: &[&dyn Field],
        body: Option<&dyn Field>,
        limit: usize,
    ) -> Option<Vec<u8>> {
        let ids = cx.activity.as_ref().map(|(id, related)| ActivityIds {
            id,
            related: related.as_ref(),
        });
        let event = Event {
            meta_tail: b"PartC\0meta-tail-bytes\0",
            part_c_len: 0,
            fields,
            body: body.map(|b| (b, [0, 0])),
            opcode: cx.opcode,
            activity: ids,
        };
        let part_a = PartA::new(TIME, cx.trace.as_ref(), &cx.role);
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        w.set_limit(limit);
        crate::events::dispatch::encode(&mut w, info, &event, &part_a);
        let header = HeaderFields {
            level: info.level.as_u8(),
            opcode: cx.opcode,
            activity: ids,
        };
        match w.seal(&header)? {
            (header, false) => Some(w.payload(&header)),
            (_, true) => None,
        }
    }

    /// The payload the generated writer lays out, checking the write index
    /// in front of it.
    fn direct<V: Values, B: Values>(
        info: &'static EventInfo,
        cx: &Context,
        values: &V,
        body: &B,
        limit: usize,
    ) -> Option<Vec<u8>> {
        assert!(V::DIRECT && B::DIRECT);
        let head = Head {
            header: HeaderFields {
                level: info.level.as_u8(),
                opcode: cx.opcode,
                activity: cx.activity.as_ref().map(|(id, related)| ActivityIds {
                    id,
                    related: related.as_ref(),
                }),
            },
            write_index: 0x0102_0304,
            name_meta: info.name_meta,
            trace: cx.trace.as_ref(),
            cloud_role: &cx.role,
        };
        let mut frame = Frame::new();
        let time = |out: &mut [u8; MAX_LEN]| {
            out[..TIME.len()].copy_from_slice(TIME.as_bytes());
            TIME.len()
        };
        let meta_tail: &'static [u8] = b"PartC\0meta-tail-bytes\0";
        let iov = lay_out(
            &mut frame,
            &head,
            (info, meta_tail),
            time,
            (values, body),
            limit,
        )?;
        Some(payload_of(iov, 0x0102_0304))
    }

    fn contexts() -> Vec<Context> {
        let trace = || {
            TraceHex::new(
                TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
                SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            )
        };
        let role = |role: Option<&str>, instance: Option<&str>| CloudRole {
            role: role.map(Into::into),
            instance: instance.map(Into::into),
        };
        vec![
            Context {
                trace: None,
                role: role(None, None),
                activity: None,
                opcode: 0,
            },
            Context {
                trace: Some(trace()),
                role: role(Some("checkout"), None),
                activity: Some(([7; 16], None)),
                opcode: 0,
            },
            Context {
                trace: None,
                role: role(Some("checkout"), Some("pod-7")),
                activity: Some(([7; 16], Some([9; 16]))),
                opcode: 1,
            },
            Context {
                trace: Some(trace()),
                role: role(None, Some("pod-7")),
                activity: Some(([8; 16], None)),
                opcode: 2,
            },
        ]
    }

    #[test]
    fn the_generated_writer_lays_out_the_general_writers_bytes() {
        let info = info("OrderPlaced", Level::Info);
        let long = "l".repeat(300);
        let cow: Cow<'_, str> = Cow::Owned("cow".to_owned());
        let (id, name, amount, express) = (42u64, "ada", 12.5f64, true);
        let (small, wide, neg) = (200u8, -3i16, i64::MIN);
        for cx in contexts() {
            let four: [&dyn Field; 4] = [&id, &name, &amount, &express];
            assert_eq!(
                direct(
                    info,
                    &cx,
                    &(&id, &name, &amount, &express),
                    &(),
                    MAX_EVENT_SIZE
                ),
                general(info, &cx, &four, None, MAX_EVENT_SIZE),
            );
            let d = Duration::from_millis(1500);
            let mixed: [&dyn Field; 8] = [&small, &wide, &neg, &d, &long, &cow, &"", &0.25f32];
            let values = (&small, &wide, &neg, &d, &long, &cow, &"", &0.25f32);
            assert_eq!(
                direct(info, &cx, &values, &(&"the body",), MAX_EVENT_SIZE),
                general(info, &cx, &mixed, Some(&"the body"), MAX_EVENT_SIZE),
            );
            assert_eq!(
                direct(info, &cx, &(), &(&7u32,), MAX_EVENT_SIZE),
                general(info, &cx, &[], Some(&7u32), MAX_EVENT_SIZE),
            );
            let values = (
                &1u8,
                &2u16,
                &3u32,
                &4u64,
                &5i8,
                &6i16,
                &7i32,
                &8i64,
                &"x",
                &String::from("y"),
                &true,
                &9usize,
            );
            // The general writer's fields as the call site's tuple gives them.
            let twelve = values.with_fields(|f| general(info, &cx, f, None, MAX_EVENT_SIZE));
            assert_eq!(direct(info, &cx, &values, &(), MAX_EVENT_SIZE), twelve);
        }
    }

    #[test]
    fn an_event_over_its_limit_is_left_to_the_general_writer() {
        let info = info("Big", Level::Warn);
        let cx = &contexts()[1];
        let name = "n".repeat(100);
        let whole = general(info, cx, &[&name as &dyn Field], None, MAX_EVENT_SIZE)
            .expect("fits")
            .len();
        // Exactly at the limit: written, the same bytes; one byte less: left.
        for (limit, fits) in [(whole, true), (whole - 1, false)] {
            let laid = direct(info, cx, &(&name,), &(), limit);
            assert_eq!(laid.is_some(), fits, "limit {limit}");
            assert_eq!(laid, general(info, cx, &[&name as &dyn Field], None, limit));
        }
        // Longer than a 16-bit count: never written with a wrapped count.
        let huge = "h".repeat(70_000);
        assert_eq!(direct(info, cx, &(&huge,), &(), MAX_EVENT_SIZE), None);
    }

    #[test]
    fn only_values_stored_without_encode_are_direct() {
        type Four<'r> = (&'r u64, &'r &'r str, &'r f64, &'r bool);
        let direct = [
            <Four<'_> as Values>::DIRECT,
            <(&u64, &DisplayField<'_, u64>) as Values>::DIRECT,
            <(&u64, &Vec<u32>) as Values>::DIRECT,
            <(&u64, &Option<u32>) as Values>::DIRECT,
            <(&std::sync::Arc<str>, &Box<i32>) as Values>::DIRECT,
        ];
        assert_eq!(direct, [true, false, false, false, true]);
        assert_eq!(<Four<'_> as Values>::COPIED, 8 + 2 + 8 + 1);
    }
}
