//! Times, durations and IP addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, SystemTime};

use eventheader_types::FieldFormat;
use opentelemetry::logs::AnyValue;

use super::traits::{Field, FieldValue, Scalar, Stored, unsigned_scalar};
use crate::encode::encoding::{BINARY, STRING, VALUE64};
use crate::encode::time::Rfc3339;
use crate::encode::writer::DataWriter;

impl Field for SystemTime {
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        w.display(format_args!("{}", Rfc3339::new(*self).as_str()));
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::String(Rfc3339::new(*self).as_str().to_owned().into())
    }
}
impl FieldValue for SystemTime {
    const ENCODING: u8 = STRING;
    const FORMAT: u8 = 0;
}

/// Durations are written as whole nanoseconds (saturating at `u64::MAX`).
impl Field for Duration {
    fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
        let nanos = u64::try_from(self.as_nanos()).unwrap_or(u64::MAX);
        w.value(&nanos.to_ne_bytes());
    }
    fn to_any_value(&self) -> AnyValue {
        AnyValue::Int(i64::try_from(self.as_nanos()).unwrap_or(i64::MAX))
    }
    fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
        unsigned_scalar(u64::try_from(self.as_nanos()).unwrap_or(u64::MAX), w)
    }
}
impl FieldValue for Duration {
    const ENCODING: u8 = VALUE64;
    const FORMAT: u8 = FieldFormat::UnsignedInt.as_int();
    const STORED: Stored = Stored::Fixed(8);
    #[inline(always)]
    fn store(&self, out: &mut [u8]) {
        let nanos = u64::try_from(self.as_nanos()).unwrap_or(u64::MAX);
        out.copy_from_slice(&nanos.to_ne_bytes());
    }
}

/// IP addresses are their octets with the IP address format, which decoders show
/// as `192.0.2.1` or `2001:db8::1`.
macro_rules! ip_addresses {
    ($($ty:ty),*) => {$(
        impl Field for $ty {
            fn encode<'a>(&'a self, w: &mut DataWriter<'a>) {
                match IpAddr::from(*self) {
                    IpAddr::V4(v4) => w.bytes_copied(&v4.octets()),
                    IpAddr::V6(v6) => w.bytes_copied(&v6.octets()),
                }
            }
            fn to_any_value(&self) -> AnyValue {
                AnyValue::String(self.to_string().into())
            }
            fn encode_scalar<'a>(&'a self, w: &mut DataWriter<'a>) -> Scalar {
                w.display(format_args!("{self}"));
                Scalar::TEXT
            }
        }
        impl FieldValue for $ty {
            const ENCODING: u8 = BINARY;
            const FORMAT: u8 = FieldFormat::IPAddress.as_int();
        }
    )*};
}

ip_addresses!(IpAddr, Ipv4Addr, Ipv6Addr);
