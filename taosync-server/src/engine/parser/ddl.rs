//! CREATE, DROP and ALTER: databases, tables, supertables, topics, users and their options.

use super::Parser;
use crate::engine::ast::*;
use crate::engine::error::{EResult, EngineError};
use crate::engine::lexer::Tok;
use taosync_proto::code::Code;
use taosync_proto::types::Type;

impl Parser<'_> {
    pub(super) fn create(&mut self) -> EResult<Statement> {
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

    pub(super) fn unsupported_here(&self) -> EngineError {
        let t = self.peek();
        if t.tok == Tok::Eof {
            EngineError::incomplete()
        } else {
            EngineError::syntax_near(&self.sql[t.start..])
        }
    }

    pub(super) fn skip_rest(&mut self) {
        while !self.at_eof() && self.peek().tok != Tok::Semi {
            self.bump();
        }
    }

    pub(super) fn db_options(&mut self) -> EResult<Vec<(String, String)>> {
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

    pub(super) fn table_options(&mut self) -> EResult<()> {
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

    pub(super) fn skip_duration_list(&mut self) -> EResult<()> {
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
    pub(super) fn skip_parens(&mut self) -> EResult<()> {
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

    pub(super) fn column_defs(&mut self) -> EResult<Vec<ColumnSpec>> {
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

    pub(super) fn column_def(&mut self) -> EResult<ColumnSpec> {
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

    pub(super) fn type_spec(&mut self) -> EResult<TypeSpec> {
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

    pub(super) fn using_clause(&mut self) -> EResult<UsingClause> {
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
    pub(super) fn name_list(&mut self) -> EResult<Vec<String>> {
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

    pub(super) fn drop(&mut self) -> EResult<Statement> {
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

    pub(super) fn alter(&mut self) -> EResult<Statement> {
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
    pub(super) fn tag_sets(&mut self) -> EResult<Vec<(String, InsValue)>> {
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

    pub(super) fn like_opt(&mut self) -> EResult<Option<String>> {
        if self.kw("like") {
            Ok(Some(self.string_value()?))
        } else {
            Ok(None)
        }
    }
}
