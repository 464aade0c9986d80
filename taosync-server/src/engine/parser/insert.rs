//! INSERT: targets, `USING … TAGS`, column lists and value rows.

use super::Parser;
use crate::engine::ast::*;
use crate::engine::error::{EResult, EngineError};
use crate::engine::lexer::Tok;

impl Parser<'_> {
    /// `v, v, …)` after a consumed `(`.
    pub(super) fn value_list(&mut self) -> EResult<Vec<InsValue>> {
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
    pub(super) fn fast_value(&mut self) -> Option<Expr> {
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

    /// Consumes one `,` between insert tokens; a second one is a syntax error.
    fn skip_one_comma(&mut self) -> EResult<()> {
        if self.eat(&Tok::Comma) && self.peek().tok == Tok::Comma {
            return Err(EngineError::insert_syntax(
                &self.sql[self.peek().start..],
                "syntax error",
            ));
        }
        Ok(())
    }

    pub(super) fn insert(&mut self) -> EResult<Statement> {
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
            // TDengine's insert tokenizer skips one comma before every token, so rows may
            // be separated by a comma or by nothing, and a comma may follow the last row
            // or separate two table clauses; two commas in a row are a syntax error.
            while self.peek().tok == Tok::LParen {
                self.bump();
                clause.rows.push(self.value_list()?);
                self.skip_one_comma()?;
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
}
