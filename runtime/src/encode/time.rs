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

/// `00`, `01`, .. `99`: two digits per table read.
static DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// A formatted timestamp, at most `-292277022657-01-27T08:29:52.999999999Z`.
pub(crate) struct Rfc3339 {
    buf: [u8; 40],
    len: usize,
}

impl Rfc3339 {
    /// The current time, formatted as UTC. Reads the clock directly: going
    /// through `SystemTime` costs more than the rest of the formatting.
    #[cfg(unix)]
    pub(crate) fn now() -> Rfc3339 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec to write to.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } != 0 {
            return Rfc3339::new(SystemTime::now());
        }
        // `time_t` is narrower than i64 on 32-bit targets.
        #[allow(clippy::useless_conversion)]
        let secs = i64::from(ts.tv_sec);
        Rfc3339::from_parts(secs, ts.tv_nsec as u32)
    }

    /// The current time, formatted as UTC (from `SystemTime` where `libc` has
    /// no `clock_gettime`: Windows).
    #[cfg(not(unix))]
    pub(crate) fn now() -> Rfc3339 {
        Rfc3339::new(SystemTime::now())
    }

    /// Formats `time` as UTC.
    pub(crate) fn new(time: SystemTime) -> Rfc3339 {
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
        Rfc3339::from_parts(secs, nanos)
    }

    /// Formats `secs` seconds and `nanos` nanoseconds (below one second) after
    /// the Unix epoch.
    #[inline(always)]
    fn from_parts(secs: i64, nanos: u32) -> Rfc3339 {
        if let Some(prefix) = LAST_SECOND
            .try_with(|last| Some(last.get()).filter(|(s, _)| *s == secs))
            .ok()
            .flatten()
        {
            return Rfc3339::with_prefix(prefix.1, nanos);
        }
        Rfc3339::new_second(secs, nanos)
    }

    /// [`Rfc3339::from_parts`] in a second this thread has not formatted yet:
    /// the calendar arithmetic, out of the way of the common case.
    #[cold]
    #[inline(never)]
    fn new_second(secs: i64, nanos: u32) -> Rfc3339 {
        let days = secs.div_euclid(86_400);
        let second_of_day = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);

        if (0..=9999).contains(&year) {
            let formatted =
                Rfc3339::four_digit_year(year as u32, month, day, second_of_day as u32, nanos);
            let mut prefix = [0; 19];
            prefix.copy_from_slice(&formatted.buf[..19]);
            let _ = LAST_SECOND.try_with(|last| last.set((secs, prefix)));
            return formatted;
        }
        let mut out = Rfc3339 {
            buf: [0; 40],
            len: 0,
        };
        if !(0..=9999).contains(&year) {
            // Outside chrono's 4-digit range it writes a sign and more digits; keep the shape.
            out.push(if year < 0 { b'-' } else { b'+' });
        }
        out.digits(year.unsigned_abs(), 4);
        out.push(b'-');
        out.digits(month as u64, 2);
        out.push(b'-');
        out.digits(day as u64, 2);
        out.push(b'T');
        out.digits((second_of_day / 3600) as u64, 2);
        out.push(b':');
        out.digits((second_of_day / 60 % 60) as u64, 2);
        out.push(b':');
        out.digits((second_of_day % 60) as u64, 2);
        if nanos != 0 {
            out.push(b'.');
            if nanos.is_multiple_of(1_000_000) {
                out.digits((nanos / 1_000_000) as u64, 3);
            } else if nanos.is_multiple_of(1_000) {
                out.digits((nanos / 1_000) as u64, 6);
            } else {
                out.digits(nanos as u64, 9);
            }
        }
        out.push(b'Z');
        out
    }

    /// The usual case, `YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z`, written in place
    /// two digits at a time (this runs for every event).
    fn four_digit_year(year: u32, month: u32, day: u32, second_of_day: u32, nanos: u32) -> Rfc3339 {
        let mut buf = *b"0000-00-00T00:00:00\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        let pair = |buf: &mut [u8; 40], at: usize, v: u32| {
            buf[at] = b'0' + (v / 10) as u8;
            buf[at + 1] = b'0' + (v % 10) as u8;
        };
        pair(&mut buf, 0, year / 100);
        pair(&mut buf, 2, year % 100);
        pair(&mut buf, 5, month);
        pair(&mut buf, 8, day);
        pair(&mut buf, 11, second_of_day / 3600);
        pair(&mut buf, 14, second_of_day / 60 % 60);
        pair(&mut buf, 17, second_of_day % 60);
        Rfc3339::fraction(buf, nanos)
    }

    /// `prefix` (`YYYY-MM-DDTHH:MM:SS`), then the fraction and `Z`.
    #[inline(always)]
    fn with_prefix(prefix: [u8; 19], nanos: u32) -> Rfc3339 {
        let mut buf = [0u8; 40];
        buf[..19].copy_from_slice(&prefix);
        Rfc3339::fraction(buf, nanos)
    }

    /// Completes `buf`, whose first 19 bytes are written, with the fraction and
    /// `Z`: the digits two at a time from a table, right to left (this runs for
    /// every event, mostly with 9 digits).
    #[inline(always)]
    fn fraction(mut buf: [u8; 40], nanos: u32) -> Rfc3339 {
        if nanos == 0 {
            buf[19] = b'Z';
            return Rfc3339 { buf, len: 20 };
        }
        buf[19] = b'.';
        // Most clocks give nanoseconds that are no whole microsecond: 9 digits,
        // written straight; 6 or 3 digits when they lose nothing (chrono's AutoSi).
        let end = if !nanos.is_multiple_of(1_000) {
            let rest = nanos % 100_000_000;
            buf[20] = b'0' + (nanos / 100_000_000) as u8;
            Rfc3339::pair(&mut buf, 21, rest / 1_000_000);
            Rfc3339::pair(&mut buf, 23, rest / 10_000 % 100);
            Rfc3339::pair(&mut buf, 25, rest / 100 % 100);
            Rfc3339::pair(&mut buf, 27, rest % 100);
            29
        } else {
            let (mut value, digits) = if nanos.is_multiple_of(1_000_000) {
                (nanos / 1_000_000, 3)
            } else {
                (nanos / 1_000, 6)
            };
            let end = 20 + digits;
            let mut at = end;
            while at >= 22 {
                at -= 2;
                Rfc3339::pair(&mut buf, at, value % 100);
                value /= 100;
            }
            if at == 21 {
                buf[20] = b'0' + value as u8;
            }
            end
        };
        buf[end] = b'Z';
        Rfc3339 { buf, len: end + 1 }
    }

    /// Writes `v` (below 100) as two digits at `at`.
    #[inline(always)]
    fn pair(buf: &mut [u8; 40], at: usize, v: u32) {
        let pair = 2 * v as usize;
        buf[at] = DIGIT_PAIRS[pair];
        buf[at + 1] = DIGIT_PAIRS[pair + 1];
    }

    /// The formatted text.
    pub(crate) fn as_str(&self) -> &str {
        let bytes = &self.buf[..self.len];
        debug_assert!(bytes.is_ascii());
        // SAFETY: only ASCII digits and punctuation are ever written to `buf`.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    fn push(&mut self, byte: u8) {
        self.buf[self.len] = byte;
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
