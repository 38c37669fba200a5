//! A log record written the generated writer's way: in the full profile, a
//! record whose attributes and body are scalars, strings or bytes is laid out
//! in one [`Frame`] (its metadata copied beside its data, member by member in
//! the record's order, so no per-record search or cache) and written with one
//! `writev`. Anything else (the scalar profile, a test capture, lists and
//! maps, more than a struct holds, values that do not fit the frame, an event
//! over its limit) goes the general way ([`super::record`]).

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry_sdk::logs::SdkLogRecord;

use super::event_name;
use super::log_processor::{UserEventsProcessor, record_activity};
use super::record::{self, EVENT_ID, RecordSettings};
use crate::Level;
use crate::encode::any_value::Shape;
use crate::encode::direct::{CopiedMetaWriter, Frame, FrameWriter, Head};
use crate::encode::encoding::{FORMAT_FOLLOWS, STRING, STRUCT, VALUE16, VALUE64};
use crate::encode::header::ActivityIds;
use crate::encode::layout::TYPE_NAME_DATA;
use crate::encode::profile::EncodingProfile;
use crate::encode::time::{self, MAX_LEN};
use crate::encode::writer::{IoVec, until_nul};
use eventheader_types::FieldFormat;
use otel_user_events_abi::MAX_STRUCT_MEMBERS;

impl UserEventsProcessor {
    /// Writes `record` (of `severity`, at `level`) to the kernel the
    /// generated writer's way when it can (module docs); false when it did
    /// nothing. The caller checked that only the kernel wants the event.
    #[inline(always)]
    pub(super) fn write_direct(
        &self,
        record: &SdkLogRecord,
        severity: Severity,
        level: Level,
    ) -> bool {
        if self.settings.profile != EncodingProfile::Full {
            return false;
        }
        let at = self.set().at(level);
        let trace = record::record_trace(record);
        let activity = record_activity(record);
        let mut header = record::header_fields(level);
        header.activity = activity.as_ref().map(|id| ActivityIds::of(id.as_bytes()));
        let head = Head {
            header,
            write_index: at.index,
            name_meta: &[],
            trace: trace.as_ref(),
            cloud_role: &self.settings.cloud_role,
        };
        let time = |out: &mut [u8; MAX_LEN]| time::time_into(record::record_time(record), out);
        let mut frame = Frame::new();
        match lay_out(
            &self.settings,
            record,
            severity,
            head,
            &mut frame,
            time,
            self.output.limit(),
        ) {
            Some(iov) => {
                self.output.write_laid_out(at.word, iov);
                true
            }
            None => false,
        }
    }
}

/// Lays `record` out in `frame` as `record::encode` encodes it in the full
/// profile: the event name, `__csver__` and PartA (`head`), PartC (the
/// resource's attributes, then the record's, but `event_id`), PartB.
#[inline(always)]
fn lay_out<'a>(
    settings: &'a RecordSettings,
    record: &'a SdkLogRecord,
    severity: Severity,
    head: Head<'a>,
    frame: &'a mut Frame,
    time: impl FnOnce(&mut [u8; MAX_LEN]) -> usize,
    limit: usize,
) -> Option<&'a [IoVec]> {
    let name = settings.event_name.name_of(record);
    let mut w = CopiedMetaWriter::begin(frame, &head, name.as_bytes(), time)?;
    let mut part_c = PartC::default();
    for (key, value) in &settings.resource_attributes {
        part_c.member(&mut w, key.as_str(), value)?;
    }
    let mut event_id = None;
    for (key, value) in record.attributes_iter() {
        match (key.as_str(), value) {
            (EVENT_ID, AnyValue::Int(id)) => event_id = Some(*id),
            (name, value) => part_c.member(&mut w, name, value)?,
        }
    }
    if let Some(at) = part_c.count_at {
        w.patch_meta(at, part_c.count);
    }

    let body = record.body();
    let text = record.severity_text();
    let event_name = record
        .event_name()
        .filter(|name| event_name::is_named(name));
    let members = 2
        + body.is_some() as u8
        + text.is_some() as u8
        + event_id.is_some() as u8
        + event_name.is_some() as u8;
    field(&mut w, b"PartB", STRUCT, members)?;
    field(&mut w, b"_typeName", STRING, 0)?;
    w.data
        .try_fixed(TYPE_NAME_DATA.len())?
        .copy_from_slice(&TYPE_NAME_DATA);
    if let Some(body) = body {
        let (encoding, format) = value_of(&mut w.data, body)?;
        field(&mut w, b"body", encoding, format)?;
    }
    field(
        &mut w,
        b"severityNumber",
        VALUE16,
        FieldFormat::SignedInt.as_int(),
    )?;
    w.data
        .try_fixed(2)?
        .copy_from_slice(&(severity as i16).to_ne_bytes());
    if let Some(text) = text {
        field(&mut w, b"severityText", STRING, 0)?;
        counted(&mut w.data, text.as_bytes())?;
    }
    if let Some(id) = event_id {
        field(&mut w, b"eventId", VALUE64, FieldFormat::SignedInt.as_int())?;
        w.data.try_fixed(8)?.copy_from_slice(&id.to_ne_bytes());
    }
    if let Some(name) = event_name {
        field(&mut w, b"name", STRING, 0)?;
        counted(&mut w.data, name.as_bytes())?;
    }
    w.finish(&head.header, head.write_index, limit)
}

/// PartC as its members are added: opened with the first.
#[derive(Default)]
struct PartC {
    /// Where the member count is, once opened.
    count_at: Option<usize>,
    count: u8,
}

impl PartC {
    /// Adds member `name` with `value`; `None` when the general way must
    /// write the record (a value it alone writes, a full struct, no room).
    #[inline(always)]
    fn member(&mut self, w: &mut CopiedMetaWriter<'_>, name: &str, value: &AnyValue) -> Option<()> {
        if self.count_at.is_none() {
            // Opened with a count of 1, patched at the end.
            self.count_at = Some(w.try_meta(b"PartC\0")? + 7);
            w.try_meta(&[STRUCT | FORMAT_FOLLOWS, 1])?;
        }
        if self.count == MAX_STRUCT_MEMBERS {
            return None;
        }
        let (encoding, format) = value_of(&mut w.data, value)?;
        field(w, until_nul(name.as_bytes()), encoding, format)?;
        self.count += 1;
        Some(())
    }
}

/// A field definition: `name`, NUL, the encoding (with the format-follows
/// flag when `format` is not 0) and the format, as the general writer's
/// metadata writes it.
#[inline(always)]
fn field(w: &mut CopiedMetaWriter<'_>, name: &[u8], encoding: u8, format: u8) -> Option<()> {
    w.try_meta(name)?;
    if format == 0 {
        w.try_meta(&[0, encoding])?;
    } else {
        w.try_meta(&[0, encoding | FORMAT_FOLLOWS, format])?;
    }
    Some(())
}

/// A 16-bit count and `bytes`, copied.
#[inline(always)]
fn counted(w: &mut FrameWriter<'_>, bytes: &[u8]) -> Option<()> {
    w.try_copy_counted(bytes).then_some(())
}

/// Writes `value`'s data as the general writer does for its shape; its
/// encoding and format, or `None` for a shape only the general writer writes.
#[inline(always)]
fn value_of(w: &mut FrameWriter<'_>, value: &AnyValue) -> Option<(u8, u8)> {
    let shape = Shape::of(value, EncodingProfile::Full);
    match (shape, value) {
        (Shape::Bool, AnyValue::Boolean(b)) => w.try_fixed(1)?[0] = *b as u8,
        (Shape::Int, AnyValue::Int(i)) => w.try_fixed(8)?.copy_from_slice(&i.to_ne_bytes()),
        (Shape::Double, AnyValue::Double(d)) => w.try_fixed(8)?.copy_from_slice(&d.to_ne_bytes()),
        (Shape::Str, AnyValue::String(s)) => counted(w, s.as_str().as_bytes())?,
        (Shape::Bytes, AnyValue::Bytes(b)) => counted(w, b)?,
        _ => return None,
    }
    Some(shape.encoding_and_format())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use opentelemetry::InstrumentationScope;
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
    use opentelemetry::trace::{SpanId, TraceFlags, TraceId};
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::logs::{LogProcessor, SdkLoggerProvider};

    use super::*;
    use crate::encode::direct::payload_of;
    use crate::encode::seal::{Encode, LargeStorage};
    use crate::encode::writer::MAX_EVENT_SIZE;
    use crate::logs::record::RecordEvent;

    const TIME: &str = "2026-12-07T22:43:07.123456789Z";

    /// Each record's payload (after the write index) from the general
    /// writer, and from the generated writer's way (`None` when it declined).
    type Payloads = Arc<Mutex<Vec<(Vec<u8>, Option<Vec<u8>>)>>>;

    /// A processor that lays every record out both ways.
    #[derive(Debug)]
    struct Probe {
        inner: UserEventsProcessor,
        payloads: Payloads,
    }

    impl LogProcessor for Probe {
        fn emit(&self, record: &mut SdkLogRecord, _: &InstrumentationScope) {
            let settings = &self.inner.settings;
            let severity = settings.severity_of(record);
            let level = Level::from_severity(severity);
            let trace = record::record_trace(record);
            let activity = record_activity(record);
            let mut header = record::header_fields(level);
            header.activity = activity.as_ref().map(|id| ActivityIds::of(id.as_bytes()));
            let content = RecordEvent {
                settings,
                record,
                severity,
                time: TIME,
                trace: trace.as_ref(),
                activity: activity.as_ref().map(|id| id.as_bytes()),
            };
            let mut storage = LargeStorage::new();
            let mut w = storage.writer();
            // (Records with members left out or shortened values are the
            // general writer's alone: the direct way declines them.)
            content.encode(&mut w);
            let (h, _) = w.seal(&header).expect("fits");
            let general = w.payload(&h);
            let head = Head {
                header,
                write_index: 7,
                name_meta: &[],
                trace: trace.as_ref(),
                cloud_role: &settings.cloud_role,
            };
            let time = |out: &mut [u8; MAX_LEN]| {
                out[..TIME.len()].copy_from_slice(TIME.as_bytes());
                TIME.len()
            };
            let mut frame = Frame::new();
            let direct = lay_out(
                settings,
                record,
                severity,
                head,
                &mut frame,
                time,
                MAX_EVENT_SIZE,
            )
            .map(|iov| payload_of(iov, 7));
            self.payloads.lock().unwrap().push((general, direct));
        }

        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }

        fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
            Ok(())
        }

        fn set_resource(&mut self, resource: &Resource) {
            self.inner.set_resource(resource);
        }
    }

    /// The payloads of the records `emit` emits through a processor built by
    /// `build` (with a resource that has a cloud role and `region`).
    fn both_ways(
        build: impl FnOnce(
            crate::logs::UserEventsProcessorBuilder,
        ) -> crate::logs::UserEventsProcessorBuilder,
        emit: impl FnOnce(&opentelemetry_sdk::logs::SdkLogger),
    ) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        let inner = build(UserEventsProcessor::builder("DirectLogs"))
            .build()
            .unwrap();
        let payloads = Payloads::default();
        let resource = Resource::builder_empty()
            .with_attributes([
                opentelemetry::KeyValue::new("service.name", "checkout"),
                opentelemetry::KeyValue::new("service.instance.id", "pod-7"),
                opentelemetry::KeyValue::new("region", "eu"),
            ])
            .build();
        let provider = SdkLoggerProvider::builder()
            .with_resource(resource)
            .with_log_processor(Probe {
                inner,
                payloads: Arc::clone(&payloads),
            })
            .build();
        emit(&provider.logger("test"));
        payloads.lock().unwrap().clone()
    }

    #[test]
    fn records_are_laid_out_as_the_general_writer_encodes_them() {
        let builds: [fn(_) -> _; 3] = [
            |b| b,
            |b: crate::logs::UserEventsProcessorBuilder| {
                b.with_resource_attributes(["region"])
                    .with_record_event_name()
            },
            |b: crate::logs::UserEventsProcessorBuilder| b.with_event_name("Fixed"),
        ];
        for build in builds {
            let payloads = both_ways(build, |logger| {
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Warn);
                record.set_severity_text("WARN");
                record.set_event_name("OrderPlaced");
                record.set_body("order placed".into());
                record.add_attribute("order_id", 42i64);
                record.add_attribute("amount", 9.99);
                record.add_attribute("express", true);
                record.add_attribute("customer", "ada");
                record.add_attribute("blob", AnyValue::Bytes(Box::new(vec![0, 1, 255])));
                record.add_attribute("event_id", 7i64);
                record.add_attribute("nul\0name", 1i64);
                record.set_trace_context(
                    TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
                    SpanId::from_hex("00f067aa0ba902b7").unwrap(),
                    Some(TraceFlags::SAMPLED),
                );
                logger.emit(record);
                // No attributes, a body of another type, a blank event name.
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Error);
                record.set_event_name("  ");
                record.set_body(AnyValue::Int(5));
                logger.emit(record);
                // Nothing but the severity.
                let mut record = logger.create_log_record();
                record.set_severity_number(Severity::Debug);
                logger.emit(record);
                // An event name with a NUL (metadata stops there, PartB's
                // `name` keeps it).
                let mut record = logger.create_log_record();
                record.set_event_name("Order\0Placed");
                logger.emit(record);
            });
            assert_eq!(payloads.len(), 4);
            for (i, (general, direct)) in payloads.iter().enumerate() {
                assert_eq!(direct.as_ref(), Some(general), "record {i}");
            }
        }
    }

    #[test]
    fn records_only_the_general_writer_writes_go_its_way() {
        let payloads = both_ways(
            |b| b,
            |logger| {
                // A list, a map, more members than a struct holds, a long string.
                let mut record = logger.create_log_record();
                record.add_attribute("list", AnyValue::ListAny(Box::new(vec![AnyValue::Int(1)])));
                logger.emit(record);
                let mut record = logger.create_log_record();
                record.set_body(AnyValue::Map(Box::default()));
                logger.emit(record);
                let mut record = logger.create_log_record();
                for i in 0..128 {
                    record.add_attribute(format!("a{i}"), i as i64);
                }
                logger.emit(record);
                let mut record = logger.create_log_record();
                record.add_attribute("long", "l".repeat(1000));
                logger.emit(record);
            },
        );
        let direct: Vec<bool> = payloads.iter().map(|(_, d)| d.is_some()).collect();
        assert_eq!(direct, [false, false, false, false]);
    }
}
