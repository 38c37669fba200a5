//! Tokens printed as a person writes Rust, for messages that quote the user's
//! code (`impl AsRef<std::path::Path>`, not the token spacing
//! `impl AsRef < std :: path :: Path >` of `TokenStream`'s `Display`). The
//! source text itself is not available: a span covering several tokens cannot
//! be formed on stable Rust.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// `tokens` with spaces only where Rust style puts them: between words, after
/// `,` `;` and a single `:`, around `=`, `+`, `->` and `=>`.
pub fn rust_text(tokens: TokenStream) -> String {
    let mut out = String::new();
    write(tokens, &mut out);
    out
}

/// What was printed last, for the space before the next token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing yet in this group.
    Start,
    /// An identifier, a literal or a closed group.
    Word,
    /// An operator wanting a space after it (`,`, `=`, `+`, ...).
    SpacedAfter,
    /// An operator glued to what follows (`&`, `<`, `::`, `'`, ...).
    Glued,
}

fn write(tokens: TokenStream, out: &mut String) {
    let mut last = Last::Start;
    // Characters of a multi-character operator (`::`, `->`, and the `'` of a
    // lifetime, joint to its name) gathered until the operator ends.
    let mut op = String::new();
    for tt in tokens {
        if let TokenTree::Punct(p) = &tt {
            // Joint characters are one operator only if Rust has it (`>,` is two).
            if !op.is_empty() && !COMPOUND.contains(&format!("{op}{}", p.as_char()).as_str()) {
                last = push_op(&op, last, out);
                op.clear();
            }
            op.push(p.as_char());
            if p.spacing() == Spacing::Joint {
                continue;
            }
        }
        if !op.is_empty() {
            last = push_op(&op, last, out);
            op.clear();
        }
        match tt {
            TokenTree::Punct(_) => {}
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if matches!(last, Last::Word | Last::SpacedAfter) {
                    out.push(' ');
                }
                out.push_str(&tt.to_string());
                last = Last::Word;
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace if g.stream().is_empty() => ("{", "}"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                // `Fn(u8)`, `Vec<[u8; 4]>`: no space after a word.
                if last == Last::SpacedAfter {
                    out.push(' ');
                }
                out.push_str(open);
                write(g.stream(), out);
                out.push_str(close);
                last = Last::Word;
            }
        }
    }
    if !op.is_empty() {
        push_op(&op, last, out);
    }
}

/// The operators of several characters.
const COMPOUND: &[&str] = &[
    "::", "->", "=>", "==", "!=", "<=", ">=", "+=", "-=", "..", "..=", "&&", "||", "<<", ">>",
];

/// Prints the operator `op` after `last`; what it leaves last.
fn push_op(op: &str, last: Last, out: &mut String) -> Last {
    let (before, after) = spacing(op);
    if (before && last != Last::Start) || last == Last::SpacedAfter {
        out.push(' ');
    }
    out.push_str(op);
    match op {
        _ if after => Last::SpacedAfter,
        // A closing angle bracket ends a word: `for<'a> fn`.
        ">" | ">>" => Last::Word,
        _ => Last::Glued,
    }
}

/// Whether an operator takes a space before it and after it.
fn spacing(op: &str) -> (bool, bool) {
    match op {
        "," | ";" | ":" => (false, true),
        // Not `&&`: in a type it is two references (`&&str`).
        "=" | "+" | "->" | "=>" | "==" | "!=" | "<=" | ">=" | "+=" | "-=" => (true, true),
        _ => (false, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(source: &str) -> String {
        rust_text(source.parse().unwrap())
    }

    #[test]
    fn types_read_as_written() {
        for written in [
            "impl AsRef<std::path::Path>",
            "&'static str",
            "&mut Vec<u8>",
            "io::Result<()>",
            "Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>",
            "impl Iterator<Item = u8>",
            "impl Fn(&str) -> usize",
            "[u8; 4]",
            "*const T",
            "(u8, bool)",
            "::core::option::Option<T>",
            "for<'a> fn(&'a u8)",
            "T",
        ] {
            assert_eq!(text(written), written);
        }
    }

    #[test]
    fn spacing_of_the_source_does_not_matter() {
        assert_eq!(
            text("impl AsRef < std :: path :: Path >"),
            "impl AsRef<std::path::Path>"
        );
        assert_eq!(text("&  'a   str"), "&'a str");
    }

    #[test]
    fn expressions_read_well_enough() {
        assert_eq!(text("\"order {} placed\", id"), "\"order {} placed\", id");
        assert_eq!(text("a.b, f(x, &y)"), "a.b, f(x, &y)");
    }
}
