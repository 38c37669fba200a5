//! RFC 3339 UTC timestamps, formatted on the stack with the digits the
//! `opentelemetry-user-events-logs` crate writes (chrono's `SecondsFormat::AutoSi`
//! with `Z`: no fraction, or 3, 6 or 9 digits, the fewest that lose nothing).

use std::cell::Cell;
use std::time::SystemTime;

thread_local! {
    /// The last second this thread formatted and its `YYYY-MM-DDTHH:MM:SS`:
    /// events come many to a second, and the calendar arithmetic is most of the
    /// formatting.
    static LAST_SECOND: Cell<(i64, [u8; 19])> = const { Cell::new((i64::MIN, [0; 19])) };
}

/// The longest timestamp: `-292277022657-01-27T08:29:52.999999999Z` fits.
pub(crate) const MAX_LEN: usize = 40;

/// A formatted timestamp.
pub(crate) struct Rfc3339 {
    buf: [u8; MAX_LEN],
    len: usize,
}

impl Rfc3339 {
    /// The current time, formatted as UTC.
    pub(crate) fn now() -> Rfc3339 {
        let mut buf = [0; MAX_LEN];
        let len = now_into(&mut buf);
        Rfc3339 { buf, len }
    }

    /// Formats `time` as UTC.
    pub(crate) fn new(time: SystemTime) -> Rfc3339 {
        let mut buf = [0; MAX_LEN];
        let len = time_into(time, &mut buf);
        Rfc3339 { buf, len }
    }

    /// The formatted text.
    pub(crate) fn as_str(&self) -> &str {
        let bytes = &self.buf[..self.len];
        debug_assert!(bytes.is_ascii());
        // SAFETY: only ASCII digits and punctuation are ever written to `buf`.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// Formats `time` as UTC into `out`; returns its length.
#[inline]
pub(crate) fn time_into(time: SystemTime, out: &mut [u8; MAX_LEN]) -> usize {
    let (secs, nanos) = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let (s, n) = (d.as_secs() as i64, d.subsec_nanos());
            if n == 0 {
                (-s, 0)
            } else {
                (-s - 1, 1_000_000_000 - n)
            }
        }
    };
    format_into(secs, nanos, out)
}

/// Formats the current time as UTC into `out`; returns its length. Reads the
/// clock directly: going through `SystemTime` costs more than the rest of the
/// formatting.
#[cfg(unix)]
#[inline(always)]
pub(crate) fn now_into(out: &mut [u8; MAX_LEN]) -> usize {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write to.
    if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } != 0 {
        return system_time_into(out);
    }
    // `time_t` is narrower than i64 on 32-bit targets.
    #[allow(clippy::useless_conversion)]
    let secs = i64::from(ts.tv_sec);
    format_into(secs, ts.tv_nsec as u32, out)
}

/// [`now_into`] where `libc` has no `clock_gettime` (Windows).
#[cfg(not(unix))]
pub(crate) fn now_into(out: &mut [u8; MAX_LEN]) -> usize {
    system_time_into(out)
}

/// [`now_into`] through `SystemTime`.
#[cold]
fn system_time_into(out: &mut [u8; MAX_LEN]) -> usize {
    time_into(SystemTime::now(), out)
}

/// Formats `secs` seconds and `nanos` nanoseconds (below one second) after
/// the Unix epoch into `out`; returns the length.
#[inline(always)]
fn format_into(secs: i64, nanos: u32, out: &mut [u8; MAX_LEN]) -> usize {
    match LAST_SECOND.try_with(Cell::get) {
        Ok((second, prefix)) if second == secs => {
            out[..19].copy_from_slice(&prefix);
            fraction(out, nanos)
        }
        _ => new_second(secs, nanos, out),
    }
}

/// [`format_into`] in a second this thread has not formatted yet: the
/// calendar arithmetic, out of the way of the common case.
#[cold]
#[inline(never)]
fn new_second(secs: i64, nanos: u32, out: &mut [u8; MAX_LEN]) -> usize {
    let days = secs.div_euclid(86_400);
    let second_of_day = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    if (0..=9999).contains(&year) {
        let year = year as u32;
        let mut prefix = *b"0000-00-00T00:00:00";
        for (at, v) in [
            (0, year / 100),
            (2, year % 100),
            (5, month),
            (8, day),
            (11, second_of_day / 3600),
            (14, second_of_day / 60 % 60),
            (17, second_of_day % 60),
        ] {
            prefix[at] = b'0' + (v / 10) as u8;
            prefix[at + 1] = b'0' + (v % 10) as u8;
        }
        let _ = LAST_SECOND.try_with(|last| last.set((secs, prefix)));
        out[..19].copy_from_slice(&prefix);
        return fraction(out, nanos);
    }
    // Outside chrono's 4-digit range it writes a sign and more digits; keep the shape.
    let mut text = Text { out, len: 0 };
    text.push(if year < 0 { b'-' } else { b'+' });
    text.digits(year.unsigned_abs(), 4);
    text.push(b'-');
    text.digits(month as u64, 2);
    text.push(b'-');
    text.digits(day as u64, 2);
    text.push(b'T');
    text.digits((second_of_day / 3600) as u64, 2);
    text.push(b':');
    text.digits((second_of_day / 60 % 60) as u64, 2);
    text.push(b':');
    text.digits((second_of_day % 60) as u64, 2);
    if nanos != 0 {
        text.push(b'.');
        if nanos.is_multiple_of(1_000_000) {
            text.digits((nanos / 1_000_000) as u64, 3);
        } else if nanos.is_multiple_of(1_000) {
            text.digits((nanos / 1_000) as u64, 6);
        } else {
            text.digits(nanos as u64, 9);
        }
    }
    text.push(b'Z');
    text.len
}

/// Completes `out`, whose first 19 bytes are written, with the fraction and
/// `Z`; returns the length. Runs for every event, mostly with 9 digits: the
/// last 8 of them converted together in one 64-bit word.
#[inline(always)]
fn fraction(out: &mut [u8; MAX_LEN], nanos: u32) -> usize {
    if nanos == 0 {
        out[19] = b'Z';
        return 20;
    }
    out[19] = b'.';
    // Most clocks give nanoseconds that are no whole microsecond: 9 digits;
    // 6 or 3 when they lose nothing (chrono's AutoSi).
    let end = if !nanos.is_multiple_of(1_000) {
        out[20] = b'0' + (nanos / 100_000_000) as u8;
        out[21..29].copy_from_slice(&eight_digits(nanos % 100_000_000));
        29
    } else if !nanos.is_multiple_of(1_000_000) {
        let micros = nanos / 1_000;
        out[20..28].copy_from_slice(&eight_digits(micros % 100_000_000));
        // The 8 digits of a 6-digit value start with two zeros.
        out.copy_within(22..28, 20);
        26
    } else {
        let millis = nanos / 1_000_000;
        out[20] = b'0' + (millis / 100) as u8;
        out[21] = b'0' + (millis / 10 % 10) as u8;
        out[22] = b'0' + (millis % 10) as u8;
        23
    };
    out[end] = b'Z';
    end + 1
}

/// The 8 decimal digits of `v` (below 100,000,000), zero-padded, as ASCII:
/// the halves, quarters and digits split in parallel lanes of one word
/// (divisions by 100 and 10 as multiplications that are exact in range).
#[inline(always)]
fn eight_digits(v: u32) -> [u8; 8] {
    debug_assert!(v < 100_000_000);
    let v = u64::from(v);
    // Lanes of 32 bits: abcd, efgh.
    let x = (v / 10_000) | ((v % 10_000) << 32);
    // x / 100 in each lane (exact below 10,000 with 10486 / 2^20), then
    // lanes of 16 bits: ab, cd, ef, gh.
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let y = hundreds | ((x - hundreds * 100) << 16);
    // y / 10 in each lane (exact below 100 with 103 / 2^10), then lanes of
    // 8 bits: a, b, c, d, e, f, g, h.
    let tens = ((y * 103) >> 10) & 0x000f_000f_000f_000f;
    let digits = tens | ((y - tens * 10) << 8);
    (digits | 0x3030_3030_3030_3030).to_le_bytes()
}

/// Text being written into a timestamp buffer (the rare shapes).
struct Text<'o> {
    out: &'o mut [u8; MAX_LEN],
    len: usize,
}

impl Text<'_> {
    fn push(&mut self, byte: u8) {
        self.out[self.len] = byte;
        self.len += 1;
    }

    /// Writes `value` zero-padded to at least `width` digits.
    fn digits(&mut self, value: u64, width: usize) {
        let mut tmp = [0u8; 20];
        let mut n = 0;
        let mut v = value;
        while v != 0 || n < width {
            tmp[n] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
        }
        for &d in tmp[..n].iter().rev() {
            self.push(d);
        }
    }
}

/// Year, month, day of the proleptic Gregorian calendar for days since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn chrono_digits(t: SystemTime) -> String {
        chrono::DateTime::<chrono::Utc>::from(t)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    #[test]
    fn matches_the_seed_crates_digits() {
        let epoch = SystemTime::UNIX_EPOCH;
        let cases = [
            epoch,
            epoch + Duration::from_millis(1_704_112_496_789),
            epoch + Duration::from_micros(1_704_112_496_789_012),
            epoch + Duration::from_nanos(1_704_112_496_789_012_345),
            epoch + Duration::from_secs(951_782_400), // 2000-02-29
            epoch + Duration::from_secs(253_402_300_799), // 9999-12-31T23:59:59
            epoch - Duration::from_nanos(1),
            epoch - Duration::from_secs(86_400 * 365 * 300 + 5),
        ];
        for t in cases {
            assert_eq!(Rfc3339::new(t).as_str(), chrono_digits(t), "{t:?}");
        }
        assert_eq!(
            Rfc3339::new(epoch + Duration::from_millis(1_704_112_496_789)).as_str(),
            "2024-01-01T12:34:56.789Z"
        );
    }

    #[test]
    fn matches_chrono_over_a_sweep_of_days_and_fractions() {
        let mut t = SystemTime::UNIX_EPOCH - Duration::from_secs(86_400 * 800);
        for i in 0..3000u64 {
            t += Duration::from_secs(86_400 + 3_607) + Duration::from_nanos(i * 1_234_567);
            assert_eq!(Rfc3339::new(t).as_str(), chrono_digits(t));
        }
    }

    #[test]
    fn eight_digits_are_every_value_zero_padded() {
        for v in (0..100_000_000)
            .step_by(9_973)
            .chain([0, 1, 9, 10, 99_999_999])
        {
            assert_eq!(eight_digits(v), format!("{v:08}").as_bytes(), "{v}");
        }
    }

    #[test]
    fn now_is_the_current_time() {
        let before = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
        let now = Rfc3339::now();
        let after = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
        let parsed = chrono::DateTime::parse_from_rfc3339(now.as_str())
            .unwrap_or_else(|e| panic!("{}: {e}", now.as_str()));
        assert!(
            before <= parsed && parsed <= after,
            "{before} {} {after}",
            now.as_str()
        );
    }

    #[test]
    fn times_within_one_second_reuse_its_digits_correctly() {
        let second = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_112_496);
        let mut times: Vec<SystemTime> = [0, 789_000_000, 789_012_000, 789_012_345, 999_999_999]
            .iter()
            .map(|&n| second + Duration::from_nanos(n))
            .collect();
        // The next second and back: the cached one must be replaced, not reused.
        times.push(second + Duration::from_secs(1));
        times.push(second + Duration::from_nanos(5));
        times.push(second - Duration::from_nanos(1));
        for t in times {
            assert_eq!(Rfc3339::new(t).as_str(), chrono_digits(t), "{t:?}");
        }
    }
}
