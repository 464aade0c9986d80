//! Cursors with PEP 249 semantics.
//!
//! ```
//! use taosync::params;
//! # let server = taosync_server::Server::start(Default::default())?;
//! # let setup = taosync::connect(server.dsn_ws().as_str())?;
//! # setup.execute("create database power", ())?;
//! # setup.execute("create table power.meters (ts timestamp, current float, voltage int)", ())?;
//! # setup.execute("insert into power.meters values (now, 10.2, 219)", ())?;
//! # let dsn = format!("{}/power", server.dsn_ws());
//! let conn = taosync::connect(dsn.as_str())?;
//! let mut cur = conn.cursor()?;
//! cur.execute("select ts, current from meters where voltage > ?", params![200])?;
//! for d in cur.description().unwrap_or(&[]) {
//!     println!("{} {}", d.name, d.type_code);
//! }
//! while let Some(row) = cur.fetchone()? {
//!     println!("{row:?}");
//! }
//! # Ok::<(), taosync::Error>(())
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::params::{Params, placeholder_positions, render, split_insert};
use crate::proto::block::{BlockRows, ValueRef};
use crate::row::{Column, FromRow, Row};
use crate::shared::{Shared, closed_error};
use crate::transport::{Fetched, Outcome, ResultHandle};
use crate::types::{Precision, Type};
use crate::value::Value;

/// One block of a result, as [`Cursor::next_block`] hands it out.
#[derive(Debug)]
#[non_exhaustive]
pub enum Block {
    /// A raw block as the server sent it, undecoded (WebSocket): the layout of
    /// `taosync_proto::block` (header, then per column a NULL bitmap and values, or row
    /// offsets and a heap), for readers that want the column buffers without a copy.
    Raw(Vec<u8>),
    /// Rows already decoded (REST, or rows a row fetch left buffered).
    Rows(Vec<Row>),
}

impl Block {
    /// The number of rows in the block.
    pub fn num_rows(&self) -> Result<usize> {
        match self {
            Block::Raw(bytes) => Ok(crate::proto::block::BlockHeader::parse(bytes)?.rows),
            Block::Rows(rows) => Ok(rows.len()),
        }
    }

    /// Calls `f` with each row's values, borrowed from the block: VARCHAR and JSON as
    /// `&str` and binary types as `&[u8]` pointing into the raw block, fixed-width values
    /// copied out without allocating; one buffer serves every row. The fast way to read a
    /// large result: nothing is allocated per row or per value (an NCHAR column is
    /// decoded from UCS-4 once per block, into one string its values borrow from).
    /// `precision` is the one [`Cursor::next_block`] returned.
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database db", ())?;
    /// # conn.execute("create table db.t (ts timestamp, name varchar(8))", ())?;
    /// # conn.execute("insert into db.t values (1700000000000, 'a') (1700000000001, 'bc')", ())?;
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select name from db.t", ())?;
    /// let mut total = 0;
    /// while let Some((block, precision)) = cur.next_block()? {
    ///     block.for_each_row(precision, |row| {
    ///         total += row[0].as_str().map_or(0, str::len);
    ///         Ok(())
    ///     })?;
    /// }
    /// assert_eq!(total, 3);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn for_each_row(
        &self,
        precision: Precision,
        mut f: impl FnMut(&[ValueRef<'_>]) -> Result<()>,
    ) -> Result<()> {
        let mut buf: Vec<ValueRef<'_>> = Vec::new();
        match self {
            Block::Raw(bytes) => {
                crate::proto::block::BlockView::parse(bytes)?.for_each_row(precision, f)?;
            }
            Block::Rows(rows) => {
                for row in rows {
                    buf.clear();
                    buf.extend(row.values().iter().map(ValueRef::from));
                    f(&buf)?;
                }
            }
        }
        Ok(())
    }
}

/// The largest statement [`Cursor::executemany`] builds when batching INSERT rows.
pub const MAX_BATCH_SQL: usize = 512 * 1024;

/// One column of [`Cursor::description`]: PEP 249's seven fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnDescription {
    /// The column name.
    pub name: String,
    /// The column type (PEP 249 `type_code`).
    pub type_code: Type,
    /// `display_size`: not known, `None`.
    pub display_size: Option<u32>,
    /// `internal_size`: the declared width (bytes, or characters for NCHAR).
    pub internal_size: Option<u32>,
    /// `precision`: DECIMAL precision, `None` for other types.
    pub precision: Option<u8>,
    /// `scale`: DECIMAL scale, `None` for other types.
    pub scale: Option<u8>,
    /// `null_ok`: not reported by TDengine, `None`.
    pub null_ok: Option<bool>,
}

impl ColumnDescription {
    pub(crate) fn from_column(c: &Column) -> ColumnDescription {
        ColumnDescription {
            name: c.name.clone(),
            type_code: c.ty,
            display_size: None,
            internal_size: Some(c.length),
            precision: c.ty.is_decimal().then_some(c.precision),
            scale: c.ty.is_decimal().then_some(c.scale),
            null_ok: None,
        }
    }
}

struct ActiveResult {
    result: ResultHandle,
    /// Rows received and not yet delivered, taken before `block`'s.
    buffer: VecDeque<Row>,
    /// The current raw block, decoded a row at a time as rows are taken: a block costs its
    /// wire bytes plus the rows the caller holds, never a decoded copy of itself.
    block: Option<BlockRows>,
    delivered: u64,
    /// Why the result could not be read to its end: every later fetch raises it again,
    /// so a cut-off result never looks complete.
    failed: Option<Error>,
}

/// A cursor: runs statements and fetches their rows (PEP 249). Owned and `Send`; it shares
/// its connection's socket, and several cursors of one connection may hold open results at
/// the same time.
pub struct Cursor {
    shared: Arc<Shared>,
    closed: bool,
    arraysize: usize,
    rowcount: i64,
    result: Option<ActiveResult>,
    description: Option<Vec<ColumnDescription>>,
    /// Set when iteration hit an error: the iterator then ends.
    iter_failed: bool,
}

impl std::fmt::Debug for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cursor")
            .field("closed", &self.closed)
            .field("arraysize", &self.arraysize)
            .field("rowcount", &self.rowcount)
            .field("description", &self.description)
            .finish()
    }
}

impl Cursor {
    pub(crate) fn new(shared: Arc<Shared>) -> Cursor {
        Cursor {
            shared,
            closed: false,
            arraysize: 1,
            rowcount: -1,
            result: None,
            description: None,
            iter_failed: false,
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.closed {
            return Err(Error::interface("the cursor is closed"));
        }
        if self.shared.is_closed() {
            return Err(closed_error());
        }
        Ok(())
    }

    fn release(&mut self) {
        if let Some(mut r) = self.result.take() {
            self.shared.free_result(&mut r.result);
        }
    }

    /// Runs one statement with `?` parameters (`()` for none). A query's rows are then read
    /// with the fetch methods; for other statements [`rowcount`](Self::rowcount) is the
    /// affected-row count.
    pub fn execute<P: Params>(&mut self, sql: &str, params: P) -> Result<()> {
        let req_id = self.shared.next_req_id();
        self.check_open()?;
        self.release();
        self.description = None;
        self.rowcount = -1;
        self.iter_failed = false;
        let values = params.into_values();
        let sql = render(sql, &values)?;
        let outcome = self.shared.run(&sql, req_id)?;
        self.load(outcome);
        Ok(())
    }

    /// A cursor holding `outcome` (the result of a prepared statement), read with the
    /// fetch methods like the result of [`execute`](Self::execute).
    pub(crate) fn from_outcome(shared: Arc<Shared>, outcome: Outcome) -> Cursor {
        let mut cursor = Cursor::new(shared);
        cursor.load(outcome);
        cursor
    }

    /// Takes `outcome` as the current result.
    fn load(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Affected(n) => {
                self.rowcount = i64::try_from(n).unwrap_or(i64::MAX);
            }
            Outcome::Rows { result, rows } => {
                if !result.has_more() {
                    self.rowcount = i64::try_from(rows.len()).unwrap_or(i64::MAX);
                }
                self.description = Some(
                    result
                        .columns()
                        .iter()
                        .map(ColumnDescription::from_column)
                        .collect(),
                );
                self.result = Some(ActiveResult {
                    result,
                    buffer: rows,
                    block: None,
                    delivered: 0,
                    failed: None,
                });
            }
        }
    }

    /// Runs `sql` once per parameter set. An `INSERT INTO … VALUES (…)` statement is
    /// batched: the rows become multi-row statements of at most [`MAX_BATCH_SQL`] bytes
    /// (`INSERT INTO t VALUES (…) (…) …`, or one table clause per distinct rendered
    /// `USING … TAGS (…)` prefix), not one round trip per row. Other statements run one by
    /// one. [`rowcount`](Self::rowcount) is the total of affected rows.
    pub fn executemany<I, P>(&mut self, sql: &str, seq: I) -> Result<()>
    where
        I: IntoIterator<Item = P>,
        P: Params,
    {
        self.check_open()?;
        self.release();
        self.description = None;
        self.rowcount = -1;
        let mut total: u64 = 0;
        if let Some(t) = split_insert(sql) {
            let clause_params = placeholder_positions(t.clause).len();
            let group_params = placeholder_positions(t.group).len();
            let mut stmt = String::new();
            let mut last_clause: Option<String> = None;
            for params in seq {
                let values = params.into_values();
                if values.len() != clause_params + group_params {
                    return Err(Error::new(
                        ErrorKind::Programming,
                        format!(
                            "the statement has {} parameter placeholder(s) but a parameter set has {}",
                            clause_params + group_params,
                            values.len()
                        ),
                    ));
                }
                let clause = render(t.clause, &values[..clause_params])?;
                let group = render(t.group, &values[clause_params..])?;
                if !stmt.is_empty() && stmt.len() + clause.len() + group.len() + 2 > MAX_BATCH_SQL {
                    total += self.shared.run_affected(&stmt)?;
                    stmt.clear();
                    last_clause = None;
                }
                if stmt.is_empty() {
                    stmt.push_str("INSERT INTO");
                }
                if last_clause.as_deref() != Some(&*clause) {
                    stmt.push(' ');
                    stmt.push_str(&clause);
                    last_clause = Some(clause.into_owned());
                }
                stmt.push(' ');
                stmt.push_str(&group);
            }
            if !stmt.is_empty() {
                total += self.shared.run_affected(&stmt)?;
            }
        } else {
            for params in seq {
                let sql = render(sql, &params.into_values())?;
                total += self.shared.run_affected(&sql)?;
            }
        }
        self.rowcount = i64::try_from(total).unwrap_or(i64::MAX);
        Ok(())
    }

    fn active(&mut self) -> Result<&mut ActiveResult> {
        self.check_open()?;
        // The Python connector raises OperationalError("Invalid use of fetch iterator")
        // here; the same kind, on every transport.
        self.result.as_mut().ok_or_else(|| {
            Error::new(
                ErrorKind::Operational,
                "no result set to fetch from: call execute with a query first",
            )
        })
    }

    /// The next row, or `None` at the end of the result.
    ///
    /// Fetching when the last `execute` produced no result set (or before any) is an
    /// [`Operational`](ErrorKind::Operational) error, the kind the Python connector raises;
    /// on a closed cursor it is an [`Interface`](ErrorKind::Interface) error.
    #[doc(alias = "fetch_one")]
    pub fn fetchone(&mut self) -> Result<Option<Row>> {
        let shared = Arc::clone(&self.shared);
        let r = self.active()?;
        loop {
            if let Some(row) = r.buffer.pop_front() {
                r.delivered += 1;
                return Ok(Some(row));
            }
            if let Some(block) = r.block.as_mut() {
                match block.next() {
                    Some(Ok(row)) => {
                        r.delivered += 1;
                        return Ok(Some(row));
                    }
                    Some(Err(e)) => {
                        r.block = None;
                        r.failed = Some(raised_again(&e));
                        return Err(e);
                    }
                    None => r.block = None,
                }
            }
            if let Some(e) = &r.failed {
                return Err(raised_again(e));
            }
            if !r.result.has_more() {
                self.rowcount = i64::try_from(r.delivered).unwrap_or(i64::MAX);
                return Ok(None);
            }
            let req_id = shared.next_req_id();
            // The end of the result, or a failed fetch (the server frees a result whose
            // fetch failed), leaves the handle without blocks to fetch or free.
            match shared.with(|s| s.fetch(&mut r.result, req_id)) {
                Ok(Some(Fetched::Rows(rows))) => r.buffer.extend(rows),
                Ok(Some(Fetched::Block(block))) => r.block = Some(block),
                Ok(None) => {}
                Err(e) => {
                    r.failed = Some(raised_again(&e));
                    return Err(e);
                }
            }
        }
    }

    /// The rest of the current block: the rows already buffered, else the next raw block
    /// as the server sent it (WebSocket), undecoded; `None` at the end. Errors, `rowcount`
    /// and the "a failed result never looks complete" rule are those of
    /// [`fetchone`](Self::fetchone). With the block the result's timestamp precision.
    ///
    /// ```
    /// use taosync::cursor::Block;
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// # conn.execute("create database db", ())?;
    /// # conn.execute("create table db.t (ts timestamp, v int)", ())?;
    /// # conn.execute("insert into db.t values (1700000000000, 1) (1700000000001, 2)", ())?;
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select * from db.t", ())?;
    /// let mut rows = 0;
    /// while let Some((block, _precision)) = cur.next_block()? {
    ///     rows += match block {
    ///         Block::Raw(bytes) => taosync_proto::block::BlockView::parse(&bytes)?.rows(),
    ///         Block::Rows(r) => r.len(),
    ///         _ => 0,
    ///     };
    /// }
    /// assert_eq!(rows, 2);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn next_block(&mut self) -> Result<Option<(Block, Precision)>> {
        let shared = Arc::clone(&self.shared);
        let r = self.active()?;
        let precision = r.result.precision();
        if let Some(block) = r.block.take() {
            match block.collect::<Result<Vec<Row>>>() {
                Ok(rows) => r.buffer.extend(rows),
                Err(e) => {
                    r.failed = Some(raised_again(&e));
                    return Err(e);
                }
            }
        }
        if !r.buffer.is_empty() {
            let rows: Vec<Row> = r.buffer.drain(..).collect();
            r.delivered += rows.len() as u64;
            return Ok(Some((Block::Rows(rows), precision)));
        }
        if let Some(e) = &r.failed {
            return Err(raised_again(e));
        }
        loop {
            if !r.result.has_more() {
                self.rowcount = i64::try_from(r.delivered).unwrap_or(i64::MAX);
                return Ok(None);
            }
            let req_id = shared.next_req_id();
            match shared.with(|s| s.fetch_raw(&mut r.result, req_id)) {
                Ok(Some(bytes)) => {
                    let rows = crate::proto::block::BlockHeader::parse(&bytes)?.rows;
                    if rows == 0 {
                        continue;
                    }
                    r.delivered += rows as u64;
                    return Ok(Some((Block::Raw(bytes), precision)));
                }
                Ok(None) => {}
                Err(e) => {
                    r.failed = Some(raised_again(&e));
                    return Err(e);
                }
            }
        }
    }

    /// Up to `size` rows (`None`: [`arraysize`](Self::arraysize)); fewer at the end.
    #[doc(alias = "fetch_many")]
    ///
    /// When the result fails part-way, the rows received before the failure are returned
    /// (fewer than `size`, as at the end) and the next fetch raises the failure; a fetch
    /// that fails before any row raises it at once. No row is ever dropped.
    pub fn fetchmany(&mut self, size: Option<usize>) -> Result<Vec<Row>> {
        let size = size.unwrap_or(self.arraysize);
        let mut out = Vec::with_capacity(size.min(4096));
        while out.len() < size {
            match self.fetchone() {
                Ok(Some(row)) => out.push(row),
                Ok(None) => break,
                // The failure is recorded: the next fetch raises it again.
                Err(_) if !out.is_empty() && self.has_failed() => break,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// True when the current result failed part-way (its failure is raised again).
    fn has_failed(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.failed.is_some())
    }

    /// All remaining rows.
    #[doc(alias = "fetch_all")]
    ///
    /// When the result fails part-way this is the failure, and the rows received before it
    /// stay in the cursor: later fetches return them, then raise the failure again. No row
    /// is ever dropped, and a cut-off result never looks complete.
    pub fn fetchall(&mut self) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        loop {
            match self.fetchone() {
                Ok(Some(row)) => out.push(row),
                Ok(None) => return Ok(out),
                Err(e) => {
                    let kept = out.len();
                    if kept > 0
                        && let Some(r) = self.result.as_mut()
                    {
                        r.delivered = r.delivered.saturating_sub(kept as u64);
                        for row in out.into_iter().rev() {
                            r.buffer.push_front(row);
                        }
                        let mut kept_error = Error::new(
                            e.kind(),
                            format!(
                                "{} ({kept} rows received before the failure are kept in the \
                                 cursor: fetch them with fetchone or fetchmany)",
                                e.message()
                            ),
                        );
                        if let Some(code) = e.code() {
                            kept_error = kept_error.with_code(code);
                        }
                        return Err(kept_error.with_source(e));
                    }
                    return Err(e);
                }
            }
        }
    }

    /// The next row converted to `T` (a tuple or any [`FromRow`] type).
    pub fn fetchone_as<T: FromRow>(&mut self) -> Result<Option<T>> {
        self.fetchone()?.map(|r| T::from_row(&r)).transpose()
    }

    /// Up to `size` rows converted to `T`.
    pub fn fetchmany_as<T: FromRow>(&mut self, size: Option<usize>) -> Result<Vec<T>> {
        self.fetchmany(size)?.iter().map(T::from_row).collect()
    }

    /// All remaining rows converted to `T`.
    pub fn fetchall_as<T: FromRow>(&mut self) -> Result<Vec<T>> {
        self.fetchall()?.iter().map(T::from_row).collect()
    }

    /// The next row deserialized into `T` by column name (feature `serde`; the type
    /// mapping is in [`taosync_proto::serde_support`]).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// #[derive(serde::Deserialize)]
    /// struct Info {
    ///     version: String,
    /// }
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select server_version() as version", ())?;
    /// let info: Info = cur.fetchone_deserialized()?.expect("one row");
    /// assert!(info.version.starts_with('3'));
    /// # Ok::<(), taosync::Error>(())
    /// ```
    #[cfg(feature = "serde")]
    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    pub fn fetchone_deserialized<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>> {
        self.fetchone()?.map(|r| r.deserialize()).transpose()
    }

    /// Up to `size` rows (`None`: [`arraysize`](Self::arraysize)) deserialized into `T`
    /// (feature `serde`).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select 1 as a, 'x' as b", ())?;
    /// let rows: Vec<std::collections::BTreeMap<String, serde_json::Value>> =
    ///     cur.fetchmany_deserialized(Some(10))?;
    /// assert_eq!(rows[0]["b"], "x");
    /// # Ok::<(), taosync::Error>(())
    /// ```
    #[cfg(feature = "serde")]
    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    pub fn fetchmany_deserialized<T: serde::de::DeserializeOwned>(
        &mut self,
        size: Option<usize>,
    ) -> Result<Vec<T>> {
        self.fetchmany(size)?.iter().map(Row::deserialize).collect()
    }

    /// All remaining rows deserialized into `T` (feature `serde`).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select 7 as v", ())?;
    /// let all: Vec<(i64,)> = cur.fetchall_deserialized()?;
    /// assert_eq!(all, [(7,)]);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    #[cfg(feature = "serde")]
    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    pub fn fetchall_deserialized<T: serde::de::DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        self.fetchall()?.iter().map(Row::deserialize).collect()
    }

    /// All remaining rows as column-name → value maps (the Python connector's
    /// `fetch_all_into_dict`).
    pub fn fetchall_into_dicts(&mut self) -> Result<Vec<BTreeMap<String, Value>>> {
        Ok(self.fetchall()?.iter().map(Row::to_map).collect())
    }

    /// PEP 249 `description`: one entry per result column, `None` before a query or after
    /// a statement without a result set.
    pub fn description(&self) -> Option<&[ColumnDescription]> {
        self.description.as_deref()
    }

    /// The columns of the current result.
    pub fn columns(&self) -> Option<&[Column]> {
        self.result.as_ref().map(|r| &**r.result.columns())
    }

    /// The timestamp precision of the current result (its database's precision), `None`
    /// without a result set. Timestamps in its rows already carry it; this tells it before
    /// any row is read (the C API's `taos_result_precision` needs that).
    ///
    /// ```
    /// # let server = taosync_server::Server::start(Default::default())?;
    /// # let conn = taosync::connect(server.dsn_ws().as_str())?;
    /// conn.execute("create database nsdb precision 'ns'", ())?;
    /// conn.execute("create table nsdb.t (ts timestamp, v int)", ())?;
    /// let mut cur = conn.cursor()?;
    /// cur.execute("select * from nsdb.t", ())?;
    /// assert_eq!(cur.precision(), Some(taosync::Precision::Nanosecond));
    /// cur.execute("create table nsdb.u (ts timestamp, v int)", ())?;
    /// assert_eq!(cur.precision(), None);
    /// # Ok::<(), taosync::Error>(())
    /// ```
    pub fn precision(&self) -> Option<crate::types::Precision> {
        self.result.as_ref().map(|r| r.result.precision())
    }

    /// PEP 249 `rowcount`: affected rows after a non-query; for a query the number of rows
    /// once they are all known (when the last row was fetched; at once for a result that
    /// fits its first block);
    /// -1 otherwise.
    pub fn rowcount(&self) -> i64 {
        self.rowcount
    }

    /// PEP 249 `arraysize`: the default row count of [`fetchmany`](Self::fetchmany) (1).
    pub fn arraysize(&self) -> usize {
        self.arraysize
    }

    /// Sets [`arraysize`](Self::arraysize) (at least 1).
    pub fn set_arraysize(&mut self, n: usize) {
        self.arraysize = n.max(1);
    }

    /// PEP 249 `setinputsizes`: accepted and ignored.
    pub fn setinputsizes(&mut self, _sizes: &[Option<usize>]) {}

    /// PEP 249 `setoutputsize`: accepted and ignored.
    pub fn setoutputsize(&mut self, _size: usize, _column: Option<usize>) {}

    /// PEP 249 `callproc`: TDengine has no stored procedures.
    pub fn callproc(&mut self, name: &str) -> Result<()> {
        Err(Error::new(
            ErrorKind::NotSupported,
            format!("callproc({name:?}): TDengine has no stored procedures"),
        ))
    }

    /// Closes the cursor, freeing its result on the server. Idempotent; later calls other
    /// than `close` are [`Interface`](ErrorKind::Interface) errors.
    pub fn close(&mut self) -> Result<()> {
        self.release();
        self.description = None;
        self.closed = true;
        Ok(())
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

impl Iterator for Cursor {
    type Item = Result<Row>;

    /// The next row; after an error the iteration ends.
    fn next(&mut self) -> Option<Result<Row>> {
        if self.iter_failed {
            return None;
        }
        match self.fetchone() {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => None,
            Err(e) => {
                if let Some(r) = self.result.as_mut() {
                    r.buffer.clear();
                    r.block = None;
                }
                self.release();
                self.iter_failed = true;
                Some(Err(e))
            }
        }
    }
}

impl Drop for Cursor {
    fn drop(&mut self) {
        self.release();
    }
}

/// The error of a failed fetch, to raise again on every later fetch of the same result:
/// the same kind, code and message (the source stays with the first raise).
fn raised_again(e: &Error) -> Error {
    let mut again = Error::new(e.kind(), e.message().to_owned());
    if let Some(code) = e.code() {
        again = again.with_code(code);
    }
    again
}
