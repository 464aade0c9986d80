//! SELECT: projections, FROM, WHERE, GROUP / PARTITION BY, windows, ORDER BY, LIMIT.

use super::Parser;
use super::{MAX_DEPTH, is_clause_word, is_reserved};
use crate::engine::ast::*;
use crate::engine::error::{EResult, EngineError};
use crate::engine::lexer::Tok;
use taosync_proto::code::Code;

impl Parser<'_> {
    pub(super) fn select(&mut self) -> EResult<Select> {
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

    pub(super) fn duration(&mut self) -> EResult<Duration> {
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

    pub(super) fn expr_list(&mut self) -> EResult<Vec<Expr>> {
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
}
