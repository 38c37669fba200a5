//! JSON text pieces written straight into a formatter (no allocation): strings
//! with their escapes, numbers, and bytes as lowercase hex. Used by the
//! `LogProcessor`'s JSON values ([`super::any_value::Json`]) and by the scalar
//! profile's arrays ([`super::field::ArrayElement::write_json`]).

use std::fmt::{self, Write as _};

/// Writes `s` as a JSON string: quoted, with `"`, `\` and control characters escaped.
pub(crate) fn write_json_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    JsonEscape(f).write_str(s)?;
    f.write_char('"')
}

/// Writes `v` as a JSON number: `null` for NaN and the infinities, which JSON
/// lacks. Rust's shortest round-trip digits, so the text reads back as `v`.
pub(crate) fn write_json_f64(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_finite() {
        write!(f, "{v}")
    } else {
        f.write_str("null")
    }
}

/// Writes `items` as a JSON array, `[a,b,c]`, each element written by `item`.
pub(crate) fn write_json_list<T>(
    items: &[T],
    f: &mut fmt::Formatter<'_>,
    item: impl Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_char('[')?;
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        item(f, v)?;
    }
    f.write_char(']')
}

/// Writes `bytes` as lowercase hex digits, two a byte, no separators.
pub(crate) fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        f.write_char(DIGITS[(b >> 4) as usize] as char)?;
        f.write_char(DIGITS[(b & 0xF) as usize] as char)?;
    }
    Ok(())
}

/// Displays bytes as lowercase hex digits (see [`write_hex`]).
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, self.0)
    }
}

/// Escapes what it is given for the inside of a JSON string.
pub(crate) struct JsonEscape<'f, 'g>(pub(crate) &'f mut fmt::Formatter<'g>);

impl fmt::Write for JsonEscape<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut start = 0;
        for (i, byte) in s.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1F => "",
                _ => continue,
            };
            self.0.write_str(&s[start..i])?;
            if escape.is_empty() {
                write!(self.0, "\\u{byte:04x}")?;
            } else {
                self.0.write_str(escape)?;
            }
            start = i + 1;
        }
        self.0.write_str(&s[start..])
    }
}

/// Formats with a function, for the one-off `Display`s of this module's users.
pub(crate) struct Text<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result>(pub(crate) F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Text<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_numbers_and_hex_are_json_text() {
        let s = Text(|f| write_json_str(f, "a\"b\\c\nd\u{1}é")).to_string();
        assert_eq!(s, r#""a\"b\\c\nd\u0001é""#);
        let n = Text(|f| {
            write_json_f64(f, 0.1)?;
            f.write_char(' ')?;
            write_json_f64(f, f64::NAN)?;
            f.write_char(' ')?;
            write_json_f64(f, -2.5e-300)
        })
        .to_string();
        assert_eq!(n, format!("0.1 null {}", -2.5e-300));
        assert_eq!(Hex(&[0x00, 0x0f, 0xa0, 0xff]).to_string(), "000fa0ff");
    }
}
