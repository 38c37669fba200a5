//! Every accepted form of `#[otel_event]` compiles, on every kind of function.
use std::fmt;

use otel_user_events::{field::FieldValue, Level, otel_event};

const KEYWORD: u64 = 0x20;

#[derive(Debug)]
struct PayError;

impl fmt::Display for PayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("declined")
    }
}

impl std::error::Error for PayError {}

struct Card;

struct Payments {
    region: String,
}

impl Payments {
    #[otel_event(level = "warn", name = "Charge", skip(_card), fields(region = self.region.as_str()), ret, err)]
    fn charge(&self, customer: &str, amount: u64, _card: &Card) -> Result<u64, PayError> {
        if amount == 0 {
            return Err(PayError);
        }
        Ok(amount)
    }

    #[otel_event(ret)]
    fn region(&self) -> &str {
        &self.region
    }

    #[otel_event(duration)]
    fn rename(&mut self, region: String) {
        self.region = region;
    }

    #[otel_event(ret(Debug))]
    fn into_region(self) -> String {
        self.region
    }

    #[otel_event(duration)]
    async fn settle(&self, batch: u32) -> Result<u32, Box<dyn std::error::Error>> {
        let n: u32 = "12".parse()?;
        Ok(n + batch)
    }

    #[otel_event]
    fn boxed(self: Box<Self>) {}
}

trait Shop {
    #[otel_event(ret)]
    fn price(&self, id: u64) -> u64 {
        id * 2
    }
}

impl Shop for Payments {}

#[otel_event]
fn minimal() {}

#[otel_event()]
fn empty_parentheses(a: i32) {}

#[otel_event(level = Level::Error, keyword = KEYWORD)]
fn level_path(a: u8) {}

#[otel_event(level = verbose, keyword = 0x10)]
fn level_ident() {}

#[otel_event(level = "critical")]
fn level_string() {}

#[otel_event(skip_all, fields(len = items.len(), "dotted.name" = %items.len(), ?items))]
fn fields_forms(items: &[String]) {}

#[otel_event(ret, err(Debug), duration)]
fn everything(text: &str) -> Result<u16, std::num::ParseIntError> {
    let n: u16 = text.parse()?;
    Ok(n)
}

#[otel_event(err)]
fn io_result(path: &str) -> std::io::Result<()> {
    Ok(())
}

#[otel_event(ret)]
fn generic<T: FieldValue + Copy, U>(value: T, other: U) -> T
where
    U: FieldValue,
{
    value
}

#[otel_event(skip(_opaque))]
fn skipped_generic<T>(n: u32, _opaque: T) {}

#[otel_event(ret(Display))]
fn returns_impl(n: u32) -> impl fmt::Display {
    n * 2
}

#[otel_event(ret)]
fn returns_impl_in_result(n: u32) -> Result<u32, impl fmt::Display> {
    if n > 0 { Ok(n) } else { Err("zero") }
}

#[otel_event]
fn impl_argument(value: impl FieldValue, items: impl IntoIterator<Item = u8> + FieldValue) {}

#[otel_event(ret)]
fn into_conversion(n: u8) -> Result<u32, Box<dyn std::error::Error>> {
    let small: u8 = u8::try_from(u32::from(n) + 1)?;
    Ok(small.into())
}

#[otel_event(duration)]
fn never_returns() -> ! {
    std::process::exit(0)
}

#[otel_event(ret)]
async fn async_plain(n: u32) -> u32 {
    n
}

#[otel_event]
async fn async_event(name: String) {}

#[otel_event(ret)]
fn r#type(r#ref: u32) -> u32 {
    r#ref
}

#[otel_event(duration)]
#[inline]
#[must_use]
fn attributes_kept(a: u8) -> u8 {
    #![allow(clippy::identity_op)]
    a + 0
}

#[otel_event(crate = ::otel_user_events, ret)]
fn explicit_crate(a: u8) -> u8 {
    a
}

#[otel_event(ret)]
unsafe fn unsafe_fn(a: u8) -> u8 {
    a
}

#[otel_event]
fn patterns((a, b): (u8, u8), [c, _]: [u8; 2]) {}

fn main() {
    let p = Payments {
        region: "eu".into(),
    };
    let _ = p.charge("ada", 1, &Card);
    let _ = p.region();
    let _ = p.price(1);
    let _ = p.settle(1);
    let mut p = p;
    p.rename("us".into());
    let _ = p.into_region();
    minimal();
    empty_parentheses(1);
    level_path(1);
    level_ident();
    level_string();
    fields_forms(&[]);
    let _ = everything("1");
    let _ = io_result("/");
    generic(1u8, "x");
    skipped_generic(1, Card);
    returns_impl(1).to_string();
    let _ = returns_impl_in_result(1);
    impl_argument(1u8, vec![1u8]);
    let _ = into_conversion(1);
    let _ = async_plain(1);
    let _ = async_event(String::new());
    r#type(1);
    let _ = attributes_kept(1);
    explicit_crate(1);
    unsafe { unsafe_fn(1) };
    patterns((1, 2), [3, 4]);
    Box::new(Payments {
        region: String::new(),
    })
    .boxed();
    if false {
        never_returns();
    }
}
