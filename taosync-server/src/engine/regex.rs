//! A small POSIX-style regular expression matcher for `MATCH` / `NMATCH`: literals, `.`,
//! bracket classes (ranges, negation, `[:alpha:]`-style names), anchors, groups,
//! alternation and the `* + ? {m,n}` quantifiers. Compiled to an NFA and run as a
//! Thompson simulation, so matching is linear in the text and never backtracks.

use super::error::{EResult, EngineError};
use taosync_proto::code::Code;

const MAX_PATTERN: usize = 512;
const MAX_NEST: usize = 32;
const MAX_PROGRAM: usize = 2048;
const MAX_REPEAT: u32 = 255;

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class(bool, Vec<(char, char)>),
    Start,
    End,
    Group(Box<Node>),
    Alt(Vec<Node>),
    Seq(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(bool, Vec<(char, char)>),
    Start,
    End,
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex {
    prog: Vec<Inst>,
}

fn bad(p: &str) -> EngineError {
    EngineError::new(
        Code::PAR_WRONG_VALUE_TYPE,
        format!(
            "Invalid value type: invalid regular expression {}",
            super::error::clip(p, 64)
        ),
    )
}

struct P<'a> {
    c: Vec<char>,
    i: usize,
    src: &'a str,
}

impl P<'_> {
    fn alt(&mut self, depth: usize) -> EResult<Node> {
        if depth > MAX_NEST {
            return Err(bad(self.src));
        }
        let mut alts = vec![self.seq(depth)?];
        while self.c.get(self.i) == Some(&'|') {
            self.i += 1;
            alts.push(self.seq(depth)?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Seq(Vec::new()))
        } else {
            Node::Alt(alts)
        })
    }

    fn seq(&mut self, depth: usize) -> EResult<Node> {
        let mut items = Vec::new();
        while let Some(&ch) = self.c.get(self.i) {
            if ch == '|' || ch == ')' {
                break;
            }
            self.i += 1;
            let atom = match ch {
                '.' => Node::Any,
                '^' => Node::Start,
                '$' => Node::End,
                '(' => {
                    let inner = self.alt(depth + 1)?;
                    if self.c.get(self.i) != Some(&')') {
                        return Err(bad(self.src));
                    }
                    self.i += 1;
                    Node::Group(Box::new(inner))
                }
                '[' => self.class()?,
                '\\' => {
                    let Some(&e) = self.c.get(self.i) else {
                        return Err(bad(self.src));
                    };
                    self.i += 1;
                    match e {
                        'd' => Node::Class(false, vec![('0', '9')]),
                        'w' => {
                            Node::Class(false, vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')])
                        }
                        's' => Node::Class(
                            false,
                            vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')],
                        ),
                        other => Node::Char(other),
                    }
                }
                '*' | '+' | '?' | '{' => return Err(bad(self.src)),
                c => Node::Char(c),
            };
            let atom = self.quant(atom)?;
            items.push(atom);
        }
        Ok(Node::Seq(items))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.c.get(self.i).is_some_and(char::is_ascii_digit) {
            self.i += 1;
        }
        self.c[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quant(&mut self, mut atom: Node) -> EResult<Node> {
        loop {
            let (min, max) = match self.c.get(self.i) {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    self.i += 1;
                    let min = self.number().ok_or_else(|| bad(self.src))?;
                    let max = if self.c.get(self.i) == Some(&',') {
                        self.i += 1;
                        if self.c.get(self.i) == Some(&'}') {
                            None
                        } else {
                            Some(self.number().ok_or_else(|| bad(self.src))?)
                        }
                    } else {
                        Some(min)
                    };
                    if self.c.get(self.i) != Some(&'}')
                        || min > MAX_REPEAT
                        || max.is_some_and(|m| m > MAX_REPEAT || m < min)
                    {
                        return Err(bad(self.src));
                    }
                    (min, max)
                }
                _ => return Ok(atom),
            };
            self.i += 1;
            atom = Node::Repeat(Box::new(atom), min, max);
        }
    }

    fn class(&mut self) -> EResult<Node> {
        let mut neg = false;
        if self.c.get(self.i) == Some(&'^') {
            neg = true;
            self.i += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(&ch) = self.c.get(self.i) else {
                return Err(bad(self.src));
            };
            self.i += 1;
            if ch == ']' && !first {
                break;
            }
            first = false;
            if ch == '[' && self.c.get(self.i) == Some(&':') {
                let rest: String = self.c[self.i..].iter().collect();
                let Some(end) = rest.find(":]") else {
                    return Err(bad(self.src));
                };
                let name = &rest[1..end];
                self.i += rest[..end + 2].chars().count();
                items.extend_from_slice(match name {
                    "alpha" => &[('a', 'z'), ('A', 'Z')][..],
                    "digit" => &[('0', '9')][..],
                    "alnum" => &[('a', 'z'), ('A', 'Z'), ('0', '9')][..],
                    "upper" => &[('A', 'Z')][..],
                    "lower" => &[('a', 'z')][..],
                    "space" => &[(' ', ' '), ('\t', '\r')][..],
                    "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')][..],
                    "xdigit" => &[('0', '9'), ('a', 'f'), ('A', 'F')][..],
                    _ => return Err(bad(self.src)),
                });
                continue;
            }
            let lo = if ch == '\\' {
                let Some(&e) = self.c.get(self.i) else {
                    return Err(bad(self.src));
                };
                self.i += 1;
                e
            } else {
                ch
            };
            if self.c.get(self.i) == Some(&'-') && self.c.get(self.i + 1).is_some_and(|c| *c != ']')
            {
                let hi = self.c[self.i + 1];
                self.i += 2;
                if hi < lo {
                    return Err(bad(self.src));
                }
                items.push((lo, hi));
            } else {
                items.push((lo, lo));
            }
        }
        Ok(Node::Class(neg, items))
    }
}

fn emit(n: &Node, prog: &mut Vec<Inst>, src: &str) -> EResult<()> {
    if prog.len() > MAX_PROGRAM {
        return Err(bad(src));
    }
    match n {
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Class(neg, items) => prog.push(Inst::Class(*neg, items.clone())),
        Node::Start => prog.push(Inst::Start),
        Node::End => prog.push(Inst::End),
        Node::Group(inner) => emit(inner, prog, src)?,
        Node::Seq(items) => {
            for it in items {
                emit(it, prog, src)?;
            }
        }
        Node::Alt(alts) => {
            let mut jumps = Vec::new();
            for (k, a) in alts.iter().enumerate() {
                if k + 1 < alts.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    emit(a, prog, src)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    emit(a, prog, src)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                emit(inner, prog, src)?;
            }
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    emit(inner, prog, src)?;
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(0, 0));
                        emit(inner, prog, src)?;
                    }
                    let end = prog.len();
                    for sp in splits {
                        prog[sp] = Inst::Split(sp + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

impl Regex {
    /// Compiles `pattern` (0x2605 for an invalid or oversized pattern).
    pub fn new(pattern: &str) -> EResult<Regex> {
        if pattern.len() > MAX_PATTERN {
            return Err(bad(pattern));
        }
        let mut p = P {
            c: pattern.chars().collect(),
            i: 0,
            src: pattern,
        };
        let node = p.alt(0)?;
        if p.i != p.c.len() {
            return Err(bad(pattern));
        }
        let mut prog = Vec::new();
        emit(&node, &mut prog, pattern)?;
        prog.push(Inst::Match);
        Ok(Regex { prog })
    }

    fn add(
        &self,
        list: &mut Vec<usize>,
        seen: &mut [bool],
        pc: usize,
        at_start: bool,
        at_end: bool,
    ) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] {
                continue;
            }
            seen[pc] = true;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Start => {
                    if at_start {
                        stack.push(pc + 1);
                    }
                }
                Inst::End => {
                    if at_end {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    /// True when the pattern matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let n = self.prog.len();
        let mut current = Vec::new();
        let mut seen = vec![false; n];
        for pos in 0..=chars.len() {
            // A new thread may start at every position (unanchored search).
            self.add(&mut current, &mut seen, 0, pos == 0, pos == chars.len());
            if current
                .iter()
                .any(|pc| matches!(self.prog[*pc], Inst::Match))
            {
                return true;
            }
            let Some(&ch) = chars.get(pos) else {
                break;
            };
            let mut next = Vec::new();
            let mut next_seen = vec![false; n];
            for &pc in &current {
                let ok = match &self.prog[pc] {
                    Inst::Char(c) => *c == ch,
                    Inst::Any => true,
                    Inst::Class(neg, items) => {
                        items.iter().any(|(lo, hi)| (*lo..=*hi).contains(&ch)) != *neg
                    }
                    _ => false,
                };
                if ok {
                    self.add(
                        &mut next,
                        &mut next_seen,
                        pc + 1,
                        false,
                        pos + 1 == chars.len(),
                    );
                }
            }
            current = next;
            seen = next_seen;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p).unwrap().is_match(t)
    }

    #[test]
    fn matching() {
        assert!(m("abc", "xxabcxx"));
        assert!(!m("^abc", "xabc"));
        assert!(m("^a.c$", "abc"));
        assert!(!m("^a.c$", "abcd"));
        assert!(m("^d[0-9]+$", "d123"));
        assert!(!m("^d[0-9]+$", "d12a"));
        assert!(m("^(ab|cd)*e$", "abcdabe"));
        assert!(m("[^a-z]", "abc1"));
        assert!(!m("[^a-z]", "abc"));
        assert!(m("^a{2,3}$", "aaa"));
        assert!(!m("^a{2,3}$", "aaaa"));
        assert!(m("[[:digit:]]", "x9"));
        assert!(m("^$", ""));
        assert!(m("colou?r", "color"));
        assert!(m("a|^b", "b"));
        assert!(m("涛.数据", "涛思数据"));
    }

    #[test]
    fn hostile_patterns() {
        for p in ["(", "a{300}", "*a", "[a-", "a{3,1}", "[[:nope:]]", "\\"] {
            assert!(Regex::new(p).is_err(), "{p}");
        }
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(Regex::new(&deep).is_err());
        let r = Regex::new("(a*)*b").unwrap();
        assert!(!r.is_match(&"a".repeat(5000)));
        let big = "(a{200}){200}";
        assert!(Regex::new(big).is_err());
    }
}
