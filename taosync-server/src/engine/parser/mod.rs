//! Recursive-descent parser for the SQL subset (03-sql-subset.md §1). This file holds the
//! entry point, the token helpers and the statement dispatch; each statement family's
//! grammar is a child module adding methods to [`Parser`].

mod ddl;
mod expr;
mod insert;
mod select;
mod show;

use super::ast::*;
use super::error::{EResult, EngineError};
use super::lexer::{Tok, Token, tokenize};
use taosync_proto::code::Code;

/// Maximum expression nesting, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 40;

/// Words that cannot be used unquoted as names (03 §4).
const RESERVED: &[&str] = &[
    "select",
    "from",
    "where",
    "table",
    "tables",
    "database",
    "databases",
    "stable",
    "stables",
    "tag",
    "tags",
    "values",
    "using",
    "insert",
    "into",
    "create",
    "drop",
    "alter",
    "show",
    "as",
    "and",
    "or",
    "not",
    "null",
    "order",
    "by",
    "group",
    "partition",
    "limit",
    "offset",
    "interval",
    "like",
    "in",
    "is",
    "between",
    "set",
    "use",
    "describe",
    "desc",
    "topic",
    "with",
    "if",
    "exists",
    "timestamp",
    "int",
    "integer",
    "bigint",
    "smallint",
    "tinyint",
    "float",
    "double",
    "binary",
    "varchar",
    "nchar",
    "bool",
    "json",
    "varbinary",
    "geometry",
    "decimal",
    "blob",
    "unsigned",
    "asc",
    "sliding",
    "fill",
    "slimit",
    "soffset",
    "having",
    "distinct",
    "true",
    "false",
    "on",
    "delete",
    "match",
    "nmatch",
    "contains",
    "union",
    "join",
    "case",
    "when",
    "then",
    "else",
    "end",
];

/// Parses one statement (a single trailing `;` is allowed).
pub fn parse(sql: &str) -> EResult<Statement> {
    let toks = tokenize(sql)?;
    let mut p = Parser {
        sql,
        shared: std::sync::Arc::from(sql),
        toks,
        pos: 0,
        depth: 0,
    };
    let stmt = p.statement()?;
    p.eat(&Tok::Semi);
    if !p.at_eof() {
        return Err(p.err_here());
    }
    Ok(stmt)
}

struct Parser<'a> {
    sql: &'a str,
    shared: std::sync::Arc<str>,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn is_reserved(w: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        let i = self.pos.min(self.toks.len() - 1);
        &self.toks[i]
    }

    fn peek_at(&self, n: usize) -> &Token {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at_eof(&self) -> bool {
        self.peek().tok == Tok::Eof
    }

    fn err_here(&self) -> EngineError {
        let t = self.peek();
        if t.tok == Tok::Eof {
            EngineError::incomplete()
        } else {
            EngineError::syntax_near(&self.sql[t.start..])
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if &self.peek().tok == tok {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: &Tok) -> EResult<()> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.err_here())
        }
    }

    fn kw(&mut self, kw: &str) -> bool {
        if self.peek().is_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> EResult<()> {
        if self.kw(kw) {
            Ok(())
        } else {
            Err(self.err_here())
        }
    }

    fn kws(&mut self, seq: &[&str]) -> bool {
        if seq
            .iter()
            .enumerate()
            .all(|(i, k)| self.peek_at(i).is_kw(k))
        {
            self.pos += seq.len();
            true
        } else {
            false
        }
    }

    fn text_from(&self, start: usize) -> String {
        let end = if self.pos == 0 {
            start
        } else {
            self.toks[self.pos - 1].end.max(start)
        };
        self.sql[start..end].to_string()
    }

    /// An identifier: unquoted (lowercased, not reserved) or back-quoted (as is).
    fn ident(&mut self) -> EResult<String> {
        let t = self.peek().clone();
        let name = match &t.tok {
            Tok::Word(w) if !is_reserved(w) => w.to_lowercase(),
            Tok::Quoted(q) => q.clone(),
            _ => return Err(self.err_here()),
        };
        if name.is_empty() || name.len() > 192 {
            return Err(EngineError::new(
                Code::PAR_INVALID_IDENTIFIER_NAME,
                format!("Invalid identifier name: {name}"),
            ));
        }
        self.bump();
        Ok(name)
    }

    /// A column / tag / alias name (≤ 64 bytes).
    fn col_ident(&mut self) -> EResult<String> {
        let name = self.ident()?;
        if name.len() > 64 {
            return Err(EngineError::new(
                Code::PAR_INVALID_IDENTIFIER_NAME,
                format!("Invalid identifier name: {name}"),
            ));
        }
        Ok(name)
    }

    /// `[db.]name`; a back-quoted table name must not contain a dot.
    fn obj_name(&mut self) -> EResult<ObjName> {
        let first = self.ident()?;
        if self.eat(&Tok::Dot) {
            let name = self.ident()?;
            check_table_name(&name)?;
            check_db_name(&first)?;
            Ok(ObjName {
                db: Some(first),
                name,
            })
        } else {
            check_table_name(&first)?;
            Ok(ObjName {
                db: None,
                name: first,
            })
        }
    }

    fn db_name(&mut self) -> EResult<String> {
        let n = self.ident()?;
        check_db_name(&n)?;
        Ok(n)
    }

    fn if_not_exists(&mut self) -> EResult<bool> {
        if self.kw("if") {
            self.expect_kw("not")?;
            self.expect_kw("exists")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn if_exists(&mut self) -> EResult<bool> {
        if self.kw("if") {
            self.expect_kw("exists")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn int_value(&mut self) -> EResult<i64> {
        let neg = self.eat(&Tok::Minus);
        if !neg {
            self.eat(&Tok::Plus);
        }
        let t = self.peek().clone();
        match &t.tok {
            Tok::Int(s) => {
                let v = parse_int_text(s).ok_or_else(|| self.err_here())?;
                let v = i64::try_from(v).map_err(|_| self.err_here())?;
                self.bump();
                Ok(if neg { -v } else { v })
            }
            _ => Err(self.err_here()),
        }
    }

    fn string_value(&mut self) -> EResult<String> {
        match &self.peek().tok {
            Tok::Str(s) => {
                let s = s.clone();
                self.bump();
                Ok(s)
            }
            _ => Err(self.err_here()),
        }
    }

    fn statement(&mut self) -> EResult<Statement> {
        let t = self.peek().clone();
        let Tok::Word(w) = &t.tok else {
            return Err(self.err_here());
        };
        let w = w.to_ascii_lowercase();
        self.bump();
        match w.as_str() {
            "create" => self.create(),
            "drop" => self.drop(),
            "use" => Ok(Statement::Use(self.db_name()?)),
            "alter" => self.alter(),
            "insert" => self.insert(),
            "select" => {
                self.pos -= 1;
                Ok(Statement::Select(Box::new(self.select()?)))
            }
            "show" => self.show(),
            "describe" | "desc" => Ok(Statement::Describe(self.obj_name()?)),
            "delete" => {
                self.expect_kw("from")?;
                let table = self.obj_name()?;
                let where_ = if self.kw("where") {
                    Some(self.expr()?)
                } else {
                    None
                };
                Ok(Statement::Delete { table, where_ })
            }
            "flush" | "compact" | "trim" | "balance" | "redistribute" => {
                self.expect_kw("database")?;
                let db = self.db_name()?;
                Ok(Statement::DatabaseMaintenance(db))
            }
            _ => Err(EngineError::syntax_near(&self.sql[t.start..])),
        }
    }
}

fn is_clause_word(w: &str) -> bool {
    [
        "where",
        "partition",
        "interval",
        "group",
        "order",
        "limit",
        "slimit",
        "having",
        "state_window",
        "session",
        "event_window",
        "count_window",
        "fill",
        "sliding",
        "union",
        "join",
        "inner",
        "left",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(w))
}

fn check_table_name(name: &str) -> EResult<()> {
    if name.contains('.') {
        return Err(EngineError::new(
            Code::PAR_INVALID_IDENTIFIER_NAME,
            "The table name cannot contain '.'",
        ));
    }
    Ok(())
}

fn check_db_name(name: &str) -> EResult<()> {
    if name.len() > 64 || name.contains('.') {
        return Err(EngineError::new(
            Code::PAR_INVALID_IDENTIFIER_NAME,
            format!("Invalid identifier name: {name}"),
        ));
    }
    Ok(())
}

/// The value of an integer literal as written (decimal with optional sign, `0x` hex,
/// `0b` binary); `None` when it is not one or does not fit i128.
pub fn parse_int_text(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        i128::from_str_radix(b, 2).ok()?
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        body.parse::<i128>().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_database_options() {
        let s = parse("create database if not exists d1 precision 'ns' keep 36500 vgroups 1 wal_retention_period 3600;").unwrap();
        let Statement::CreateDatabase {
            if_not_exists,
            name,
            options,
        } = s
        else {
            panic!()
        };
        assert!(if_not_exists);
        assert_eq!(name, "d1");
        assert_eq!(options[0], ("precision".into(), "'ns'".into()));
        assert_eq!(options[1], ("keep".into(), "36500".into()));
        let s = parse("create database d keep 5256000m,5256000m,5256000m duration 14400m").unwrap();
        let Statement::CreateDatabase { options, .. } = s else {
            panic!()
        };
        assert_eq!(options[0].1, "5256000m,5256000m,5256000m");
        assert_eq!(
            parse("create database d update 2").unwrap_err().code,
            Code::PAR_SYNTAX_ERROR
        );
    }

    #[test]
    fn create_tables() {
        let s = parse("CREATE STABLE IF NOT EXISTS power.meters (ts TIMESTAMP, current FLOAT, location BINARY(64) ENCODE 'disabled') TAGS (groupId INT, loc NCHAR(16))").unwrap();
        let Statement::CreateStable {
            name,
            columns,
            tags,
            ..
        } = s
        else {
            panic!()
        };
        assert_eq!(name.db.as_deref(), Some("power"));
        assert_eq!(columns.len(), 3);
        assert_eq!(columns[2].ty.length, 64);
        assert_eq!(tags[0].name, "groupid");
        let s =
            parse("create table d0 using meters tags(1, 'a') d1 using meters (groupid) tags(2)")
                .unwrap();
        let Statement::CreateChildren(c) = s else {
            panic!()
        };
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[1].using.tag_names.as_deref(),
            Some(&["groupid".to_string()][..])
        );
        assert!(matches!(
            parse("create table t (ts timestamp, v int unsigned) comment 'x' ttl 1").unwrap(),
            Statement::CreateTable { .. }
        ));
        assert_eq!(
            parse("create table `a.b` (ts timestamp, v int)")
                .unwrap_err()
                .code,
            Code::PAR_INVALID_IDENTIFIER_NAME
        );
    }

    #[test]
    fn inserts() {
        let s = parse("insert into d1 values(now, 1)(now+1s, 2), (1626006833639, NULL) d2 using st tags('x') (ts, v) values('2020-01-01 00:00:00', -3)").unwrap();
        let Statement::Insert(c) = s else { panic!() };
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].rows.len(), 3);
        assert_eq!(c[1].columns.as_ref().unwrap().len(), 2);
        assert_eq!(c[1].rows[0][1].expr, Expr::Lit(Lit::Int("-3".into())));
        assert_eq!(
            parse("insert into t values").unwrap_err().code,
            Code::TSC_SQL_SYNTAX_ERROR
        );
        assert_eq!(
            parse("insert into t (1)").unwrap_err().code,
            Code::PAR_SYNTAX_ERROR
        );
    }

    #[test]
    fn selects() {
        let s = parse("select ts, c1 * 2 AS x, count(*) from db.t where ts > now - 1h and c1 in (1,2) and c2 like 'a%' order by ts desc limit 5, 10").unwrap();
        let Statement::Select(sel) = s else { panic!() };
        assert_eq!(sel.items[1].alias.as_deref(), Some("x"));
        assert_eq!(sel.items[2].text, "count(*)");
        assert_eq!(sel.offset, Some(5));
        assert_eq!(sel.limit, Some(10));
        let s = parse("select _wstart, avg(v) from st partition by tbname interval(10s) sliding(5s) fill(value, 0) ").unwrap();
        let Statement::Select(sel) = s else { panic!() };
        assert!(sel.interval.is_some());
        assert_eq!(
            parse("select * from").unwrap_err().code,
            Code::PAR_INCOMPLETE_SQL
        );
        assert_eq!(parse("show x").unwrap_err().code, Code::PAR_INCOMPLETE_SQL);
        assert_eq!(
            parse("select * form t").unwrap_err().message,
            "syntax error near \"form t\""
        );
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let sql = format!("select {}1{} ", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&sql).is_err());
        let sql = format!("select {}1", "-".repeat(10_000));
        assert!(parse(&sql).is_err());
        let sql = format!("select {}1", "not ".repeat(10_000));
        assert!(parse(&sql).is_err());
    }
}
