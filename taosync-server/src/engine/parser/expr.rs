//! Expressions, by precedence: OR, AND, NOT, comparisons, bit, additive, multiplicative,
//! unary, primary.

use super::Parser;
use super::{MAX_DEPTH, is_reserved};
use crate::engine::ast::*;
use crate::engine::error::{EResult, EngineError};
use crate::engine::lexer::Tok;
use taosync_proto::types::Type;

impl Parser<'_> {
    pub(super) fn or_expr(&mut self) -> EResult<Expr> {
        let mut l = self.and_expr()?;
        while self.kw("or") {
            let r = self.and_expr()?;
            l = Expr::Binary(BinOp::Or, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    pub(super) fn and_expr(&mut self) -> EResult<Expr> {
        let mut l = self.not_expr()?;
        while self.kw("and") {
            let r = self.not_expr()?;
            l = Expr::Binary(BinOp::And, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    pub(super) fn not_expr(&mut self) -> EResult<Expr> {
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

    pub(super) fn cmp_expr(&mut self) -> EResult<Expr> {
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
    pub(super) fn left_assoc(
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

    pub(super) fn bit_expr(&mut self) -> EResult<Expr> {
        self.left_assoc(Self::add_expr, |t| match t {
            Tok::BitAnd => Some(BinOp::BitAnd),
            Tok::BitOr => Some(BinOp::BitOr),
            _ => None,
        })
    }

    pub(super) fn add_expr(&mut self) -> EResult<Expr> {
        self.left_assoc(Self::mul_expr, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    pub(super) fn mul_expr(&mut self) -> EResult<Expr> {
        self.left_assoc(Self::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            Tok::Percent => Some(BinOp::Rem),
            _ => None,
        })
    }

    pub(super) fn unary(&mut self) -> EResult<Expr> {
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

    pub(super) fn primary(&mut self) -> EResult<Expr> {
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
