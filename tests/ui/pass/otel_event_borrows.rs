//! Every function that compiles without `#[otel_event]` compiles with it as an
//! activity (`ret`, `err`, `duration`): returns that borrow `&mut self`, a
//! `&mut` or `&` argument, `impl Trait + 'a`, early `return`, `?`, loops with
//! `break value`, and `async fn` with borrowed arguments.
use std::fmt;

use otel_user_events::otel_event;

#[derive(Debug)]
struct SlotError;

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no such slot")
    }
}

struct Slots {
    v: Vec<u32>,
}

impl Slots {
    #[otel_event(ret)]
    fn slot(&mut self, i: usize) -> &mut u32 {
        &mut self.v[i]
    }

    #[otel_event(duration)]
    fn slot_timed(&mut self, i: usize) -> &mut u32 {
        &mut self.v[i]
    }

    #[otel_event(err)]
    fn try_slot(&mut self, i: usize) -> Result<&mut u32, SlotError> {
        if i >= self.v.len() {
            return Err(SlotError);
        }
        Ok(&mut self.v[i])
    }

    #[otel_event(ret, err)]
    fn first_even(&mut self) -> Result<&mut u32, SlotError> {
        for x in self.v.iter_mut() {
            if *x % 2 == 0 {
                return Ok(x);
            }
        }
        Err(SlotError)
    }

    #[otel_event(ret)]
    fn peek(&self, i: usize) -> &u32 {
        &self.v[i]
    }

    #[otel_event(duration)]
    fn iter_mut<'a>(&'a mut self) -> impl Iterator<Item = &'a mut u32> + 'a {
        self.v.iter_mut()
    }

    #[otel_event(ret)]
    async fn slot_later(&mut self, i: usize) -> u32 {
        let slot = &mut self.v[i];
        *slot += 1;
        *slot
    }
}

#[otel_event(ret)]
fn first<'a>(values: &'a mut [u32], skip: usize) -> &'a mut u32 {
    &mut values[skip]
}

#[otel_event(ret)]
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

#[otel_event(duration)]
fn chars<'a>(s: &'a mut String) -> impl Iterator<Item = char> + 'a {
    s.push('!');
    s.chars()
}

#[otel_event(ret)]
fn early(values: &mut Vec<u32>) -> u32 {
    if values.is_empty() {
        return 0;
    }
    values.pop().unwrap_or(1)
}

#[otel_event(ret, err)]
fn parse_into(out: &mut Vec<u32>, text: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = text.parse()?;
    out.push(n);
    Ok(n)
}

#[otel_event(duration)]
fn find(values: &mut [u32], target: u32) -> Option<&mut u32> {
    let mut i = 0;
    let found = loop {
        if i == values.len() {
            break None;
        }
        if values[i] == target {
            break Some(i);
        }
        i += 1;
    };
    found.map(move |i| &mut values[i])
}

#[otel_event(ret)]
fn count_to(limit: u32) -> u32 {
    let mut n = 0;
    loop {
        n += 1;
        if n == limit {
            break n;
        }
    }
}

#[otel_event(ret)]
async fn append(values: &mut Vec<u32>, more: &[u32]) -> usize {
    values.extend_from_slice(more);
    values.len()
}

#[otel_event(err)]
async fn parse_later(text: &str, into: &mut u32) -> Result<(), std::num::ParseIntError> {
    *into = text.parse()?;
    Ok(())
}

fn main() {
    let mut slots = Slots { v: vec![1, 2, 3] };
    *slots.slot(0) += 1;
    *slots.slot_timed(0) += 1;
    let _ = slots.try_slot(1);
    let _ = slots.first_even();
    let _ = slots.peek(0);
    slots.iter_mut().for_each(|x| *x += 1);
    drop(slots.slot_later(0));
    let mut v = vec![1, 2];
    *first(&mut v, 0) += 1;
    let _ = longest("a", "bb");
    let mut s = String::new();
    let _ = chars(&mut s).count();
    let _ = early(&mut v);
    let _ = parse_into(&mut v, "3");
    let _ = find(&mut v, 3);
    let _ = count_to(3);
    drop(append(&mut v, &[1]));
    let mut n = 0;
    drop(parse_later("1", &mut n));
}
