//! SQL tokenizer: case-insensitive keywords, back-quoted identifiers, strings with
//! TDengine's escapes, numbers, duration literals (`10s`, `1a`) and operators.

use super::error::{EResult, EngineError};

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A bare word (keyword or identifier), original case.
    Word(String),
    /// A back-quoted identifier, case preserved.
    Quoted(String),
    /// A string literal, escapes resolved.
    Str(String),
    /// An integer literal (decimal, `0x` hex or `0b` binary), as written.
    Int(String),
    /// A floating-point literal, as written.
    Float(String),
    /// A duration literal: count and unit letter(s) (`10s` → (10, "s")).
    Duration(i64, String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `;`
    Semi,
    /// `*`
    Star,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `=` or `==`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `->`
    Arrow,
    /// `?`
    Question,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// End of input.
    Eof,
}

/// A token with its byte span in the SQL text.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The kind.
    pub tok: Tok,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
}

impl Token {
    /// True when this is the bare word `kw` (case-insensitive).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// Splits `sql` into tokens, ending with [`Tok::Eof`].
pub fn tokenize(sql: &str) -> EResult<Vec<Token>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::with_capacity(sql.len() / 6 + 1);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // Comments: `-- ...` to end of line, `/* ... */`.
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            match sql[i + 2..].find("*/") {
                Some(p) => i = i + 2 + p + 2,
                None => return Err(EngineError::syntax_near(&sql[i..])),
            }
            continue;
        }
        let start = i;
        let tok = match c {
            b'(' => {
                i += 1;
                Tok::LParen
            }
            b')' => {
                i += 1;
                Tok::RParen
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b';' => {
                i += 1;
                Tok::Semi
            }
            b'*' => {
                i += 1;
                Tok::Star
            }
            b'+' => {
                i += 1;
                Tok::Plus
            }
            b'-' => {
                if bytes.get(i + 1) == Some(&b'>') {
                    i += 2;
                    Tok::Arrow
                } else {
                    i += 1;
                    Tok::Minus
                }
            }
            b'/' => {
                i += 1;
                Tok::Slash
            }
            b'%' => {
                i += 1;
                Tok::Percent
            }
            b'?' => {
                i += 1;
                Tok::Question
            }
            b'&' => {
                i += 1;
                Tok::BitAnd
            }
            b'|' => {
                i += 1;
                Tok::BitOr
            }
            b'=' => {
                i += if bytes.get(i + 1) == Some(&b'=') {
                    2
                } else {
                    1
                };
                Tok::Eq
            }
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Ne
            }
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => {
                    i += 2;
                    Tok::Le
                }
                Some(b'>') => {
                    i += 2;
                    Tok::Ne
                }
                _ => {
                    i += 1;
                    Tok::Lt
                }
            },
            b'>' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 2;
                    Tok::Ge
                } else {
                    i += 1;
                    Tok::Gt
                }
            }
            b'\'' | b'"' => {
                let (s, next) = lex_string(sql, i)?;
                i = next;
                Tok::Str(s)
            }
            b'`' => match sql[i + 1..].find('`') {
                Some(p) => {
                    let name = sql[i + 1..i + 1 + p].to_string();
                    i = i + 1 + p + 1;
                    Tok::Quoted(name)
                }
                None => return Err(EngineError::syntax_near(&sql[i..])),
            },
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let (t, next) = lex_number(sql, i)?;
                i = next;
                t
            }
            b'.' => {
                i += 1;
                Tok::Dot
            }
            b'0'..=b'9' => {
                let (t, next) = lex_number(sql, i)?;
                i = next;
                t
            }
            _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric() || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Tok::Word(sql[start..i].to_string())
            }
            _ => return Err(EngineError::syntax_near(&sql[i..])),
        };
        out.push(Token { tok, start, end: i });
    }
    out.push(Token {
        tok: Tok::Eof,
        start: sql.len(),
        end: sql.len(),
    });
    Ok(out)
}

/// Lexes a quoted string starting at `start` (the quote); returns the text and the offset
/// after the closing quote.
fn lex_string(sql: &str, start: usize) -> EResult<(String, usize)> {
    let bytes = sql.as_bytes();
    let quote = bytes[start];
    let mut out = String::new();
    let mut i = start + 1;
    let mut seg = i;
    loop {
        let Some(&c) = bytes.get(i) else {
            return Err(EngineError::syntax_near(&sql[start..]));
        };
        if c == quote {
            if bytes.get(i + 1) == Some(&quote) {
                out.push_str(&sql[seg..i]);
                out.push(char::from(quote));
                i += 2;
                seg = i;
                continue;
            }
            out.push_str(&sql[seg..i]);
            return Ok((out, i + 1));
        }
        if c == b'\\' {
            out.push_str(&sql[seg..i]);
            let Some(&n) = bytes.get(i + 1) else {
                return Err(EngineError::syntax_near(&sql[start..]));
            };
            match n {
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'0' => out.push('\0'),
                b'%' | b'_' | b'x' => {
                    out.push('\\');
                    out.push(char::from(n));
                }
                _ if n < 0x80 => out.push(char::from(n)),
                _ => {
                    // A backslash before a multi-byte character: keep the character.
                    i += 1;
                    seg = i;
                    continue;
                }
            }
            i += 2;
            seg = i;
            continue;
        }
        i += 1;
    }
}

fn lex_number(sql: &str, start: usize) -> EResult<(Tok, usize)> {
    let bytes = sql.as_bytes();
    let mut i = start;
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
            i += 1;
        }
        if i == start + 2
            || bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            return Err(EngineError::syntax_near(&sql[start..]));
        }
        return Ok((Tok::Int(sql[start..i].to_string()), i));
    }
    if bytes[i] == b'0'
        && matches!(bytes.get(i + 1), Some(b'b' | b'B'))
        && bytes.get(i + 2).is_some_and(|b| *b == b'0' || *b == b'1')
    {
        i += 2;
        while i < bytes.len() && (bytes[i] == b'0' || bytes[i] == b'1') {
            i += 1;
        }
        if !bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return Ok((Tok::Int(sql[start..i].to_string()), i));
        }
        i = start;
    }
    let mut float = false;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') {
        float = true;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            float = true;
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    // A duration literal: an integer immediately followed by letters.
    if !float && bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
        let num_end = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'_')
        {
            return Err(EngineError::syntax_near(&sql[start..]));
        }
        let count: i64 = sql[start..num_end]
            .parse()
            .map_err(|_| EngineError::syntax_near(&sql[start..]))?;
        return Ok((
            Tok::Duration(count, sql[num_end..i].to_ascii_lowercase()),
            i,
        ));
    }
    let text = sql[start..i].to_string();
    Ok((
        if float {
            Tok::Float(text)
        } else {
            Tok::Int(text)
        },
        i,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn basics() {
        assert_eq!(
            toks("SELECT `a`.b, 'x''y', \"q\\\"\" ,1.5e3, 0x1F, 10s -> <> !="),
            vec![
                Tok::Word("SELECT".into()),
                Tok::Quoted("a".into()),
                Tok::Dot,
                Tok::Word("b".into()),
                Tok::Comma,
                Tok::Str("x'y".into()),
                Tok::Comma,
                Tok::Str("q\"".into()),
                Tok::Comma,
                Tok::Float("1.5e3".into()),
                Tok::Comma,
                Tok::Int("0x1F".into()),
                Tok::Comma,
                Tok::Duration(10, "s".into()),
                Tok::Arrow,
                Tok::Ne,
                Tok::Ne,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn escapes_keep_some_backslashes() {
        assert_eq!(
            toks(r"'varchar\x8f4e3e' '\%\_\n\a'"),
            vec![
                Tok::Str(r"varchar\x8f4e3e".into()),
                Tok::Str("\\%\\_\na".into()),
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("'中文\"binary'"),
            vec![Tok::Str("中文\"binary".into()), Tok::Eof]
        );
    }

    #[test]
    fn errors() {
        assert!(tokenize("'abc").is_err());
        assert!(tokenize("`abc").is_err());
        assert!(tokenize("select #").is_err());
        assert!(tokenize("1x2").is_err());
    }
}
