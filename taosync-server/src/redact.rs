//! Redaction of secrets in text the server logs.
//!
//! `create user u pass '<pw>'` and `alter user u pass '<pw>'` carry a password in the SQL
//! itself, so a statement is passed through [`sql`] before it reaches a log line.

use std::borrow::Cow;

/// `sql` with the string literal after every `pass` keyword replaced by `'***'`.
pub(crate) fn sql(sql: &str) -> Cow<'_, str> {
    let bytes = sql.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i] == b'\'' || bytes[i] == b'"' {
            i = literal_end(bytes, i);
            continue;
        }
        let word_start = i == 0 || !is_word(bytes[i - 1]);
        let word_end = bytes.get(i + 4).is_none_or(|b| !is_word(*b));
        if word_start && word_end && bytes[i..i + 4].eq_ignore_ascii_case(b"pass") {
            let mut j = i + 4;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if bytes.get(j).is_some_and(|b| *b == b'\'' || *b == b'"') {
                let end = literal_end(bytes, j);
                let o = out.get_or_insert_with(String::new);
                o.push_str(&sql[copied..j]);
                o.push_str("'***'");
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(sql),
        Some(mut o) => {
            o.push_str(&sql[copied..]);
            Cow::Owned(o)
        }
    }
}

/// The index just past the quoted literal that starts at `start` (its closing quote not
/// escaped by a backslash), or the end of the text when it is not closed.
fn literal_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut k = start + 1;
    while k < bytes.len() && bytes[k] != quote {
        k += if bytes[k] == b'\\' { 2 } else { 1 };
    }
    (k + 1).min(bytes.len())
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_sql_are_redacted() {
        for (input, want) in [
            ("create user u pass 'S3cr3t!'", "create user u pass '***'"),
            ("ALTER USER u PASS \"a\\\"b\" ", "ALTER USER u PASS '***' "),
            (
                "create user u pass 'unterminated",
                "create user u pass '***'",
            ),
            (
                "select password, pass from t",
                "select password, pass from t",
            ),
            ("select 'pass' from t", "select 'pass' from t"),
        ] {
            assert_eq!(super::sql(input), want, "{input}");
        }
    }
}
