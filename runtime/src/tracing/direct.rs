//! A `tracing` event written the generated writer's way: once its call site
//! has written one event (which cached PartC's metadata), later events whose
//! fields are of the same kinds are laid out in a [`Frame`] with the call
//! site's constants borrowed ([`SiteConstants`]) and their values visited
//! once into it, then written with one `writev`. Anything else (the scalar
//! profile, a test capture, fields of other kinds, values that do not fit the
//! frame, an event over its limit) goes the general way, which visits the
//! values again.

use std::error::Error;
use std::fmt;

use tracing_core::field::{Field, Visit};

use super::callsites::{Site, member_key};
use super::shared::Shared;
use super::visitor::{ErrorChain, Kind, MessageText};
use crate::activity::OtelSpan;
use crate::encode::common_schema::TraceHex;
use crate::encode::direct::{Frame, FrameWriter, Head};
use crate::encode::header::HeaderFields;
use crate::encode::layout::TYPE_NAME_DATA;
use crate::encode::profile::EncodingProfile;
use crate::encode::time::{self, MAX_LEN};
use crate::encode::writer::IoVec;

impl Shared {
    /// Writes an event of `site` with `header`, PartA's ids of `span` and the
    /// values `record` visits to the kernel, when the generated writer's way
    /// can (module docs); false when it did nothing. The caller checked that
    /// only the kernel wants the event.
    // `time` is a closure, not the function: passed as a function item its
    // call stayed out of line (callgrind: ~70 instructions an event more).
    #[allow(clippy::redundant_closure)]
    #[inline(always)]
    pub(super) fn write_direct(
        &self,
        site: &Site,
        header: &HeaderFields<'_>,
        span: Option<OtelSpan>,
        record: &dyn Fn(&mut dyn Visit),
    ) -> bool {
        let trace = span.map(|s| s.trace_hex());
        let at = site.at();
        let mut frame = Frame::new();
        let laid = self.lay_out_direct(
            (site, at.index),
            header,
            trace.as_ref(),
            record,
            &mut frame,
            |out| time::now_into(out),
        );
        match laid {
            Some(iov) => {
                self.output.write_laid_out(at.word, iov);
                true
            }
            None => false,
        }
    }

    /// Lays the event out in `frame` (its tracepoint's write index given, its
    /// time formatted by `time`) as the general writer encodes it, when
    /// [`Shared::write_direct`] can write it.
    #[inline(always)]
    pub(super) fn lay_out_direct<'f>(
        &'f self,
        (site, write_index): (&'f Site, u32),
        header: &HeaderFields<'f>,
        trace: Option<&'f TraceHex>,
        record: &dyn Fn(&mut dyn Visit),
        frame: &'f mut Frame,
        time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize,
    ) -> Option<&'f [IoVec]> {
        let (Some(constants), EncodingProfile::Full) = (site.constants.as_ref(), self.profile)
        else {
            return None;
        };
        // No PartC cached: the call site's events so far had no PartC (or
        // this is its first event); this one goes the general way if it has
        // one.
        let (part_c_keys, part_c_meta): (&[u32], &[u8]) = match site.part_c.get() {
            Some(layout) => (&layout.keys, &layout.meta),
            None => (&[], &[]),
        };
        let head = Head {
            header: *header,
            write_index,
            name_meta: constants.name_meta(),
            trace,
            cloud_role: &self.cloud_role,
        };
        // The body's presence is the call site's: an event that leaves its
        // message out (or records it twice) goes the general way.
        let has_message = site.message.is_some();
        let mut w = FrameWriter::begin(
            frame,
            &head,
            [part_c_meta, constants.part_b_meta(has_message)],
            time,
        );
        let mut message = MessageText::new();
        let mut visitor = DirectVisitor {
            w: &mut w,
            expected: part_c_keys,
            next: 0,
            message: site.message.unwrap_or(NO_FIELD),
            has_message: false,
            message_text: &mut message,
        };
        record(&mut visitor);
        let whole = visitor.whole() && visitor.has_message == has_message;
        if !whole {
            return None;
        }
        w.borrow(&TYPE_NAME_DATA);
        if has_message && !w.try_copy_counted(message.as_bytes()) {
            return None;
        }
        w.borrow(constants.part_b_data());
        w.finish(self.output.limit())
    }
}

/// Visits an event's values into a frame, checking each against the call
/// site's cached PartC fields; failed (`next` is [`FAILED`]) once one is not
/// what they say, or does not fit. Writes what the general writer's visitor
/// (`visitor::PartCVisitor`) writes in the full profile.
struct DirectVisitor<'f, 'a> {
    w: &'f mut FrameWriter<'a>,
    /// Each PartC member's [`member_key`], in order.
    expected: &'f [u32],
    /// How many of `expected` were written, or [`FAILED`].
    next: usize,
    /// The index of the `message` field (PartB's body) until it is seen;
    /// then (and without one) [`NO_FIELD`].
    message: usize,
    has_message: bool,
    message_text: &'f mut MessageText,
}

/// `DirectVisitor::next` once the visit failed: past any member list.
const FAILED: usize = usize::MAX;
/// `DirectVisitor::message` when there is no message (left) to see.
const NO_FIELD: usize = usize::MAX;

impl DirectVisitor<'_, '_> {
    /// Whether the visit wrote every expected member and nothing else.
    fn whole(&self) -> bool {
        self.next == self.expected.len()
    }

    /// Whether `field` is the message, seen for the first time.
    #[inline(always)]
    fn is_message(&self, field: &Field) -> bool {
        field.index() == self.message
    }

    /// Takes the message: PartB's body from now on.
    #[inline(always)]
    fn take_message(&mut self) {
        self.has_message = true;
        self.message = NO_FIELD;
    }

    /// Whether `field` of `kind` is the next expected member (else failed).
    #[inline(always)]
    fn expect(&mut self, field: &Field, kind: Kind) -> bool {
        let ok = self.expected.get(self.next) == Some(&member_key(field.index(), kind));
        self.next = if ok { self.next + 1 } else { FAILED };
        ok
    }

    /// A member of `kind` whose `n` bytes `store` writes.
    #[inline(always)]
    fn fixed(&mut self, field: &Field, kind: Kind, n: usize, store: impl FnOnce(&mut [u8])) {
        if self.is_message(field) {
            // A message that is not text: the general way writes it.
            self.next = FAILED;
        } else if self.expect(field, kind) {
            match self.w.try_fixed(n) {
                Some(out) => store(out),
                None => self.next = FAILED,
            }
        }
    }

    /// Fails the visit unless `ok`.
    #[inline(always)]
    fn check(&mut self, ok: bool) {
        if !ok {
            self.next = FAILED;
        }
    }

    /// The message, kept for PartB, or a text member formatted from `text`.
    fn text(&mut self, field: &Field, text: fmt::Arguments<'_>) {
        use fmt::Write as _;
        if self.is_message(field) {
            self.take_message();
            let kept = match text.as_str() {
                Some(literal) => self.message_text.try_push_str(literal).is_ok(),
                None => self.message_text.write_fmt(text).is_ok(),
            };
            self.check(kept);
        } else if self.expect(field, Kind::Str) {
            let ok = self.w.try_format(text);
            self.check(ok);
        }
    }
}

impl Visit for DirectVisitor<'_, '_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fixed(field, Kind::I64, 8, |out| {
            out.copy_from_slice(&value.to_ne_bytes())
        });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fixed(field, Kind::U64, 8, |out| {
            out.copy_from_slice(&value.to_ne_bytes())
        });
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.text(field, format_args!("{value}"));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.text(field, format_args!("{value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fixed(field, Kind::F64, 8, |out| {
            out.copy_from_slice(&value.to_ne_bytes())
        });
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fixed(field, Kind::Bool, 1, |out| out[0] = value as u8);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.is_message(field) {
            self.take_message();
            let kept = self.message_text.try_push_str(value).is_ok();
            self.check(kept);
        } else if self.expect(field, Kind::Str) {
            let ok = self.w.try_copy_counted(value.as_bytes());
            self.check(ok);
        }
    }

    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        if self.is_message(field) {
            self.next = FAILED;
        } else if self.expect(field, Kind::Bytes) {
            let ok = self.w.try_copy_counted(value);
            self.check(ok);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        self.text(field, format_args!("{}", ErrorChain(value)));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format_args!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use opentelemetry::trace::{SpanId, TraceId};
    use otel_user_events_abi::name::ProviderName;
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

    use super::*;
    use crate::encode::common_schema::PartA;
    use crate::encode::direct::payload_of;
    use crate::encode::seal::{Encode, LargeStorage};
    use crate::encode::writer::MAX_EVENT_SIZE;
    use crate::output::OutputOptions;
    use crate::tracing::encode::{Fields, Frame as Framing, Framed};
    use crate::tracing::event_name::LayerEventName;

    const TIME: &str = "2026-12-07T22:43:07.123456789Z";

    /// Each event's payload (after the write index) from the general writer,
    /// and from the generated writer's way (`None` when it declined).
    type Payloads = Vec<(Vec<u8>, Option<Vec<u8>>)>;

    /// A layer that lays every event out both ways.
    struct Probe {
        shared: Arc<Shared>,
        trace: Option<TraceHex>,
        payloads: Arc<Mutex<Payloads>>,
    }

    impl<S: tracing_core::Subscriber> Layer<S> for Probe {
        fn on_event(&self, event: &tracing_core::Event<'_>, _: Context<'_, S>) {
            let shared = &self.shared;
            shared.with_site(event.metadata(), |site| {
                let record = |v: &mut dyn Visit| event.record(v);
                let header = HeaderFields {
                    level: site.level.as_u8(),
                    opcode: 0,
                    activity: None,
                };
                let framed = Framed {
                    frame: Framing {
                        part_a: PartA::new(TIME, self.trace.as_ref(), &shared.cloud_role),
                        part_b_activity: None,
                    },
                    content: &Fields {
                        site,
                        record: &record,
                    },
                };
                let mut storage = LargeStorage::new();
                let mut w = storage.writer();
                framed.encode(&mut w);
                let (h, truncated) = w.seal(&header).expect("fits");
                assert!(!truncated);
                let general = w.payload(&h);
                let mut frame = Frame::new();
                let time = |out: &mut [u8; MAX_LEN]| {
                    out[..TIME.len()].copy_from_slice(TIME.as_bytes());
                    TIME.len()
                };
                let direct = shared
                    .lay_out_direct(
                        (site, 7),
                        &header,
                        self.trace.as_ref(),
                        &record,
                        &mut frame,
                        time,
                    )
                    .map(|iov| payload_of(iov, 7));
                self.payloads.lock().unwrap().push((general, direct));
            });
        }
    }

    /// The payloads of the events `emit` writes, each call site's once.
    fn both_ways(trace: bool, emit: impl Fn()) -> Payloads {
        let name = ProviderName::new("DirectProbe").unwrap();
        let shared = Shared::register(
            &OutputOptions::new("DirectProbe"),
            name,
            (1, vec![]),
            LayerEventName::Metadata,
        );
        let payloads = Arc::new(Mutex::new(Vec::new()));
        let probe = Probe {
            shared,
            trace: trace.then(|| {
                TraceHex::new(
                    TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
                    SpanId::from_hex("00f067aa0ba902b7").unwrap(),
                )
            }),
            payloads: Arc::clone(&payloads),
        };
        let subscriber = tracing_subscriber::registry().with(probe);
        tracing::subscriber::with_default(subscriber, emit);
        payloads.lock().unwrap().clone()
    }

    #[derive(Debug)]
    struct Failed;
    impl fmt::Display for Failed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("it failed")
        }
    }
    impl Error for Failed {}

    #[test]
    fn a_call_sites_later_events_are_laid_out_as_the_general_writer_encodes_them() {
        for trace in [false, true] {
            let payloads = both_ways(trace, || {
                for i in 0..3u64 {
                    tracing::info!(name: "OrderPlaced", order_id = i, customer = "ada", amount = 9.99, express = true, "order placed");
                    tracing::warn!(n = -5i64, big = 1u128 << 100, small = -7i128, dbg = ?(i, "x"), shown = %i, "{} formatted", i);
                    let err: &(dyn Error + 'static) = &Failed;
                    tracing::error!(err, bytes = &b"\x00\x01"[..], "");
                    tracing::debug!(only = 1u64);
                    tracing::trace!("just a message");
                }
            });
            assert_eq!(payloads.len(), 15);
            // (The probe encodes each event the general way first, which
            // caches its call site's PartC metadata, as the layer's first
            // event of a call site does.)
            for (i, (general, direct)) in payloads.iter().enumerate() {
                assert_eq!(direct.as_ref(), Some(general), "event {i} (trace: {trace})");
            }
        }
    }

    #[test]
    fn events_that_do_not_fit_the_frame_go_the_general_way() {
        let long = "l".repeat(1000);
        let payloads = both_ways(false, || {
            for text in ["short", long.as_str(), "short"] {
                tracing::info!(text, "m");
            }
        });
        let direct: Vec<bool> = payloads.iter().map(|(_, d)| d.is_some()).collect();
        assert_eq!(direct, [true, false, true]);
        // A message longer than the layer keeps aside goes the general way too.
        let payloads = both_ways(false, || {
            for text in ["short", long.as_str()] {
                tracing::info!("{text}");
            }
        });
        let direct: Vec<bool> = payloads.iter().map(|(_, d)| d.is_some()).collect();
        assert_eq!(direct, [true, false]);
        assert!(MAX_EVENT_SIZE > long.len());
    }
}
