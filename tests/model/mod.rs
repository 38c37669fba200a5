//! An independent model of the events this project writes, for the property
//! tests: from the values a test generated, it computes the exact JSON that
//! `tracepoint_decode` must print and the exact size of the event, applying the
//! documented rules (README "Limits worth knowing" and "Outputs"):
//!
//! - an event (EventHeader, metadata, data) is at most 65,535 bytes;
//! - a counted value (string, bytes, array) holds at most 65,535 units (its
//!   16-bit count), strings cut at a UTF-8 boundary;
//! - an array of strings or blobs keeps its first elements, leaving out every
//!   element from the first one that breaks one of these (see
//!   [`kept_elements`]): the event's data up to and including the element
//!   within 61,439 bytes (64 KB less 4 KB for the rest of the event; the first
//!   element is kept whatever its size), the array's copied bytes within 6,144
//!   (a 2-byte prefix per element, plus the content of elements of at most 64
//!   bytes), at most 100 elements longer than 64 bytes;
//! - an event still too large has its longest strings, blobs and arrays
//!   shortened to one common cap, the largest that makes it fit, strings at a
//!   UTF-8 boundary and arrays by whole elements;
//! - any shortening marks the event truncated.
//!
//! Nothing here calls the code under test: sizes come from the EventHeader
//! layout (8-byte header, 4-byte metadata extension header, names NUL-terminated
//! followed by an encoding byte and, when the encoding says so, a format byte),
//! JSON text from `tracepoint_decode`'s documented formatting, PartA's time
//! from chrono (what the seed crate `opentelemetry-user-events-logs` formats with).

#![allow(dead_code)] // each test binary uses its part

use std::fmt::Write as _;

/// Largest event, in bytes after the write index.
pub const MAX_EVENT: usize = 65_535;
/// Largest 16-bit count.
const MAX_COUNT: usize = u16::MAX as usize;
/// EventHeader (8) + metadata extension header (4).
const PREFIX: usize = 12;
/// The data an array of strings or blobs may extend to: 64 KB less 4 KB.
const ARRAY_DATA: usize = MAX_EVENT - 4096;
/// Copied bytes one array of strings or blobs may take.
const ARRAY_COPIED: usize = 6144;
/// Elements longer than [`SHORT`] one array of strings or blobs may have.
const ARRAY_LONG: usize = 100;
/// Counted values of at most this many bytes are copied (longer ones are not).
const SHORT: usize = 64;
/// The `__csver__` value, first in the data.
const CSVER_SIZE: usize = 4;

/// How `tracepoint_decode` writes a string in JSON: `"`, `\`, and control
/// characters escaped (`\b \f \n \r \t`, else `\u00XX`), everything else as is.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `tracepoint_decode`'s JSON for an `f64`: `{}` between 1e-4 and 1e17 (and 0),
/// `{:e}` outside, non-finite values as the quoted Rust spelling.
pub fn json_f64(v: f64) -> String {
    let abs = v.abs();
    json_float(v, v.is_finite(), abs >= 1e17 || (abs != 0.0 && abs < 1e-4))
}

/// Same for an `f32`, with the upper bound at 1e9 (compared as `f32`).
pub fn json_f32(v: f32) -> String {
    let abs = v.abs();
    json_float(v, v.is_finite(), abs >= 1e9 || (abs != 0.0 && abs < 1e-4))
}

fn json_float<F: std::fmt::Display + std::fmt::LowerExp>(v: F, finite: bool, exp: bool) -> String {
    if !finite {
        format!("\"{v}\"")
    } else if exp {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Hex bytes as decoded: `"00 AB FF"`.
pub fn json_hex(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    out.push('"');
    out
}

/// RFC 3339 UTC with `Z` and the fewest of 0, 3, 6 or 9 fraction digits that
/// lose nothing; years outside 0..=9999 get a sign. These are the digits of
/// chrono's `SecondsFormat::AutoSi`, which `opentelemetry-user-events-logs`
/// writes: chrono is the oracle, so the calendar arithmetic of the code under
/// test (`runtime/src/encode/time.rs`) is checked, not repeated.
pub fn rfc3339(secs: i64, nanos: u32) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(secs, nanos)
        .unwrap_or_else(|| panic!("{secs} s {nanos} ns is outside chrono's range"))
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// PartA's `time` for an event stamped `ms` milliseconds after the epoch.
pub fn time_field(ms: u64) -> Field {
    let time = rfc3339((ms / 1000) as i64, (ms % 1000) as u32 * 1_000_000);
    Field::new("time", false, Value::Str(time))
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn str_prefix(s: &str, max: usize) -> &str {
    let mut n = max.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// A field's value, as far as size and decoding go.
#[derive(Debug, Clone)]
pub enum Value {
    /// A value that is never shortened: its JSON and its size in the data.
    Fixed {
        /// Decoded JSON.
        json: String,
        /// Data bytes.
        size: usize,
    },
    /// A counted UTF-8 string.
    Str(String),
    /// Counted bytes, shown as hex.
    Bytes(Vec<u8>),
    /// A counted array of fixed-size elements, shortened by whole elements.
    Array {
        /// Bytes per element.
        unit: usize,
        /// Each element's JSON.
        elements: Vec<String>,
    },
    /// A counted array of fixed-size elements that is written element by
    /// element and never shortened to fit 64 KB (the `LogProcessor`'s lists).
    FixedArray {
        /// Bytes per element.
        unit: usize,
        /// Each element's JSON.
        elements: Vec<String>,
    },
    /// A counted array of strings: its first elements are kept, each of which
    /// may be shortened.
    StrArray(Vec<String>),
    /// A counted array of byte blobs: its first elements are kept, each of
    /// which may be shortened.
    BytesArray(Vec<Vec<u8>>),
}

/// A field: its name, whether its metadata carries a format byte, its value.
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name (metadata names end at their first NUL).
    pub name: String,
    /// True when the metadata has a format byte after the encoding byte.
    pub has_format: bool,
    /// The value.
    pub value: Value,
}

impl Field {
    /// A field.
    pub fn new(name: impl Into<String>, has_format: bool, value: Value) -> Field {
        Field {
            name: name.into(),
            has_format,
            value,
        }
    }
}

/// A Common Schema event: `__csver__`, PartA, PartC (when it has fields), PartB.
#[derive(Debug, Clone)]
pub struct Event {
    /// Provider name, as in the tracepoint name.
    pub provider: String,
    /// EventHeader event name.
    pub name: String,
    /// EventHeader level.
    pub level: u8,
    /// Keyword.
    pub keyword: u64,
    /// PartA members.
    pub part_a: Vec<Field>,
    /// PartC members (no PartC when empty).
    pub part_c: Vec<Field>,
    /// PartB members.
    pub part_b: Vec<Field>,
}

/// What the model predicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The event is written: its decoded JSON, payload size, truncation.
    Written {
        /// `decode_json`'s output.
        json: String,
        /// Bytes after the write index.
        size: usize,
        /// Whether any value was shortened.
        truncated: bool,
    },
    /// Too large even with every shortenable value emptied.
    TooLarge,
}

fn until_nul(name: &str) -> &str {
    name.split('\0').next().unwrap_or("")
}

/// The parts of a value that may be shortened, as (bytes, unit, is UTF-8).
fn shortenable(value: &Value) -> Vec<(usize, usize, bool)> {
    match value {
        Value::Str(s) => vec![(s.len(), 1, true)],
        Value::Bytes(b) => vec![(b.len(), 1, false)],
        Value::Array { unit, elements } => vec![(elements.len() * unit, *unit, false)],
        Value::StrArray(items) => items.iter().map(|s| (s.len(), 1, true)).collect(),
        Value::BytesArray(items) => items.iter().map(|b| (b.len(), 1, false)).collect(),
        Value::Fixed { .. } | Value::FixedArray { .. } => vec![],
    }
}

fn data_size(value: &Value) -> usize {
    match value {
        Value::Fixed { size, .. } => *size,
        Value::Str(s) => 2 + s.len(),
        Value::Bytes(b) => 2 + b.len(),
        Value::Array { unit, elements } | Value::FixedArray { unit, elements } => {
            2 + unit * elements.len()
        }
        Value::StrArray(items) => 2 + items.iter().map(|s| 2 + s.len()).sum::<usize>(),
        Value::BytesArray(items) => 2 + items.iter().map(|b| 2 + b.len()).sum::<usize>(),
    }
}

/// Applies the 16-bit counts: longer values keep 65,535 units. Returns whether
/// anything was cut.
fn cap_counts(value: &mut Value) -> bool {
    match value {
        Value::Str(s) if s.len() > MAX_COUNT => {
            *s = str_prefix(s, MAX_COUNT).to_owned();
            true
        }
        Value::Bytes(b) if b.len() > MAX_COUNT => {
            b.truncate(MAX_COUNT);
            true
        }
        Value::Array { elements, .. } | Value::FixedArray { elements, .. }
            if elements.len() > MAX_COUNT =>
        {
            elements.truncate(MAX_COUNT);
            true
        }
        Value::StrArray(items) => {
            let mut cut = items.len() > MAX_COUNT;
            items.truncate(MAX_COUNT);
            for s in items.iter_mut() {
                if s.len() > MAX_COUNT {
                    *s = str_prefix(s, MAX_COUNT).to_owned();
                    cut = true;
                }
            }
            cut
        }
        Value::BytesArray(items) => {
            let mut cut = items.len() > MAX_COUNT;
            items.truncate(MAX_COUNT);
            for b in items.iter_mut() {
                if b.len() > MAX_COUNT {
                    b.truncate(MAX_COUNT);
                    cut = true;
                }
            }
            cut
        }
        _ => false,
    }
}

/// How many of an array's elements, of `lens` bytes each, are kept when the
/// event's data before the array takes `before` bytes (the module's rule for
/// arrays of strings and blobs).
pub fn kept_elements(before: usize, lens: impl IntoIterator<Item = usize>) -> usize {
    let mut data = before + 2;
    let (mut copied, mut long) = (0, 0);
    for (i, len) in lens.into_iter().enumerate() {
        let is_long = len > SHORT;
        let copies = if is_long { 2 } else { 2 + len };
        if (i > 0 && data + 2 + len > ARRAY_DATA)
            || copied + copies > ARRAY_COPIED
            || long + usize::from(is_long) > ARRAY_LONG
        {
            return i;
        }
        data += 2 + len;
        copied += copies;
        long += usize::from(is_long);
    }
    usize::MAX
}

/// Applies [`kept_elements`] to `value`, whose data starts at `before`;
/// returns whether elements were left out.
fn keep_first_elements(value: &mut Value, before: usize) -> bool {
    let kept = match value {
        Value::StrArray(items) => kept_elements(before, items.iter().map(String::len)),
        Value::BytesArray(items) => kept_elements(before, items.iter().map(Vec::len)),
        _ => return false,
    };
    match value {
        Value::StrArray(items) if kept < items.len() => items.truncate(kept),
        Value::BytesArray(items) if kept < items.len() => items.truncate(kept),
        _ => return false,
    }
    true
}

/// Shortens every part of `value` longer than `cap` to `cap` (whole units,
/// UTF-8 boundaries).
fn apply_cap(value: &mut Value, cap: usize) {
    match value {
        Value::Str(s) if s.len() > cap => *s = str_prefix(s, cap).to_owned(),
        Value::Bytes(b) if b.len() > cap => b.truncate(cap),
        Value::Array { unit, elements } if elements.len() * *unit > cap => {
            elements.truncate(cap / *unit)
        }
        Value::StrArray(items) => {
            for s in items.iter_mut().filter(|s| s.len() > cap) {
                *s = str_prefix(s, cap).to_owned();
            }
        }
        Value::BytesArray(items) => {
            for b in items.iter_mut().filter(|b| b.len() > cap) {
                b.truncate(cap);
            }
        }
        _ => {}
    }
}

/// The decoded JSON of a value.
pub fn value_json(value: &Value) -> String {
    match value {
        Value::Fixed { json, .. } => json.clone(),
        Value::Str(s) => json_str(s),
        Value::Bytes(b) => json_hex(b),
        Value::Array { elements, .. } | Value::FixedArray { elements, .. } => {
            format!("[{}]", elements.join(","))
        }
        Value::StrArray(items) => {
            let items: Vec<String> = items.iter().map(|s| json_str(s)).collect();
            format!("[{}]", items.join(","))
        }
        Value::BytesArray(items) => {
            let items: Vec<String> = items.iter().map(|b| json_hex(b)).collect();
            format!("[{}]", items.join(","))
        }
    }
}

fn fields_meta(fields: &[Field]) -> usize {
    fields
        .iter()
        .map(|f| until_nul(&f.name).len() + 2 + usize::from(f.has_format))
        .sum()
}

fn fields_json(fields: &[Field]) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|f| format!("{}:{}", json_str(until_nul(&f.name)), value_json(&f.value)))
        .collect();
    items.join(",")
}

impl Event {
    fn parts_mut(&mut self) -> impl Iterator<Item = &mut Field> {
        self.part_a
            .iter_mut()
            .chain(self.part_c.iter_mut())
            .chain(self.part_b.iter_mut())
    }

    fn parts(&self) -> impl Iterator<Item = &Field> {
        self.part_a
            .iter()
            .chain(self.part_c.iter())
            .chain(self.part_b.iter())
    }

    /// Metadata plus header size.
    fn head_size(&self) -> usize {
        // Each struct: name, NUL, encoding, member count.
        let structs = ["PartA", "PartB"]
            .iter()
            .map(|s| s.len() + 3)
            .sum::<usize>()
            + if self.part_c.is_empty() { 0 } else { 5 + 3 };
        PREFIX
            + until_nul(&self.name).len()
            + 1
            + "__csver__".len()
            + 3
            + structs
            + fields_meta(&self.part_a)
            + fields_meta(&self.part_c)
            + fields_meta(&self.part_b)
    }

    /// Bytes after the write index, as the values are now.
    pub fn size(&self) -> usize {
        self.head_size() + CSVER_SIZE + self.parts().map(|f| data_size(&f.value)).sum::<usize>()
    }

    /// The decoded JSON, as the values are now.
    pub fn json(&self) -> String {
        let mut out = format!(
            "{{\"n\":{},\"__csver__\":1024,\"PartA\":{{{}}}",
            json_str(&format!("{}:{}", self.provider, until_nul(&self.name))),
            fields_json(&self.part_a)
        );
        if !self.part_c.is_empty() {
            let _ = write!(out, ",\"PartC\":{{{}}}", fields_json(&self.part_c));
        }
        let _ = write!(
            out,
            ",\"PartB\":{{{}}},\"meta\":{{\"level\":{},\"keyword\":\"0x{:X}\"}}}}",
            fields_json(&self.part_b),
            self.level,
            self.keyword
        );
        out
    }

    /// The event with the 16-bit counts and the rule for arrays of strings
    /// and blobs applied (in the order of the data), whether that shortened
    /// anything, and how many bytes it is still over [`MAX_EVENT`] (0 when
    /// it fits).
    fn with_counts_applied(&self) -> (Event, bool, usize) {
        let mut event = self.clone();
        let mut cut = false;
        let mut before = CSVER_SIZE;
        for field in event.parts_mut() {
            cut |= cap_counts(&mut field.value);
            cut |= keep_first_elements(&mut field.value, before);
            before += data_size(&field.value);
        }
        let excess = event.size().saturating_sub(MAX_EVENT);
        (event, cut, excess)
    }

    /// The lengths of the parts that may be shortened.
    fn shortenable_lens(&self) -> Vec<usize> {
        self.parts()
            .flat_map(|f| shortenable(&f.value))
            .map(|(len, _, _)| len)
            .collect()
    }

    /// What the event becomes when written: the rules in the module docs.
    pub fn expected(&self) -> Expected {
        let (mut event, mut truncated, excess) = self.with_counts_applied();
        if excess > 0 {
            let Some(cap) = water_level(&event.shortenable_lens(), excess) else {
                return Expected::TooLarge;
            };
            for field in event.parts_mut() {
                apply_cap(&mut field.value, cap);
            }
            truncated = true;
        }
        Expected::Written {
            json: event.json(),
            size: event.size(),
            truncated,
        }
    }

    /// The common cap [`Event::expected`] would use, if the event must be
    /// shortened (for tests that want to stay in a range of caps).
    pub fn cap(&self) -> Option<usize> {
        let (event, _, excess) = self.with_counts_applied();
        if excess == 0 {
            return None;
        }
        water_level(&event.shortenable_lens(), excess)
    }
}

/// The largest cap that frees at least `excess` (> 0) bytes when every length
/// above it is cut to it; `None` when emptying them all frees less.
///
/// Found as a water level, lowered past the longest lengths one at a time:
/// with the `k` longest cut to a cap `c` no shorter than the next length, they
/// free `sum of the k longest - k * c`, so the first `k` at which even `c` =
/// the next length frees enough gives the cap `(sum - excess) / k`.
fn water_level(lens: &[usize], excess: usize) -> Option<usize> {
    let mut longest_first = lens.to_vec();
    longest_first.sort_unstable_by(|a, b| b.cmp(a));
    let mut sum = 0;
    (0..longest_first.len()).find_map(|i| {
        sum += longest_first[i];
        let k = i + 1;
        let next = longest_first.get(k).copied().unwrap_or(0);
        (sum - k * next >= excess).then(|| (sum - excess) / k)
    })
}

/// Whether `actual` is `expected` or a shortening of it (strings: a prefix;
/// lists: a prefix of elements, each a shortening); `Err` when it is neither.
pub fn shortening(
    actual: &serde_json::Value,
    expected: &serde_json::Value,
) -> Result<bool, String> {
    use serde_json::Value as J;
    match (actual, expected) {
        (a, e) if a == e => Ok(false),
        (J::String(a), J::String(e)) if e.starts_with(a.as_str()) => Ok(true),
        (J::Array(a), J::Array(e)) if a.len() <= e.len() => {
            let mut shortened = a.len() < e.len();
            for (a, e) in a.iter().zip(e) {
                shortened |= shortening(a, e)?;
            }
            Ok(shortened)
        }
        _ => Err(format!("{actual} is not {expected} nor a shortening of it")),
    }
}

/// Parses a decoded event (keys in their order).
pub fn parse(json: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_str(json) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        other => Err(format!("not a JSON object: {other:?}: {json}")),
    }
}

/// Generators shared by the property tests.
pub mod generate {
    use proptest::prelude::*;

    /// Characters of every UTF-8 length, with the ones JSON must escape.
    pub fn character() -> impl Strategy<Value = char> {
        prop_oneof![
            6 => proptest::char::range('a', 'z'),
            2 => proptest::char::range(' ', '~'),
            1 => proptest::sample::select(vec!['\0', '\n', '\t', '\r', '\u{1}', '\u{8}', '\u{c}', '\u{1f}', '\u{7f}', '"', '\\']),
            1 => proptest::char::range('\u{80}', '\u{7ff}'),
            1 => proptest::char::range('\u{800}', '\u{ffff}'),
            1 => proptest::char::range('\u{10000}', '\u{10ffff}'),
        ]
    }

    /// Up to `max` characters.
    pub fn short_text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(character(), 0..=max).prop_map(|c| c.into_iter().collect())
    }

    /// A pattern of characters repeated until the text has at least `min` to
    /// `max` bytes (a strategy per character would be slow for long texts).
    pub fn long_text(min: usize, max: usize) -> impl Strategy<Value = String> {
        (proptest::collection::vec(character(), 1..6), min..=max).prop_map(|(pattern, len)| {
            let mut s = String::with_capacity(len + 4);
            while s.len() < len {
                s.extend(pattern.iter());
            }
            s
        })
    }

    /// `min` to `max` bytes made from a seed.
    pub fn long_bytes(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
        (any::<u8>(), min..=max).prop_map(|(seed, len)| {
            (0..len)
                .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
                .collect()
        })
    }

    /// `default` cases, or `PROPTEST_CASES` when set; from a fixed seed, or
    /// `PROPTEST_RNG_SEED` when set (see [`seeded`]).
    pub fn cases(default: u32) -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default);
        seeded(ProptestConfig::with_cases(cases))
    }

    /// `config` with a fixed seed: every run (CI's included) tries the same
    /// cases, so the outcome depends only on the code. Explore further with
    /// `PROPTEST_RNG_SEED=<u64>` (or `PROPTEST_CASES=<n>` for more of them).
    pub fn seeded(config: ProptestConfig) -> ProptestConfig {
        let seed = std::env::var("PROPTEST_RNG_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x5eed_f0e1_u64);
        ProptestConfig {
            rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
            ..config
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_instants() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_704_112_496, 789_000_000),
            "2024-01-01T12:34:56.789Z"
        );
        assert_eq!(rfc3339(951_782_400, 1_000), "2000-02-29T00:00:00.000001Z");
        assert_eq!(rfc3339(-1, 5), "1969-12-31T23:59:59.000000005Z");
        assert_eq!(rfc3339(253_402_300_800, 0), "+10000-01-01T00:00:00Z");
        assert_eq!(rfc3339(-62_167_219_201, 0), "-0001-12-31T23:59:59Z");
    }

    #[test]
    fn the_water_level_is_the_largest_cap_that_frees_enough() {
        // The definition, tried cap by cap from the longest length down.
        let by_definition = |lens: &[usize], excess: usize| {
            (0..=lens.iter().copied().max().unwrap_or(0))
                .rev()
                .find(|&cap| lens.iter().map(|l| l.saturating_sub(cap)).sum::<usize>() >= excess)
        };
        let sets: [&[usize]; 7] = [
            &[],
            &[0],
            &[10],
            &[7, 7, 7],
            &[100, 3, 50, 50, 1],
            &[9, 0, 4, 4, 12, 1, 30],
            &[65_535, 2, 65_535, 17],
        ];
        for lens in sets {
            let total: usize = lens.iter().sum();
            for excess in (1..=total + 2).step_by(1 + total / 200) {
                assert_eq!(
                    water_level(lens, excess),
                    by_definition(lens, excess),
                    "{lens:?} excess {excess}"
                );
            }
        }
    }

    #[test]
    fn json_escapes_like_the_decoder() {
        assert_eq!(
            json_str("a\"b\\c\n\u{1}\u{1f}é"),
            r#""a\"b\\c\n\u0001\u001Fé""#
        );
        assert_eq!(json_f64(2.0), "2");
        assert_eq!(json_f64(1e17), "1e17");
        assert_eq!(json_f64(f64::NAN), "\"NaN\"");
        assert_eq!(json_f32(1.5e-5), "1.5e-5");
        assert_eq!(json_hex(&[0, 0xab]), "\"00 AB\"");
    }
}
