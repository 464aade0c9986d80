//! SHOW statements.

use super::Parser;
use crate::engine::ast::*;
use crate::engine::error::EResult;
use crate::engine::lexer::Tok;

impl Parser<'_> {
    pub(super) fn show(&mut self) -> EResult<Statement> {
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
}
