//! `ret` on a `Result` under another name records the Ok value, as on a
//! `Result` written out; on a type that is not a `Result`, the whole value.
use std::fmt;

use otel_user_events::otel_event;

#[derive(Debug)]
struct MyErr;

impl fmt::Display for MyErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("my error")
    }
}

type Fallible<T> = Result<T, MyErr>;
type Count = u32;

mod io_like {
    pub type Outcome<T> = Result<T, std::io::Error>;
}

#[otel_event(ret)]
fn parse(n: u32) -> Fallible<u32> {
    if n == 0 {
        return Err(MyErr);
    }
    Ok(n)
}

#[otel_event(ret, err)]
fn parse_both(n: u32) -> Fallible<u32> {
    parse(n)
}

#[otel_event(ret(Display))]
fn name(n: u32) -> io_like::Outcome<String> {
    Ok(n.to_string())
}

#[otel_event(ret)]
fn count(n: u32) -> Count {
    n + 1
}

#[otel_event(ret)]
async fn parse_later(n: u32) -> Fallible<u32> {
    parse(n)
}

fn main() {
    let _ = parse(1);
    let _ = parse_both(1);
    let _ = name(1);
    let _ = count(1);
    drop(parse_later(1));
}
