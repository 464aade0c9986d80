//! Recursive-descent parser for the SQL subset (03-sql-subset.md §1).

use super::ast::*;
use super::error::{EResult, EngineError};
use super::lexer::{Tok, Token, tokenize};
use taosync_proto::code::Code;
use taosync_proto::types::Type;

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

    fn create(&mut self) -> EResult<Statement> {
        if self.kw("database") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.db_name()?;
            let options = self.db_options()?;
            return Ok(Statement::CreateDatabase {
                if_not_exists,
                name,
                options,
            });
        }
        if self.kw("stable") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.obj_name()?;
            let columns = self.column_defs()?;
            self.expect_kw("tags")?;
            let tags = self.column_defs()?;
            self.table_options()?;
            return Ok(Statement::CreateStable {
                if_not_exists,
                name,
                columns,
                tags,
            });
        }
        if self.kw("table") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.obj_name()?;
            if self.peek().is_kw("using") {
                let mut children = vec![CreateChild {
                    if_not_exists,
                    name,
                    using: self.using_clause()?,
                }];
                self.table_options()?;
                while !self.at_eof() && self.peek().tok != Tok::Semi {
                    let ine = self.if_not_exists()?;
                    let name = self.obj_name()?;
                    if !self.peek().is_kw("using") {
                        return Err(self.err_here());
                    }
                    children.push(CreateChild {
                        if_not_exists: ine,
                        name,
                        using: self.using_clause()?,
                    });
                    self.table_options()?;
                }
                return Ok(Statement::CreateChildren(children));
            }
            let columns = self.column_defs()?;
            if self.kw("tags") {
                let tags = self.column_defs()?;
                self.table_options()?;
                return Ok(Statement::CreateStable {
                    if_not_exists,
                    name,
                    columns,
                    tags,
                });
            }
            self.table_options()?;
            return Ok(Statement::CreateTable {
                if_not_exists,
                name,
                columns,
            });
        }
        if self.kw("topic") {
            let start = self.toks[0].start;
            let if_not_exists = self.if_not_exists()?;
            let name = self.ident()?;
            let with_meta = self.kws(&["with", "meta"]) || self.kws(&["only", "meta"]);
            self.expect_kw("as")?;
            let target = if self.kw("database") {
                TopicTarget::Database {
                    db: self.db_name()?,
                    with_meta,
                }
            } else if self.kw("stable") {
                let name = self.obj_name()?;
                let where_ = if self.kw("where") {
                    Some(self.expr()?)
                } else {
                    None
                };
                TopicTarget::Stable {
                    name,
                    with_meta,
                    where_,
                }
            } else if self.peek().is_kw("select") {
                TopicTarget::Query(Box::new(self.select()?))
            } else {
                return Err(self.err_here());
            };
            let sql = self.text_from(start);
            return Ok(Statement::CreateTopic {
                if_not_exists,
                name,
                target,
                sql,
            });
        }
        if self.kw("user") {
            let name = self.ident()?;
            self.expect_kw("pass")?;
            let pass = self.string_value()?;
            self.skip_rest();
            return Ok(Statement::CreateUser(name, pass));
        }
        Err(self.unsupported_here())
    }

    fn unsupported_here(&self) -> EngineError {
        let t = self.peek();
        if t.tok == Tok::Eof {
            EngineError::incomplete()
        } else {
            EngineError::syntax_near(&self.sql[t.start..])
        }
    }

    fn skip_rest(&mut self) {
        while !self.at_eof() && self.peek().tok != Tok::Semi {
            self.bump();
        }
    }

    fn db_options(&mut self) -> EResult<Vec<(String, String)>> {
        const OPTS: &[&str] = &[
            "precision",
            "keep",
            "vgroups",
            "replica",
            "buffer",
            "pages",
            "pagesize",
            "tsdb_pagesize",
            "cachemodel",
            "cachesize",
            "comp",
            "duration",
            "maxrows",
            "minrows",
            "single_stable",
            "wal_level",
            "wal_fsync_period",
            "wal_retention_period",
            "wal_retention_size",
            "wal_roll_period",
            "wal_segment_size",
            "stt_trigger",
            "table_prefix",
            "table_suffix",
            "keep_time_offset",
            "schemaless",
            "retentions",
            "encrypt_algorithm",
            "s3_chunksize",
            "s3_keeplocal",
            "s3_compact",
            "ss_chunksize",
            "ss_keeplocal",
            "ss_compact",
            "compact_interval",
            "compact_time_range",
            "compact_time_offset",
            "dnodes",
            "strict",
            "is_audit",
            "cacheshardbits",
        ];
        let mut out = Vec::new();
        loop {
            let t = self.peek().clone();
            let Tok::Word(w) = &t.tok else { break };
            let lw = w.to_ascii_lowercase();
            if !OPTS.contains(&lw.as_str()) {
                return Err(self.err_here());
            }
            self.bump();
            let vstart = self.peek().start;
            // A value: one or more comma-separated items of [-]int/duration/string/word.
            loop {
                self.eat(&Tok::Minus);
                match &self.peek().tok {
                    Tok::Int(_) | Tok::Duration(..) | Tok::Str(_) | Tok::Float(_) => {
                        self.bump();
                    }
                    Tok::Word(_) if lw == "retentions" || lw == "dnodes" => {
                        self.bump();
                    }
                    _ => return Err(self.err_here()),
                }
                if !(self.peek().tok == Tok::Comma
                    && matches!(
                        self.peek_at(1).tok,
                        Tok::Int(_) | Tok::Duration(..) | Tok::Minus | Tok::Str(_)
                    )
                    && matches!(
                        lw.as_str(),
                        "keep" | "retentions" | "compact_time_range" | "dnodes"
                    ))
                {
                    break;
                }
                self.bump();
            }
            let raw = self.text_from(vstart);
            out.push((lw, raw));
        }
        Ok(out)
    }

    fn table_options(&mut self) -> EResult<()> {
        loop {
            if self.kw("comment") {
                self.string_value()?;
            } else if self.kw("ttl") {
                self.int_value()?;
            } else if self.kw("sma") || self.kw("rollup") {
                self.expect(&Tok::LParen)?;
                self.skip_parens()?;
            } else if self.kw("watermark")
                || self.kw("max_delay")
                || self.kw("delete_mark")
                || self.kw("keep")
            {
                self.skip_duration_list()?;
            } else if self.kw("virtual") {
                self.int_value()?;
            } else {
                return Ok(());
            }
        }
    }

    fn skip_duration_list(&mut self) -> EResult<()> {
        loop {
            match self.peek().tok {
                Tok::Int(_) | Tok::Duration(..) => {
                    self.bump();
                }
                _ => return Err(self.err_here()),
            }
            if !self.eat(&Tok::Comma) {
                return Ok(());
            }
        }
    }

    /// Skips to the `)` matching an already consumed `(`.
    fn skip_parens(&mut self) -> EResult<()> {
        let mut depth = 1usize;
        loop {
            match self.bump().tok {
                Tok::LParen => depth += 1,
                Tok::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Tok::Eof => return Err(EngineError::incomplete()),
                _ => {}
            }
        }
    }

    fn column_defs(&mut self) -> EResult<Vec<ColumnSpec>> {
        self.expect(&Tok::LParen)?;
        let mut out = Vec::new();
        loop {
            out.push(self.column_def()?);
            if self.eat(&Tok::Comma) {
                continue;
            }
            self.expect(&Tok::RParen)?;
            return Ok(out);
        }
    }

    fn column_def(&mut self) -> EResult<ColumnSpec> {
        let name = self.col_ident()?;
        let ty = self.type_spec()?;
        let mut spec = ColumnSpec {
            name,
            ty,
            primary_key: false,
            encode: None,
            compress: None,
            level: None,
        };
        loop {
            if self.kws(&["primary", "key"]) || self.kws(&["composite", "key"]) {
                spec.primary_key = true;
            } else if self.kw("encode") {
                spec.encode = Some(self.string_value()?);
            } else if self.kw("compress") {
                spec.compress = Some(self.string_value()?);
            } else if self.kw("level") {
                spec.level = Some(self.string_value()?);
            } else if self.kw("comment") {
                self.string_value()?;
            } else {
                return Ok(spec);
            }
        }
    }

    fn type_spec(&mut self) -> EResult<TypeSpec> {
        let t = self.peek().clone();
        let Tok::Word(w) = &t.tok else {
            return Err(self.err_here());
        };
        let w = w.to_ascii_lowercase();
        self.bump();
        let fixed = |ty: Type| TypeSpec {
            ty,
            length: ty.fixed_size().map_or(0, |s| s as u32),
            precision: 0,
            scale: 0,
        };
        let unsigned = |p: &mut Self, s: Type, u: Type| if p.kw("unsigned") { u } else { s };
        let spec = match w.as_str() {
            "bool" | "boolean" => fixed(Type::Bool),
            "tinyint" => fixed(unsigned(self, Type::TinyInt, Type::UTinyInt)),
            "smallint" => fixed(unsigned(self, Type::SmallInt, Type::USmallInt)),
            "int" | "integer" => fixed(unsigned(self, Type::Int, Type::UInt)),
            "bigint" => fixed(unsigned(self, Type::BigInt, Type::UBigInt)),
            "utinyint" => fixed(Type::UTinyInt),
            "usmallint" => fixed(Type::USmallInt),
            "uint" => fixed(Type::UInt),
            "ubigint" => fixed(Type::UBigInt),
            "float" => fixed(Type::Float),
            "double" => fixed(Type::Double),
            "timestamp" => fixed(Type::Timestamp),
            "json" => TypeSpec {
                ty: Type::Json,
                length: 4095,
                precision: 0,
                scale: 0,
            },
            "blob" | "mediumblob" => TypeSpec {
                ty: Type::Blob,
                length: 4_194_304,
                precision: 0,
                scale: 0,
            },
            "binary" | "varchar" | "nchar" | "varbinary" | "geometry" => {
                let ty = match w.as_str() {
                    "nchar" => Type::NChar,
                    "varbinary" => Type::VarBinary,
                    "geometry" => Type::Geometry,
                    _ => Type::VarChar,
                };
                self.expect(&Tok::LParen)?;
                let n = self.int_value()?;
                self.expect(&Tok::RParen)?;
                let max = match ty {
                    Type::NChar => 16_379,
                    _ => 65_517,
                };
                if n <= 0 || n > max {
                    return Err(EngineError::new(
                        Code::PAR_INVALID_VAR_COLUMN_LEN,
                        "Invalid column length for var length type",
                    ));
                }
                TypeSpec {
                    ty,
                    length: n as u32,
                    precision: 0,
                    scale: 0,
                }
            }
            "decimal" => {
                self.expect(&Tok::LParen)?;
                let p = self.int_value()?;
                let s = if self.eat(&Tok::Comma) {
                    self.int_value()?
                } else {
                    0
                };
                self.expect(&Tok::RParen)?;
                if !(1..=38).contains(&p) || s < 0 || s > p {
                    return Err(EngineError::new(
                        Code::PAR_SYNTAX_ERROR,
                        format!("Invalid column type DECIMAL({p},{s})"),
                    ));
                }
                let ty = if p <= 18 {
                    Type::Decimal64
                } else {
                    Type::Decimal
                };
                TypeSpec {
                    ty,
                    length: if p <= 18 { 8 } else { 16 },
                    precision: p as u8,
                    scale: s as u8,
                }
            }
            _ => return Err(EngineError::syntax_near(&self.sql[t.start..])),
        };
        Ok(spec)
    }

    fn using_clause(&mut self) -> EResult<UsingClause> {
        self.expect_kw("using")?;
        let stable = self.obj_name()?;
        let tag_names = if self.peek().tok == Tok::LParen {
            self.bump();
            Some(self.name_list()?)
        } else {
            None
        };
        if !self.kw("tags") {
            if self.at_eof() {
                return Err(EngineError::incomplete());
            }
            return Err(EngineError::insert_syntax(
                &self.sql[self.peek().start..],
                "TAGS is expected",
            ));
        }
        self.expect(&Tok::LParen)?;
        let tags = self.value_list()?;
        Ok(UsingClause {
            stable,
            tag_names,
            tags,
        })
    }

    /// `name, name, …)` after a consumed `(`.
    fn name_list(&mut self) -> EResult<Vec<String>> {
        let mut out = Vec::new();
        loop {
            out.push(self.col_ident()?);
            if self.eat(&Tok::Comma) {
                continue;
            }
            self.expect(&Tok::RParen)?;
            return Ok(out);
        }
    }

    /// `v, v, …)` after a consumed `(`.
    fn value_list(&mut self) -> EResult<Vec<InsValue>> {
        let mut out = Vec::new();
        if self.eat(&Tok::RParen) {
            return Ok(out);
        }
        loop {
            let start = self.peek().start;
            let expr = match self.fast_value() {
                Some(e) => e,
                None => self.expr()?,
            };
            out.push(InsValue {
                expr,
                near: Near::new(self.shared.clone(), start),
            });
            if self.eat(&Tok::Comma) {
                continue;
            }
            if self.eat(&Tok::RParen) {
                return Ok(out);
            }
            if self.at_eof() {
                return Err(EngineError::incomplete());
            }
            return Err(EngineError::insert_syntax(
                &self.sql[self.peek().start..],
                ") expected",
            ));
        }
    }

    /// A bare literal followed by `,` or `)`, taken without the full expression parser
    /// (the hot path of multi-row INSERTs).
    fn fast_value(&mut self) -> Option<Expr> {
        if !matches!(self.peek_at(1).tok, Tok::Comma | Tok::RParen) {
            return None;
        }
        let i = self.pos.min(self.toks.len() - 1);
        let e = match &mut self.toks[i].tok {
            Tok::Int(s) => Expr::Lit(Lit::Int(std::mem::take(s))),
            Tok::Float(s) => Expr::Lit(Lit::Float(std::mem::take(s))),
            Tok::Str(s) => Expr::Lit(Lit::Str(std::mem::take(s))),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Expr::Lit(Lit::Null),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Expr::Lit(Lit::Bool(true)),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Expr::Lit(Lit::Bool(false)),
            Tok::Word(w) if w.eq_ignore_ascii_case("now") || w.eq_ignore_ascii_case("today") => {
                Expr::Func {
                    name: w.to_ascii_lowercase(),
                    args: Vec::new(),
                    star: false,
                }
            }
            _ => return None,
        };
        self.bump();
        Some(e)
    }

    fn insert(&mut self) -> EResult<Statement> {
        self.expect_kw("into")?;
        let mut clauses = Vec::new();
        loop {
            let table_placeholder = self.eat(&Tok::Question);
            let table = if table_placeholder {
                ObjName {
                    db: None,
                    name: "?".into(),
                }
            } else {
                self.obj_name()?
            };
            let mut clause = InsertClause {
                table,
                table_placeholder,
                using: None,
                columns: None,
                rows: Vec::new(),
            };
            if self.peek().tok == Tok::LParen {
                self.bump();
                clause.columns = Some(self.name_list()?);
            }
            if self.peek().is_kw("using") {
                clause.using = Some(self.using_clause()?);
                loop {
                    if self.kw("ttl") {
                        self.int_value()?;
                    } else if self.kw("comment") {
                        self.string_value()?;
                    } else {
                        break;
                    }
                }
                if self.peek().tok == Tok::LParen {
                    if clause.columns.is_some() {
                        return Err(EngineError::insert_syntax(
                            &self.sql[self.peek().start..],
                            "keyword VALUES or FILE is expected",
                        ));
                    }
                    self.bump();
                    clause.columns = Some(self.name_list()?);
                }
            }
            if self.peek().is_kw("file") {
                return Err(EngineError::unsupported("INSERT … FILE"));
            }
            if self.peek().is_kw("select") {
                return Err(EngineError::unsupported("INSERT … SELECT"));
            }
            if !self.kw("values") {
                if self.at_eof() {
                    return Err(EngineError::incomplete());
                }
                return Err(EngineError::insert_syntax(
                    &self.sql[self.peek().start..],
                    "keyword VALUES or FILE is expected",
                ));
            }
            while self.peek().tok == Tok::LParen {
                self.bump();
                clause.rows.push(self.value_list()?);
                if self.peek().tok == Tok::Comma && self.peek_at(1).tok == Tok::LParen {
                    self.bump();
                }
            }
            if clause.rows.is_empty() {
                return Err(EngineError::insert_syntax(
                    &self.sql[self.peek().start..],
                    "no any data points",
                ));
            }
            clauses.push(clause);
            match &self.peek().tok {
                Tok::Word(_) | Tok::Quoted(_) => continue,
                _ => break,
            }
        }
        Ok(Statement::Insert(clauses))
    }

    fn drop(&mut self) -> EResult<Statement> {
        if self.kw("database") {
            let if_exists = self.if_exists()?;
            let name = self.db_name()?;
            return Ok(Statement::DropDatabase { if_exists, name });
        }
        let stable = if self.kw("stable") {
            true
        } else if self.kw("table") {
            false
        } else if self.kw("topic") {
            let if_exists = self.if_exists()?;
            let force = self.kw("force");
            let name = self.ident()?;
            return Ok(Statement::DropTopic {
                if_exists,
                name,
                force,
            });
        } else if self.kws(&["consumer", "group"]) {
            let if_exists = self.if_exists()?;
            self.kw("force");
            let group = self.ident()?;
            self.expect_kw("on")?;
            let topic = self.ident()?;
            return Ok(Statement::DropConsumerGroup {
                if_exists,
                group,
                topic,
            });
        } else if self.kw("user") {
            return Ok(Statement::DropUser(self.ident()?));
        } else {
            return Err(self.unsupported_here());
        };
        let mut names = Vec::new();
        loop {
            let ie = self.if_exists()?;
            names.push((self.obj_name()?, ie));
            if stable || !self.eat(&Tok::Comma) {
                // The 3.0 grammar separates names with spaces.
                if !stable && matches!(self.peek().tok, Tok::Word(_) | Tok::Quoted(_)) {
                    continue;
                }
                break;
            }
        }
        Ok(Statement::Drop { stable, names })
    }

    fn alter(&mut self) -> EResult<Statement> {
        if self.kw("database") {
            let db = self.db_name()?;
            let opts = self.db_options()?;
            return Ok(Statement::AlterDatabase(db, opts));
        }
        if self.kw("user") {
            let name = self.ident()?;
            if self.kw("pass") {
                let pass = self.string_value()?;
                return Ok(Statement::AlterUser(name, pass));
            }
            return Err(self.unsupported_here());
        }
        let stable = if self.kw("stable") {
            true
        } else if self.kw("table") {
            false
        } else {
            return Err(self.unsupported_here());
        };
        if self.peek().is_kw("using") {
            return Err(EngineError::unsupported("ALTER TABLE USING … SET TAG"));
        }
        let name = self.obj_name()?;
        let action = if self.kw("add") {
            if self.kw("tag") {
                AlterAction::AddTag(self.column_def()?)
            } else {
                self.kw("column");
                AlterAction::AddColumn(self.column_def()?)
            }
        } else if self.kw("drop") {
            if self.kw("tag") {
                AlterAction::DropTag(self.col_ident()?)
            } else {
                self.kw("column");
                AlterAction::DropColumn(self.col_ident()?)
            }
        } else if self.kw("modify") {
            if self.kw("tag") {
                let n = self.col_ident()?;
                AlterAction::ModifyTag(n, self.type_spec()?)
            } else {
                self.kw("column");
                let n = self.col_ident()?;
                if matches!(self.peek().tok, Tok::Word(ref w) if ["encode","compress","level"].iter().any(|k| w.eq_ignore_ascii_case(k)))
                {
                    while self.kw("encode") || self.kw("compress") || self.kw("level") {
                        self.string_value()?;
                    }
                    AlterAction::ModifyColumn(n, None)
                } else {
                    AlterAction::ModifyColumn(n, Some(self.type_spec()?))
                }
            }
        } else if self.kw("rename") {
            let tag = if self.kw("tag") {
                true
            } else {
                self.kw("column");
                false
            };
            let old = self.col_ident()?;
            let new = self.col_ident()?;
            if tag {
                AlterAction::RenameTag(old, new)
            } else {
                AlterAction::RenameColumn(old, new)
            }
        } else if self.kw("set") {
            let sets = self.tag_sets()?;
            if !stable && matches!(self.peek().tok, Tok::Word(_) | Tok::Quoted(_)) {
                // ALTER TABLE c1 SET TAG … c2 SET TAG …
                let mut all = vec![(name, sets)];
                while matches!(self.peek().tok, Tok::Word(_) | Tok::Quoted(_)) {
                    let n = self.obj_name()?;
                    self.expect_kw("set")?;
                    all.push((n, self.tag_sets()?));
                }
                return Ok(Statement::AlterSetTags(all));
            }
            AlterAction::SetTags(sets)
        } else if self.peek().is_kw("comment") || self.peek().is_kw("ttl") {
            self.table_options()?;
            AlterAction::Options
        } else {
            return Err(self.err_here());
        };
        Ok(Statement::Alter {
            stable,
            name,
            action,
        })
    }

    /// `TAG t = v [, t2 = v2 …]` after SET.
    fn tag_sets(&mut self) -> EResult<Vec<(String, InsValue)>> {
        self.expect_kw("tag")?;
        let mut sets = Vec::new();
        loop {
            let n = self.col_ident()?;
            self.expect(&Tok::Eq)?;
            let start = self.peek().start;
            let expr = self.expr()?;
            sets.push((
                n,
                InsValue {
                    expr,
                    near: Near::new(self.shared.clone(), start),
                },
            ));
            if !self.eat(&Tok::Comma) {
                return Ok(sets);
            }
        }
    }

    fn like_opt(&mut self) -> EResult<Option<String>> {
        if self.kw("like") {
            Ok(Some(self.string_value()?))
        } else {
            Ok(None)
        }
    }

    fn show(&mut self) -> EResult<Statement> {
        if self.kw("databases") {
            return Ok(Statement::Show(Show::Databases {
                user: true,
                system: true,
            }));
        }
        if self.kws(&["user", "databases"]) {
            return Ok(Statement::Show(Show::Databases {
                user: true,
                system: false,
            }));
        }
        if self.kws(&["system", "databases"]) {
            return Ok(Statement::Show(Show::Databases {
                user: false,
                system: true,
            }));
        }
        if self.kw("create") {
            if self.kw("database") {
                return Ok(Statement::Show(Show::CreateDatabase(self.db_name()?)));
            }
            let stable = if self.kw("stable") {
                true
            } else {
                self.expect_kw("table")?;
                false
            };
            return Ok(Statement::Show(Show::CreateTable(self.obj_name()?, stable)));
        }
        if self.kw("tags") {
            self.expect_kw("from")?;
            let mut name = self.obj_name()?;
            if self.kw("from") {
                name.db = Some(self.db_name()?);
            }
            return Ok(Statement::Show(Show::Tags(name)));
        }
        let (normal, child) = if self.kw("normal") {
            (true, false)
        } else if self.kw("child") {
            (false, true)
        } else {
            (true, true)
        };
        if self.kw("tables") {
            return Ok(Statement::Show(Show::Tables {
                db: None,
                normal,
                child,
                like: self.like_opt()?,
            }));
        }
        if normal && child {
            if self.kw("stables") {
                return Ok(Statement::Show(Show::Stables {
                    db: None,
                    like: self.like_opt()?,
                }));
            }
            if self.kw("vgroups") {
                return Ok(Statement::Show(Show::Vgroups(None)));
            }
            for (kw, table) in [
                ("topics", "ins_topics"),
                ("consumers", "perf_consumers"),
                ("subscriptions", "ins_subscriptions"),
                ("connections", "perf_connections"),
                ("dnodes", "ins_dnodes"),
                ("mnodes", "ins_mnodes"),
                ("users", "ins_users"),
                ("cluster", "ins_cluster"),
                ("grants", "ins_grants"),
                ("licences", "ins_grants"),
                ("queries", "perf_queries"),
                ("streams", "ins_streams"),
                ("functions", "ins_functions"),
                ("variables", "ins_configs"),
                ("views", "ins_views"),
            ] {
                if self.kw(kw) {
                    return Ok(Statement::Show(Show::System(table, None)));
                }
            }
        }
        // `SHOW db.TABLES` and friends: the word is a database prefix.
        let db = self.db_name()?;
        self.expect(&Tok::Dot)?;
        if self.kw("tables") {
            return Ok(Statement::Show(Show::Tables {
                db: Some(db),
                normal,
                child,
                like: self.like_opt()?,
            }));
        }
        if self.kw("stables") {
            return Ok(Statement::Show(Show::Stables {
                db: Some(db),
                like: self.like_opt()?,
            }));
        }
        if self.kw("vgroups") {
            return Ok(Statement::Show(Show::Vgroups(Some(db))));
        }
        if self.kw("views") {
            return Ok(Statement::Show(Show::System("ins_views", Some(db))));
        }
        if self.kw("alive") {
            return Ok(Statement::Show(Show::System("alive", Some(db))));
        }
        Err(self.err_here())
    }

    fn select(&mut self) -> EResult<Select> {
        self.expect_kw("select")?;
        let distinct = self.kw("distinct");
        if self.peek().is_kw("tags") {
            return Err(EngineError::unsupported("SELECT TAGS"));
        }
        let mut items = Vec::new();
        loop {
            let start = self.peek().start;
            let expr = if self.peek().tok == Tok::Star {
                self.bump();
                Expr::Column {
                    qualifier: None,
                    name: "*".into(),
                }
            } else if matches!(self.peek().tok, Tok::Word(_) | Tok::Quoted(_))
                && self.peek_at(1).tok == Tok::Dot
                && self.peek_at(2).tok == Tok::Star
            {
                let q = self.ident()?;
                self.bump();
                self.bump();
                Expr::Column {
                    qualifier: Some(q),
                    name: "*".into(),
                }
            } else {
                self.expr()?
            };
            let text = self.text_from(start);
            let star = matches!(&expr, Expr::Column { name, .. } if name == "*");
            let alias = if self.kw("as")
                || (!star
                    && (matches!(&self.peek().tok, Tok::Word(w) if !is_reserved(w))
                        || matches!(self.peek().tok, Tok::Quoted(_))))
            {
                Some(self.col_ident()?)
            } else {
                None
            };
            items.push(SelectItem { expr, alias, text });
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        let from = if self.kw("from") {
            if self.peek().tok == Tok::LParen {
                return Err(EngineError::unsupported("subquery in FROM"));
            }
            let name = self.obj_name()?;
            let alias = if self.kw("as")
                || matches!(&self.peek().tok, Tok::Word(w) if !is_reserved(w) && !is_clause_word(w))
                || matches!(self.peek().tok, Tok::Quoted(_))
            {
                Some(self.ident()?)
            } else {
                None
            };
            if self.peek().tok == Tok::Comma
                || self.peek().is_kw("join")
                || self.peek().is_kw("inner")
                || self.peek().is_kw("left")
            {
                return Err(EngineError::unsupported("JOIN"));
            }
            Some(FromItem { name, alias })
        } else {
            None
        };
        let mut sel = Select {
            distinct,
            items,
            from,
            where_: None,
            partition_by: Vec::new(),
            interval: None,
            group_by: Vec::new(),
            having: None,
            order_by: Vec::new(),
            slimit: None,
            soffset: None,
            limit: None,
            offset: None,
        };
        if self.kw("where") {
            sel.where_ = Some(self.expr()?);
        }
        if self.kws(&["partition", "by"]) {
            sel.partition_by = self.expr_list()?;
        }
        if self.kw("interval") {
            self.expect(&Tok::LParen)?;
            let len = self.duration()?;
            let offset = if self.eat(&Tok::Comma) {
                Some(self.duration()?)
            } else {
                None
            };
            self.expect(&Tok::RParen)?;
            let sliding = if self.kw("sliding") {
                self.expect(&Tok::LParen)?;
                let d = self.duration()?;
                self.expect(&Tok::RParen)?;
                Some(d)
            } else {
                None
            };
            let fill = if self.kw("fill") {
                self.expect(&Tok::LParen)?;
                let f = if self.kw("none") {
                    Fill::None
                } else if self.kw("null") || self.kw("null_f") {
                    Fill::Null
                } else if self.kw("prev") || self.kw("prev_f") {
                    Fill::Prev
                } else if self.kw("next") || self.kw("next_f") {
                    Fill::Next
                } else if self.kw("linear") {
                    Fill::Linear
                } else if self.kw("value") || self.kw("value_f") {
                    let mut vals = Vec::new();
                    while self.eat(&Tok::Comma) {
                        vals.push(self.expr()?);
                    }
                    Fill::Value(vals)
                } else {
                    return Err(self.err_here());
                };
                self.expect(&Tok::RParen)?;
                f
            } else {
                Fill::None
            };
            sel.interval = Some(Interval {
                len,
                offset,
                sliding,
                fill,
            });
        } else if self.peek().is_kw("state_window")
            || self.peek().is_kw("session")
            || self.peek().is_kw("event_window")
            || self.peek().is_kw("count_window")
        {
            return Err(EngineError::unsupported(
                "state/session/event/count windows",
            ));
        }
        if self.kws(&["group", "by"]) {
            sel.group_by = self.expr_list()?;
        }
        if self.kw("having") {
            sel.having = Some(self.expr()?);
        }
        if self.kws(&["order", "by"]) {
            loop {
                let expr = self.expr()?;
                let desc = if self.kw("desc") {
                    true
                } else {
                    self.kw("asc");
                    false
                };
                let nulls_first = if self.kw("nulls") {
                    if self.kw("first") {
                        Some(true)
                    } else {
                        self.expect_kw("last")?;
                        Some(false)
                    }
                } else {
                    None
                };
                sel.order_by.push(OrderItem {
                    expr,
                    desc,
                    nulls_first,
                });
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        if self.kw("slimit") {
            let a = self.int_value()?;
            if self.eat(&Tok::Comma) {
                sel.soffset = Some(a);
                sel.slimit = Some(self.int_value()?);
            } else {
                sel.slimit = Some(a);
                if self.kw("soffset") {
                    sel.soffset = Some(self.int_value()?);
                }
            }
        }
        if self.kw("limit") {
            let a = self.int_value()?;
            if self.eat(&Tok::Comma) {
                sel.offset = Some(a);
                sel.limit = Some(self.int_value()?);
            } else {
                sel.limit = Some(a);
                if self.kw("offset") {
                    sel.offset = Some(self.int_value()?);
                }
            }
        }
        if self.kw("slimit") {
            sel.slimit = Some(self.int_value()?);
            if self.kw("soffset") {
                sel.soffset = Some(self.int_value()?);
            }
        }
        if self.peek().is_kw("union") {
            return Err(EngineError::unsupported("UNION"));
        }
        Ok(sel)
    }

    fn duration(&mut self) -> EResult<Duration> {
        match self.bump().tok {
            Tok::Duration(count, unit) => Ok(Duration { count, unit }),
            Tok::Int(s) => Ok(Duration {
                count: s.parse().map_err(|_| EngineError::syntax_near(&s))?,
                unit: String::new(),
            }),
            _ => {
                self.pos -= 1;
                Err(self.err_here())
            }
        }
    }

    fn expr_list(&mut self) -> EResult<Vec<Expr>> {
        let mut out = vec![self.expr()?];
        while self.eat(&Tok::Comma) {
            out.push(self.expr()?);
        }
        Ok(out)
    }

    /// An expression (lowest precedence: OR).
    pub(crate) fn expr(&mut self) -> EResult<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(EngineError::new(
                Code::PAR_SYNTAX_ERROR,
                "syntax error near \"...\" (expression nested too deeply)",
            ));
        }
        let r = self.or_expr();
        self.depth -= 1;
        r
    }

    fn or_expr(&mut self) -> EResult<Expr> {
        let mut l = self.and_expr()?;
        while self.kw("or") {
            let r = self.and_expr()?;
            l = Expr::Binary(BinOp::Or, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> EResult<Expr> {
        let mut l = self.not_expr()?;
        while self.kw("and") {
            let r = self.not_expr()?;
            l = Expr::Binary(BinOp::And, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn not_expr(&mut self) -> EResult<Expr> {
        if self.kw("not") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(EngineError::syntax_near("NOT"));
            }
            let e = self.not_expr();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e?)));
        }
        self.cmp_expr()
    }

    fn cmp_expr(&mut self) -> EResult<Expr> {
        let l = self.bit_expr()?;
        let op = match self.peek().tok {
            Tok::Eq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let r = self.bit_expr()?;
            return Ok(Expr::Binary(op, Box::new(l), Box::new(r)));
        }
        if self.kw("is") {
            let neg = self.kw("not");
            self.expect_kw("null")?;
            return Ok(Expr::IsNull(Box::new(l), neg));
        }
        let negated = self.kw("not");
        if self.kw("between") {
            let lo = self.bit_expr()?;
            self.expect_kw("and")?;
            let hi = self.bit_expr()?;
            return Ok(Expr::Between {
                expr: Box::new(l),
                lo: Box::new(lo),
                hi: Box::new(hi),
                negated,
            });
        }
        if self.kw("in") {
            self.expect(&Tok::LParen)?;
            let list = self.expr_list()?;
            self.expect(&Tok::RParen)?;
            return Ok(Expr::InList {
                expr: Box::new(l),
                list,
                negated,
            });
        }
        if self.kw("like") {
            let p = self.bit_expr()?;
            return Ok(Expr::Like {
                expr: Box::new(l),
                pattern: Box::new(p),
                negated,
                regex: false,
            });
        }
        if !negated {
            if self.kw("match") || self.kw("regexp") {
                let p = self.bit_expr()?;
                return Ok(Expr::Like {
                    expr: Box::new(l),
                    pattern: Box::new(p),
                    negated: false,
                    regex: true,
                });
            }
            if self.kw("nmatch") {
                let p = self.bit_expr()?;
                return Ok(Expr::Like {
                    expr: Box::new(l),
                    pattern: Box::new(p),
                    negated: true,
                    regex: true,
                });
            }
            if self.kw("contains") {
                let k = self.string_value()?;
                return Ok(Expr::Contains(Box::new(l), k));
            }
        } else {
            return Err(self.err_here());
        }
        Ok(l)
    }

    /// One left-associative binary level: `operand (op operand)*`, where `op_of` says which
    /// tokens are this level's operators.
    fn left_assoc(
        &mut self,
        operand: fn(&mut Self) -> EResult<Expr>,
        op_of: fn(&Tok) -> Option<BinOp>,
    ) -> EResult<Expr> {
        let mut l = operand(self)?;
        while let Some(op) = op_of(&self.peek().tok) {
            self.bump();
            let r = operand(self)?;
            l = Expr::Binary(op, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn bit_expr(&mut self) -> EResult<Expr> {
        self.left_assoc(Self::add_expr, |t| match t {
            Tok::BitAnd => Some(BinOp::BitAnd),
            Tok::BitOr => Some(BinOp::BitOr),
            _ => None,
        })
    }

    fn add_expr(&mut self) -> EResult<Expr> {
        self.left_assoc(Self::mul_expr, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn mul_expr(&mut self) -> EResult<Expr> {
        self.left_assoc(Self::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            Tok::Percent => Some(BinOp::Rem),
            _ => None,
        })
    }

    fn unary(&mut self) -> EResult<Expr> {
        if self.eat(&Tok::Minus) {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(EngineError::syntax_near("-"));
            }
            let e = self.unary();
            self.depth -= 1;
            return Ok(match e? {
                Expr::Lit(Lit::Int(s)) if !s.starts_with('-') => {
                    Expr::Lit(Lit::Int(format!("-{s}")))
                }
                Expr::Lit(Lit::Float(s)) if !s.starts_with('-') => {
                    Expr::Lit(Lit::Float(format!("-{s}")))
                }
                e => Expr::Neg(Box::new(e)),
            });
        }
        if self.eat(&Tok::Plus) {
            return self.unary();
        }
        let mut e = self.primary()?;
        while self.eat(&Tok::Arrow) {
            let k = self.string_value()?;
            e = Expr::JsonGet(Box::new(e), k);
        }
        Ok(e)
    }

    fn primary(&mut self) -> EResult<Expr> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Int(s) => {
                self.bump();
                Ok(Expr::Lit(Lit::Int(s)))
            }
            Tok::Float(s) => {
                self.bump();
                Ok(Expr::Lit(Lit::Float(s)))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Lit(Lit::Str(s)))
            }
            Tok::Duration(c, u) => {
                self.bump();
                Ok(Expr::Lit(Lit::Duration(c, u)))
            }
            Tok::Question => {
                self.bump();
                Ok(Expr::Placeholder)
            }
            Tok::LParen => {
                self.bump();
                let e = self.expr()?;
                self.expect(&Tok::RParen)?;
                Ok(e)
            }
            Tok::Quoted(q) => {
                self.bump();
                if self.eat(&Tok::Dot) {
                    let name = self.col_ident()?;
                    return Ok(Expr::Column {
                        qualifier: Some(q),
                        name,
                    });
                }
                Ok(Expr::Column {
                    qualifier: None,
                    name: q,
                })
            }
            Tok::Word(w) => {
                let lw = w.to_ascii_lowercase();
                match lw.as_str() {
                    "null" => {
                        self.bump();
                        return Ok(Expr::Lit(Lit::Null));
                    }
                    "true" | "false" => {
                        self.bump();
                        return Ok(Expr::Lit(Lit::Bool(lw == "true")));
                    }
                    "cast" if self.peek_at(1).tok == Tok::LParen => {
                        self.bump();
                        self.bump();
                        let e = self.expr()?;
                        self.expect_kw("as")?;
                        let ty = self.type_spec()?;
                        self.expect(&Tok::RParen)?;
                        return Ok(Expr::Cast(Box::new(e), ty));
                    }
                    "timestamp" if matches!(self.peek_at(1).tok, Tok::Str(_)) => {
                        self.bump();
                        let s = self.string_value()?;
                        return Ok(Expr::Cast(
                            Box::new(Expr::Lit(Lit::Str(s))),
                            TypeSpec {
                                ty: Type::Timestamp,
                                length: 8,
                                precision: 0,
                                scale: 0,
                            },
                        ));
                    }
                    "case" => {
                        self.bump();
                        let operand = if self.peek().is_kw("when") {
                            None
                        } else {
                            Some(Box::new(self.expr()?))
                        };
                        let mut whens = Vec::new();
                        while self.kw("when") {
                            let w = self.expr()?;
                            self.expect_kw("then")?;
                            whens.push((w, self.expr()?));
                        }
                        if whens.is_empty() {
                            return Err(self.err_here());
                        }
                        let else_ = if self.kw("else") {
                            Some(Box::new(self.expr()?))
                        } else {
                            None
                        };
                        self.expect_kw("end")?;
                        return Ok(Expr::Case {
                            operand,
                            whens,
                            else_,
                        });
                    }
                    _ => {}
                }
                if self.peek_at(1).tok == Tok::LParen {
                    self.bump();
                    self.bump();
                    if self.eat(&Tok::Star) {
                        self.expect(&Tok::RParen)?;
                        return Ok(Expr::Func {
                            name: lw,
                            args: Vec::new(),
                            star: true,
                        });
                    }
                    if self.peek().tok == Tok::Word("select".into()) || self.peek().is_kw("select")
                    {
                        return Err(EngineError::unsupported("subquery"));
                    }
                    let args = if self.peek().tok == Tok::RParen {
                        Vec::new()
                    } else {
                        self.expr_list()?
                    };
                    self.expect(&Tok::RParen)?;
                    return Ok(Expr::Func {
                        name: lw,
                        args,
                        star: false,
                    });
                }
                if lw == "now" || lw == "today" {
                    self.bump();
                    return Ok(Expr::Func {
                        name: lw,
                        args: Vec::new(),
                        star: false,
                    });
                }
                if is_reserved(&w) {
                    return Err(self.err_here());
                }
                self.bump();
                if self.eat(&Tok::Dot) {
                    let name = self.col_ident()?;
                    return Ok(Expr::Column {
                        qualifier: Some(lw),
                        name,
                    });
                }
                Ok(Expr::Column {
                    qualifier: None,
                    name: w.to_lowercase(),
                })
            }
            _ => Err(self.err_here()),
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
