//! Results: `taos_query*`, fetching by row and by block, fields, null tests, errors.
//!
//! A fetched block is held column by column in the `taos_fetch_block` layout: fixed-width
//! columns as packed native-endian arrays (with a null flag per row), variable columns as
//! one buffer of `[u16 length][bytes]` entries (`u32` for BLOB) with an `int32` offset per
//! row (-1 for NULL). Over WebSocket the server's raw block already has that layout for
//! every fixed-width, VARCHAR, VARBINARY, GEOMETRY and BLOB column (on little-endian
//! hosts): those columns are handed out in place, straight from the block as received,
//! as libtaos does. NCHAR (UCS-4 on the wire, UTF-8 in C), JSON and DECIMAL columns, and
//! REST results, are converted into our own buffers, whose entries are NUL-terminated
//! too. `taos_fetch_row` points into the same buffers; `taos_fetch_raw_block` hands out the
//! raw block itself. Every pointer handed out stays valid until the next fetch on the
//! result or `taos_free_result`.

use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Mutex, MutexGuard};

use taosync::cursor::Block as CursorBlock;
use taosync::{Column, Cursor, Precision, Row, Type, Value};
use taosync_proto::block::{BlockView, decode_block, encode_block};

use crate::conn;
use crate::error::{self, CODE_INVALID_HANDLE, CODE_INVALID_PARA, CODE_INVALID_PTR, ErrState};
use crate::ffi::{self, guard};
use crate::handles::{self, Obj};
use crate::tmq::TmqResult;

/// `TAOS_FIELD`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosField {
    /// NUL-terminated column name.
    pub name: [c_char; 65],
    /// `TSDB_DATA_TYPE_*`.
    pub type_: i8,
    /// Declared width.
    pub bytes: i32,
}

/// `TAOS_FIELD_E`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaosFieldE {
    /// NUL-terminated column name.
    pub name: [c_char; 65],
    /// `TSDB_DATA_TYPE_*`.
    pub type_: i8,
    /// DECIMAL precision.
    pub precision: u8,
    /// DECIMAL scale.
    pub scale: u8,
    /// Declared width.
    pub bytes: i32,
}

/// A NUL-terminated `char[65]` name (truncated to 64 bytes), as `TAOS_FIELD*` hold it.
pub(crate) fn name65(name: &str) -> [c_char; 65] {
    let mut out = [0 as c_char; 65];
    for (o, b) in out.iter_mut().zip(name.bytes().take(64)) {
        *o = b as c_char;
    }
    out
}

/// Where the NULL flags of a column of the current block are.
#[derive(Default)]
enum Nulls {
    /// A variable-width column: a row is NULL when its offset is -1.
    #[default]
    Offsets,
    /// A converted fixed-width column: one flag per row.
    Flags(Vec<bool>),
    /// An in-place fixed-width column: the MSB-first bitmap at `Block::raw[start..start + len]`.
    Bitmap(usize, usize),
}

/// One column of the current block.
#[derive(Default)]
struct ColBuf {
    /// The column's bytes when converted into our own buffer (see [`ColBuf::raw`]).
    data: Vec<u8>,
    /// `Some((start, len))` when the column is read in place: its bytes are
    /// `Block::raw[start..start + len]`, the server's raw block, not copied.
    raw: Option<(usize, usize)>,
    /// Variable columns: the offset of each row's entry, -1 for NULL.
    offsets: Vec<i32>,
    nulls: Nulls,
    /// Bytes per value for fixed columns; 0 for variable ones.
    width: usize,
    /// Length-prefix size for variable columns (2, or 4 for BLOB).
    prefix: usize,
}

#[derive(Default)]
struct Block {
    rows: usize,
    /// The raw block that in-place columns point into (its heap buffer never moves).
    raw: Vec<u8>,
    cols: Vec<ColBuf>,
    /// `TAOS_ROW` of `taos_fetch_block`: one data pointer per column.
    col_ptrs: Vec<usize>,
}

fn fixed_width(ty: Type) -> usize {
    match ty {
        Type::Bool | Type::TinyInt | Type::UTinyInt => 1,
        Type::SmallInt | Type::USmallInt => 2,
        Type::Int | Type::UInt | Type::Float => 4,
        Type::BigInt | Type::UBigInt | Type::Double | Type::Timestamp => 8,
        _ => 0,
    }
}

fn push_fixed(out: &mut Vec<u8>, v: &Value, ty: Type, precision: Precision) -> bool {
    match v {
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::TinyInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::SmallInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::Int(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::BigInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::UTinyInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::USmallInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::UInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::UBigInt(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::Float(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::Double(x) => out.extend_from_slice(&x.to_ne_bytes()),
        Value::Timestamp(t) => {
            out.extend_from_slice(&t.to_precision(precision).value().to_ne_bytes())
        }
        _ => {
            out.resize(out.len() + fixed_width(ty), 0);
            return false;
        }
    }
    true
}

fn var_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Null => None,
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => Some(s.as_bytes().to_vec()),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => Some(b.clone()),
        other => Some(
            other
                .to_json()
                .to_string()
                .trim_matches('"')
                .as_bytes()
                .to_vec(),
        ),
    }
}

/// A converted column of type `ty` from its values, in the `taos_fetch_block` layout.
fn build_column<'a>(
    ty: Type,
    values: impl ExactSizeIterator<Item = &'a Value>,
    precision: Precision,
) -> ColBuf {
    let width = fixed_width(ty);
    let mut col = ColBuf {
        width,
        prefix: if ty == Type::Blob { 4 } else { 2 },
        data: Vec::with_capacity(width * values.len()),
        ..ColBuf::default()
    };
    let mut flags = Vec::with_capacity(if width > 0 { values.len() } else { 0 });
    for v in values {
        if width > 0 {
            let is_null = v.is_null();
            let wrote = !is_null && push_fixed(&mut col.data, v, ty, precision);
            if is_null {
                col.data.resize(col.data.len() + width, 0);
            }
            flags.push(!wrote);
            continue;
        }
        match var_bytes(v) {
            None => col.offsets.push(-1),
            Some(b) => {
                col.offsets
                    .push(i32::try_from(col.data.len()).unwrap_or(i32::MAX));
                if col.prefix == 4 {
                    col.data.extend_from_slice(
                        &u32::try_from(b.len()).unwrap_or(u32::MAX).to_ne_bytes(),
                    );
                } else {
                    col.data.extend_from_slice(
                        &u16::try_from(b.len()).unwrap_or(u16::MAX).to_ne_bytes(),
                    );
                }
                col.data.extend_from_slice(&b);
                // NUL-terminated too: taospy reads NCHAR and JSON row values as C strings.
                col.data.push(0);
            }
        }
    }
    if width > 0 {
        col.nulls = Nulls::Flags(flags);
    }
    col
}

/// Whether a raw-block column can be handed to C in place: its wire layout is the
/// `taos_fetch_block` layout (little-endian fixed-width arrays, or `[u16 len][bytes]`
/// entries with row offsets). NCHAR (UCS-4 on the wire, UTF-8 in C), JSON (read as C
/// strings by taospy) and DECIMAL (rendered as text) are converted.
fn in_place(ty: Type) -> bool {
    cfg!(target_endian = "little")
        && (fixed_width(ty) > 0
            || matches!(
                ty,
                Type::VarChar | Type::VarBinary | Type::Geometry | Type::Blob
            ))
}

fn block_err(e: &taosync::Error) -> ErrState {
    ErrState::from_error(e)
}

/// The offset of `part` inside `whole` (both from the same buffer).
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Copies a variable-width column's wire offsets into `out` (cleared first), checking
/// that every entry lies inside `heap` and is no longer than `max` bytes with its prefix
/// (`max` 0: unchecked), so C can follow them without bounds checks of its own. One
/// pass, no allocation once `out` has grown to a block's row count.
fn copy_offsets(
    out: &mut Vec<i32>,
    wire: &[u8],
    heap: &[u8],
    prefix: usize,
    max: usize,
) -> Result<(), ErrState> {
    out.clear();
    out.reserve(wire.len() / 4);
    for (row, b) in wire.chunks_exact(4).enumerate() {
        let o = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let Ok(start) = usize::try_from(o) else {
            out.push(-1);
            continue;
        };
        let len = match heap.get(start..).unwrap_or(&[]) {
            [a, b, c, d, ..] if prefix == 4 => u32::from_le_bytes([*a, *b, *c, *d]) as usize,
            [a, b, ..] if prefix == 2 => usize::from(u16::from_le_bytes([*a, *b])),
            _ => usize::MAX,
        };
        let end = start.saturating_add(prefix).saturating_add(len);
        if end > heap.len() || (max > 0 && len.saturating_add(prefix) > max) {
            return Err(ErrState::new(
                error::CODE_APP_ERROR,
                &format!("raw block row {row}: a value runs past its heap or column width"),
            ));
        }
        out.push(o);
    }
    Ok(())
}

impl Block {
    fn build(fields: &[Column], rows: &[Row], precision: Precision) -> Block {
        let cols = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let values = rows
                    .iter()
                    .map(move |r| r.values().get(i).unwrap_or(&Value::Null));
                build_column(f.ty, values, precision)
            })
            .collect();
        Block::finish(rows.len(), Vec::new(), cols, Vec::new())
    }

    /// A block over the server's raw bytes: columns the C layout shares with the wire
    /// point into `raw` (parsed once, nothing copied per value, only the offsets of
    /// variable-width columns copied once they are checked); the others are converted.
    /// `spare` is the previous block, whose buffers are reused so that a fetch loop
    /// allocates nothing per block once the buffers have grown.
    fn from_raw(
        fields: &[Column],
        raw: Vec<u8>,
        precision: Precision,
        spare: Block,
    ) -> Result<Block, ErrState> {
        let view = BlockView::parse(&raw).map_err(|e| block_err(&e))?;
        let rows = view.rows();
        if view.column_count() != fields.len() {
            return Err(ErrState::new(
                error::CODE_APP_ERROR,
                "raw block: column count differs from the result's",
            ));
        }
        let Block {
            cols: mut spare_cols,
            col_ptrs,
            ..
        } = spare;
        spare_cols.truncate(fields.len());
        spare_cols.resize_with(fields.len(), ColBuf::default);
        let mut decoded: Option<Vec<Vec<Value>>> = None;
        for (i, (f, col)) in fields.iter().zip(spare_cols.iter_mut()).enumerate() {
            let Some(c) = view.column(i) else {
                return Err(ErrState::new(
                    error::CODE_APP_ERROR,
                    "raw block: missing column",
                ));
            };
            let field = c.field();
            let ty = field.ty;
            if !in_place(ty) || ty != f.ty {
                if decoded.is_none() {
                    let d = decode_block(&raw, precision).map_err(|e| block_err(&e))?;
                    decoded = Some(d.rows);
                }
                let rows_v = decoded.as_deref().unwrap_or(&[]);
                let values = rows_v.iter().map(|r| r.get(i).unwrap_or(&Value::Null));
                *col = build_column(f.ty, values, precision);
                continue;
            }
            let (first, second) = c.parts();
            let (start, len) = (offset_in(&raw, second), second.len());
            col.data = Vec::new();
            col.raw = Some((start, len));
            if c.fixed_values().is_some() {
                col.nulls = Nulls::Bitmap(offset_in(&raw, first), first.len());
                col.width = c.width();
                col.offsets.clear();
                continue;
            }
            // Variable width: the column's data is the wire heap and its offsets are the
            // wire offsets (relative to the heap, as taos_fetch_block's are).
            let prefix = if ty == Type::Blob { 4 } else { 2 };
            let max = if ty == Type::Json {
                0
            } else {
                field.bytes as usize
            };
            copy_offsets(&mut col.offsets, first, second, prefix, max)?;
            col.nulls = Nulls::Offsets;
            col.width = 0;
            col.prefix = prefix;
        }
        drop(view);
        Ok(Block::finish(rows, raw, spare_cols, col_ptrs))
    }

    fn finish(rows: usize, raw: Vec<u8>, cols: Vec<ColBuf>, col_ptrs: Vec<usize>) -> Block {
        let mut block = Block {
            rows,
            raw,
            cols,
            col_ptrs,
        };
        block.col_ptrs.clear();
        for i in 0..block.cols.len() {
            let p = block.col_data(i).as_ptr() as usize;
            block.col_ptrs.push(p);
        }
        block
    }

    /// The bytes of column `i` (in place or converted).
    fn col_data(&self, i: usize) -> &[u8] {
        match self.cols.get(i) {
            Some(ColBuf {
                raw: Some((start, len)),
                ..
            }) => self.raw.get(*start..start + len).unwrap_or(&[]),
            Some(c) => &c.data,
            None => &[],
        }
    }

    /// Whether row `row` of column `col` is NULL (`true` out of range).
    fn is_null(&self, col: usize, row: usize) -> bool {
        let Some(c) = self.cols.get(col) else {
            return true;
        };
        if row >= self.rows {
            return true;
        }
        match &c.nulls {
            Nulls::Offsets => c.offsets.get(row).is_none_or(|o| *o < 0),
            Nulls::Flags(f) => f.get(row).copied().unwrap_or(true),
            Nulls::Bitmap(start, len) => self
                .raw
                .get(*start..start + len)
                .and_then(|b| b.get(row >> 3))
                .is_none_or(|b| b & (0x80 >> (row & 7)) != 0),
        }
    }
}

/// The state behind a `TAOS_RES*`.
pub struct ResultState {
    err: ErrState,
    cursor: Option<Cursor>,
    fields: Vec<Column>,
    c_fields: Vec<TaosField>,
    c_fields_e: Vec<TaosFieldE>,
    affected: i64,
    precision: Option<Precision>,
    block: Block,
    /// The next row of `block` for `taos_fetch_row`.
    pos: usize,
    row_ptrs: Vec<usize>,
    lengths: Vec<i32>,
    done: bool,
    /// After `taos_fetch_rows_a`, `taos_fetch_row` walks the fetched block and stops at its
    /// end instead of fetching more.
    async_rows: bool,
    /// A TMQ message's blocks, read instead of a cursor's.
    tmq: Option<TmqResult>,
}

impl ResultState {
    fn failed(err: ErrState) -> ResultState {
        ResultState {
            err,
            cursor: None,
            fields: Vec::new(),
            c_fields: Vec::new(),
            c_fields_e: Vec::new(),
            affected: 0,
            precision: None,
            block: Block::default(),
            pos: 0,
            row_ptrs: Vec::new(),
            lengths: Vec::new(),
            done: true,
            async_rows: false,
            tmq: None,
        }
    }

    /// A result without columns reporting `affected` rows and `err` (0 on success).
    pub(crate) fn affected(err: ErrState, affected: i64) -> ResultState {
        let mut r = ResultState::failed(err);
        r.affected = affected;
        r
    }

    pub(crate) fn from_cursor(cursor: Cursor) -> ResultState {
        let fields: Vec<Column> = cursor.columns().map(|c| c.to_vec()).unwrap_or_default();
        let affected = if fields.is_empty() {
            cursor.rowcount().max(0)
        } else {
            0
        };
        let mut r = ResultState::affected(ErrState::ok(), affected);
        r.done = fields.is_empty();
        r.precision = cursor.precision();
        r.cursor = Some(cursor);
        r.set_fields(fields);
        r
    }

    /// A TMQ message (`tmq_consumer_poll`): its blocks, one per table, are the result's
    /// blocks; the fields describe the current block (the first one before any fetch).
    pub(crate) fn from_message(tmq: TmqResult) -> ResultState {
        let mut r = ResultState::affected(ErrState::ok(), 0);
        if let Some(first) = tmq.message.blocks().first() {
            r.precision = Some(first.precision());
            r.set_fields(first.columns().to_vec());
        }
        r.done = tmq.message.blocks().is_empty();
        r.tmq = Some(tmq);
        r
    }

    /// The TMQ message behind this result, if it is one.
    pub(crate) fn tmq(&self) -> Option<&TmqResult> {
        self.tmq.as_ref()
    }

    /// Sets the columns and the C arrays describing them.
    fn set_fields(&mut self, fields: Vec<Column>) {
        self.c_fields = fields
            .iter()
            .map(|f| TaosField {
                name: name65(&f.name),
                type_: f.ty.code() as i8,
                bytes: f.length as i32,
            })
            .collect();
        self.c_fields_e = fields
            .iter()
            .map(|f| TaosFieldE {
                name: name65(&f.name),
                type_: f.ty.code() as i8,
                precision: f.precision,
                scale: f.scale,
                bytes: f.length as i32,
            })
            .collect();
        let n = fields.len();
        self.row_ptrs = vec![0; n];
        self.lengths = vec![0; n];
        self.fields = fields;
    }

    /// The next non-empty block of a TMQ message (its fields become the result's).
    fn next_tmq_block(&mut self, want_raw: bool, spare: Block) -> Option<Result<Block, ErrState>> {
        let tmq = self.tmq.as_mut()?;
        let message = Arc::clone(&tmq.message);
        let (index, mb) = loop {
            let i = tmq.next;
            let Some(mb) = message.blocks().get(i) else {
                tmq.current = None;
                tmq.next = i;
                return Some(Ok(Block::default()));
            };
            tmq.next = i + 1;
            if mb.nrows() > 0 {
                break (i, mb);
            }
        };
        tmq.current = Some(index);
        let precision = mb.precision();
        self.precision = Some(precision);
        self.set_fields(mb.columns().to_vec());
        let raw = mb.raw_block().to_vec();
        let block = match Block::from_raw(&self.fields, raw, precision, spare) {
            Ok(b) => Ok(b),
            // A block the in-place reader refuses (an older server's layout): from its rows.
            Err(_) if !want_raw => Ok(Block::build(&self.fields, mb.rows(), precision)),
            Err(_) => {
                let values: Vec<&[Value]> = mb.rows().iter().map(Row::values).collect();
                encode_block(&self.fields, &values)
                    .map_err(|e| block_err(&e))
                    .and_then(|bytes| {
                        Block::from_raw(&self.fields, bytes, precision, Block::default())
                    })
            }
        };
        Some(block)
    }

    /// Fetches the next block; returns its row count (0 at the end).
    fn next_block(&mut self) -> Result<usize, ErrState> {
        self.next_block_as(false)
    }

    /// Fetches the next block; with `want_raw`, decoded rows (REST, or rows a row fetch
    /// left buffered) are encoded into a raw block too, for `taos_fetch_raw_block`.
    fn next_block_as(&mut self, want_raw: bool) -> Result<usize, ErrState> {
        self.pos = 0;
        self.async_rows = false;
        if self.done {
            self.block = Block::default();
            return Ok(0);
        }
        let precision = self.precision.unwrap_or(Precision::Millisecond);
        // The previous block's buffers, reused by the next raw block (its pointers are
        // documented to be valid only until this fetch).
        let spare = std::mem::take(&mut self.block);
        let block = if self.tmq.is_some() {
            self.next_tmq_block(want_raw, spare)
                .unwrap_or_else(|| Ok(Block::default()))
        } else {
            let Some(cursor) = self.cursor.as_mut() else {
                return Ok(0);
            };
            match cursor.next_block() {
                Ok(None) => Ok(Block::default()),
                Ok(Some((CursorBlock::Raw(bytes), _))) => {
                    Block::from_raw(&self.fields, bytes, precision, spare)
                }
                Ok(Some((CursorBlock::Rows(rows), _))) if want_raw => {
                    let values: Vec<&[Value]> = rows.iter().map(Row::values).collect();
                    encode_block(&self.fields, &values)
                        .map_err(|e| block_err(&e))
                        .and_then(|bytes| Block::from_raw(&self.fields, bytes, precision, spare))
                }
                Ok(Some((CursorBlock::Rows(rows), _))) => {
                    Ok(Block::build(&self.fields, &rows, precision))
                }
                Ok(Some(_)) => Err(ErrState::new(
                    error::CODE_APP_ERROR,
                    "a result block of an unknown kind",
                )),
                Err(e) => Err(ErrState::from_error(&e)),
            }
        };
        match block {
            Ok(b) => {
                if b.rows == 0 {
                    self.done = true;
                }
                self.block = b;
            }
            Err(st) => {
                self.done = true;
                self.block = Block::default();
                self.err = st.clone();
                return Err(st);
            }
        }
        for (l, f) in self.lengths.iter_mut().zip(&self.fields) {
            *l = f.length as i32;
        }
        Ok(self.block.rows)
    }

    fn fill_row(&mut self, r: usize) {
        let block = &self.block;
        for (i, col) in block.cols.iter().enumerate() {
            let data = block.col_data(i);
            let base = data.as_ptr() as usize;
            if block.is_null(i, r) {
                self.row_ptrs[i] = 0;
                self.lengths[i] = 0;
            } else if col.width > 0 {
                self.row_ptrs[i] = base + r * col.width;
                self.lengths[i] = col.width as i32;
            } else {
                let off = col.offsets.get(r).map_or(0, |o| *o as usize);
                let len = if col.prefix == 4 {
                    data.get(off..off + 4)
                        .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize)
                } else {
                    data.get(off..off + 2)
                        .map(|b| u16::from_ne_bytes([b[0], b[1]]) as usize)
                };
                self.row_ptrs[i] = base + off + col.prefix;
                self.lengths[i] = len.unwrap_or(0) as i32;
            }
        }
    }
}

pub(crate) type Shared = Arc<Mutex<ResultState>>;

/// Registers `state` as a new `TAOS_RES*`.
pub(crate) fn register(state: ResultState) -> *mut c_void {
    handles::insert(Obj::Res(Arc::new(Mutex::new(state)))) as *mut c_void
}

pub(crate) fn lock(r: &Shared) -> MutexGuard<'_, ResultState> {
    r.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn lookup(res: *mut c_void) -> Result<Shared, ErrState> {
    if res.is_null() {
        return Err(ErrState::new(CODE_INVALID_PTR, "TAOS_RES* is NULL"));
    }
    handles::res(res as usize).ok_or_else(|| {
        ErrState::new(
            CODE_INVALID_HANDLE,
            "not a live TAOS_RES* (freed, or another kind of handle)",
        )
    })
}

/// Runs `sql` on `taos` and registers the result (a failed result too: its errno and errstr
/// say why, as in libtaos). NULL only for a bad connection handle or a NULL `sql`.
pub(crate) fn run_query(taos: *mut c_void, sql: *const c_char, req_id: Option<u64>) -> *mut c_void {
    let c = match conn::lookup(taos) {
        Ok(c) => c,
        Err(e) => {
            error::set_thread_state(e);
            return std::ptr::null_mut();
        }
    };
    let sql = match ffi::req_str(sql, "sql is NULL") {
        Ok(s) => s,
        Err(m) => {
            error::set_thread_error(CODE_INVALID_PARA, m);
            return std::ptr::null_mut();
        }
    };
    let run = || -> taosync::Result<Cursor> {
        let mut cur = c.conn.cursor()?;
        cur.execute(sql, ())?;
        Ok(cur)
    };
    let outcome = match req_id {
        Some(id) => taosync::with_req_id(id, run),
        None => run(),
    };
    let state = match outcome {
        Ok(cur) => {
            error::clear_thread_error();
            ResultState::from_cursor(cur)
        }
        Err(e) => {
            let st = ErrState::from_error(&e);
            error::set_thread_state(st.clone());
            ResultState::failed(st)
        }
    };
    handles::insert(Obj::Res(Arc::new(Mutex::new(state)))) as *mut c_void
}

/// `TAOS_RES *taos_query(TAOS *taos, const char *sql)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_query(taos: *mut c_void, sql: *const c_char) -> *mut c_void {
    guard(std::ptr::null_mut(), || run_query(taos, sql, None))
}

/// `TAOS_RES *taos_query_with_reqid(TAOS *taos, const char *sql, int64_t reqId)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_query_with_reqid(
    taos: *mut c_void,
    sql: *const c_char,
    req_id: i64,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        run_query(taos, sql, Some(req_id as u64))
    })
}

/// `void taos_free_result(TAOS_RES *res)`: a second free of the same handle, NULL or a
/// foreign pointer only sets the thread error.
#[unsafe(no_mangle)]
pub extern "C" fn taos_free_result(res: *mut c_void) {
    guard((), || {
        if res.is_null() {
            return;
        }
        match handles::get(res as usize) {
            Some(Obj::Res(_)) => {
                handles::remove(res as usize);
            }
            _ => error::set_thread_error(
                CODE_INVALID_HANDLE,
                "taos_free_result: not a live TAOS_RES*",
            ),
        }
    })
}

/// `int taos_errno(TAOS_RES *res)`: the result's code, or this thread's for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn taos_errno(res: *mut c_void) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        if res.is_null() {
            return error::thread_code();
        }
        match lookup(res) {
            Ok(r) => lock(&r).err.code,
            Err(e) => e.code,
        }
    })
}

static BAD_HANDLE_MSG: &[u8] = b"not a live TAOS_RES* (freed, or another kind of handle)\0";

/// `const char *taos_errstr(TAOS_RES *res)`: the result's message (valid until the result is
/// freed), or this thread's for NULL (valid until the thread's next error).
#[unsafe(no_mangle)]
pub extern "C" fn taos_errstr(res: *mut c_void) -> *const c_char {
    guard(BAD_HANDLE_MSG.as_ptr().cast(), || {
        if res.is_null() {
            return error::thread_msg_ptr();
        }
        match lookup(res) {
            Ok(r) => lock(&r).err.msg.as_ptr(),
            Err(_) => BAD_HANDLE_MSG.as_ptr().cast(),
        }
    })
}

fn with_res<R>(res: *mut c_void, on_err: R, f: impl FnOnce(&mut ResultState) -> R) -> R {
    match lookup(res) {
        Ok(r) => f(&mut lock(&r)),
        Err(e) => {
            error::set_thread_state(e);
            on_err
        }
    }
}

/// `int taos_field_count(TAOS_RES *res)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_field_count(res: *mut c_void) -> c_int {
    guard(0, || with_res(res, 0, |r| r.fields.len() as c_int))
}

/// `int taos_num_fields(TAOS_RES *res)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_num_fields(res: *mut c_void) -> c_int {
    taos_field_count(res)
}

/// `int taos_affected_rows(TAOS_RES *res)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_affected_rows(res: *mut c_void) -> c_int {
    guard(0, || {
        with_res(res, 0, |r| {
            c_int::try_from(r.affected).unwrap_or(c_int::MAX)
        })
    })
}

/// `int64_t taos_affected_rows64(TAOS_RES *res)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_affected_rows64(res: *mut c_void) -> i64 {
    guard(0, || with_res(res, 0, |r| r.affected))
}

/// `TAOS_FIELD *taos_fetch_fields(TAOS_RES *res)`: valid until the result is freed; NULL
/// for a bad handle or a result without columns.
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_fields(res: *mut c_void) -> *mut TaosField {
    guard(std::ptr::null_mut(), || {
        with_res(res, std::ptr::null_mut(), |r| {
            if r.c_fields.is_empty() {
                std::ptr::null_mut()
            } else {
                r.c_fields.as_mut_ptr()
            }
        })
    })
}

/// `TAOS_FIELD_E *taos_fetch_fields_e(TAOS_RES *res)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_fields_e(res: *mut c_void) -> *mut TaosFieldE {
    guard(std::ptr::null_mut(), || {
        with_res(res, std::ptr::null_mut(), |r| {
            if r.c_fields_e.is_empty() {
                std::ptr::null_mut()
            } else {
                r.c_fields_e.as_mut_ptr()
            }
        })
    })
}

/// `int taos_result_precision(TAOS_RES *res)`: 0 ms, 1 µs, 2 ns (0 without a result set).
#[unsafe(no_mangle)]
pub extern "C" fn taos_result_precision(res: *mut c_void) -> c_int {
    guard(0, || {
        with_res(res, 0, |r| {
            r.precision.map(|p| p.code() as c_int).unwrap_or(0)
        })
    })
}

/// `bool taos_is_update_query(TAOS_RES *res)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_is_update_query(res: *mut c_void) -> bool {
    guard(false, || with_res(res, false, |r| r.fields.is_empty()))
}

/// `void taos_stop_query(TAOS_RES *res)`: stops fetching (later fetches return no rows).
#[unsafe(no_mangle)]
pub extern "C" fn taos_stop_query(res: *mut c_void) {
    guard((), || with_res(res, (), |r| r.done = true))
}

/// `int taos_fetch_block(TAOS_RES *res, TAOS_ROW *rows)`: the number of rows in the next
/// block (0 at the end, a negative code on error); `*rows` receives one data pointer per column.
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_block(res: *mut c_void, rows: *mut *mut *mut c_void) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        if rows.is_null() {
            error::set_thread_error(CODE_INVALID_PTR, "taos_fetch_block: rows is NULL");
            return CODE_INVALID_PTR;
        }
        with_res(res, CODE_INVALID_HANDLE, |r| match r.next_block() {
            Ok(n) => {
                let p = if n == 0 {
                    std::ptr::null_mut()
                } else {
                    r.block.col_ptrs.as_mut_ptr().cast()
                };
                ffi::write(rows, p);
                r.pos = n;
                n as c_int
            }
            Err(e) => {
                ffi::write(rows, std::ptr::null_mut());
                let c = e.code;
                error::set_thread_state(e);
                c
            }
        })
    })
}

/// `TAOS_ROW taos_fetch_row(TAOS_RES *res)`: the next row (one pointer per column, NULL for
/// a NULL value), NULL at the end or on error (see `taos_errno(res)`).
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_row(res: *mut c_void) -> *mut *mut c_void {
    guard(std::ptr::null_mut(), || {
        with_res(res, std::ptr::null_mut(), |r| {
            if r.fields.is_empty() {
                return std::ptr::null_mut();
            }
            if r.pos >= r.block.rows {
                if r.async_rows {
                    return std::ptr::null_mut();
                }
                match r.next_block() {
                    Ok(0) | Err(_) => return std::ptr::null_mut(),
                    Ok(_) => {}
                }
            }
            let p = r.pos;
            r.fill_row(p);
            r.pos += 1;
            r.row_ptrs.as_mut_ptr().cast()
        })
    })
}

/// `int *taos_fetch_lengths(TAOS_RES *res)`: per column, the length of the current row's
/// value (after `taos_fetch_row`) or the declared width (after `taos_fetch_block`).
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_lengths(res: *mut c_void) -> *mut c_int {
    guard(std::ptr::null_mut(), || {
        with_res(res, std::ptr::null_mut(), |r| {
            if r.lengths.is_empty() {
                std::ptr::null_mut()
            } else {
                r.lengths.as_mut_ptr()
            }
        })
    })
}

/// `bool taos_is_null(TAOS_RES *res, int32_t row, int32_t col)`: whether a value of the
/// current block is NULL (`true` for out-of-range positions and bad handles).
#[unsafe(no_mangle)]
pub extern "C" fn taos_is_null(res: *mut c_void, row: i32, col: i32) -> bool {
    guard(true, || {
        with_res(res, true, |r| {
            let (Ok(row), Ok(col)) = (usize::try_from(row), usize::try_from(col)) else {
                return true;
            };
            r.block.is_null(col, row)
        })
    })
}

/// `int taos_is_null_by_column(TAOS_RES *res, int columnIndex, bool result[], int *rows)`:
/// fills `result` with the current block's NULL flags for a column; `*rows` is the room in
/// `result` on entry and the count written on return.
#[unsafe(no_mangle)]
pub extern "C" fn taos_is_null_by_column(
    res: *mut c_void,
    col: c_int,
    result: *mut bool,
    rows: *mut c_int,
) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        let r = lookup(res).and_then(|r| {
            let r = lock(&r);
            let cap =
                ffi::read(rows).ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "rows is NULL"))?;
            let cap = usize::try_from(cap)
                .map_err(|_| ErrState::new(CODE_INVALID_PARA, "negative *rows"))?;
            let c = usize::try_from(col)
                .ok()
                .filter(|c| *c < r.block.cols.len())
                .ok_or_else(|| ErrState::new(CODE_INVALID_PARA, "column index out of range"))?;
            let n = cap.min(r.block.rows);
            let out = ffi::out_slice(result, n)
                .ok_or_else(|| ErrState::new(CODE_INVALID_PTR, "result is NULL"))?;
            for (row, o) in out.iter_mut().enumerate() {
                *o = r.block.is_null(c, row);
            }
            ffi::write(rows, n as c_int);
            Ok(0)
        });
        conn::finish(r)
    })
}

/// `int *taos_get_column_data_offset(TAOS_RES *res, int columnIndex)`: the offsets of a
/// variable-width column of the current block (-1 for NULL); NULL for fixed columns.
#[unsafe(no_mangle)]
pub extern "C" fn taos_get_column_data_offset(res: *mut c_void, col: c_int) -> *mut c_int {
    guard(std::ptr::null_mut(), || {
        with_res(res, std::ptr::null_mut(), |r| {
            match usize::try_from(col)
                .ok()
                .and_then(|c| r.block.cols.get_mut(c))
            {
                Some(c) if c.width == 0 && !c.offsets.is_empty() => c.offsets.as_mut_ptr(),
                _ => std::ptr::null_mut(),
            }
        })
    })
}

/// `int taos_fetch_raw_block(TAOS_RES *res, int *numOfRows, void **pData)`: the next block
/// in TDengine's raw block format (the bytes the server sent over WebSocket; REST rows are
/// encoded into one). 0 with `*numOfRows` rows (0 at the end) and `*pData` valid until the
/// next fetch or `taos_free_result`; an error code otherwise. `taos_is_null` and
/// `taos_get_column_data_offset` then describe this block.
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_raw_block(
    res: *mut c_void,
    num: *mut c_int,
    data: *mut *mut c_void,
) -> c_int {
    guard(error::CODE_APP_ERROR, || {
        ffi::write(num, 0);
        ffi::write(data, std::ptr::null_mut());
        if num.is_null() || data.is_null() {
            return conn::finish(Err(ErrState::new(
                CODE_INVALID_PTR,
                "taos_fetch_raw_block: numOfRows or pData is NULL",
            )));
        }
        let r = lookup(res).and_then(|shared| {
            let mut r = lock(&shared);
            let n = r.next_block_as(true)?;
            r.pos = n;
            ffi::write(num, c_int::try_from(n).unwrap_or(c_int::MAX));
            if n > 0 {
                ffi::write(data, r.block.raw.as_mut_ptr().cast());
            }
            Ok(0)
        });
        conn::finish(r)
    })
}

/// `int taos_print_row(char *str, TAOS_ROW row, TAOS_FIELD *fields, int num_fields)`: the
/// buffer size is not known, so nothing is rendered: writes an empty string and returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn taos_print_row(
    s: *mut c_char,
    _row: *mut *mut c_void,
    _fields: *mut TaosField,
    _n: c_int,
) -> c_int {
    guard(0, || {
        ffi::write(s, 0);
        0
    })
}

/// `__taos_async_fn_t`: `void (*)(void *param, TAOS_RES *res, int code)`.
pub type AsyncFn = Option<extern "C" fn(*mut c_void, *mut c_void, c_int)>;

/// `void taos_query_a(TAOS *taos, const char *sql, __taos_async_fn_t fp, void *param)`: runs
/// the query on a thread of ours and calls `fp(param, res, code)` from it.
#[unsafe(no_mangle)]
pub extern "C" fn taos_query_a(
    taos: *mut c_void,
    sql: *const c_char,
    fp: AsyncFn,
    param: *mut c_void,
) {
    query_a(taos, sql, fp, param, None)
}

/// `void taos_query_a_with_reqid(TAOS *taos, const char *sql, __taos_async_fn_t fp, void *param, int64_t reqid)`.
#[unsafe(no_mangle)]
pub extern "C" fn taos_query_a_with_reqid(
    taos: *mut c_void,
    sql: *const c_char,
    fp: AsyncFn,
    param: *mut c_void,
    req_id: i64,
) {
    query_a(taos, sql, fp, param, Some(req_id as u64))
}

fn query_a(
    taos: *mut c_void,
    sql: *const c_char,
    fp: AsyncFn,
    param: *mut c_void,
    req_id: Option<u64>,
) {
    guard((), || {
        let Some(fp) = fp else {
            error::set_thread_error(CODE_INVALID_PTR, "taos_query_a: callback is NULL");
            return;
        };
        // Copy the SQL now: the caller's buffer need not outlive this call.
        let sql = match ffi::req_str(sql, "sql is NULL") {
            Ok(s) => s.replace('\0', ""),
            Err(m) => {
                error::set_thread_error(CODE_INVALID_PARA, m);
                fp(param, std::ptr::null_mut(), CODE_INVALID_PARA);
                return;
            }
        };
        let (taos, param) = (taos as usize, param as usize);
        let spawned = std::thread::Builder::new()
            .name("taosync-capi-async".into())
            .spawn(move || {
                guard((), || {
                    let csql = std::ffi::CString::new(sql).unwrap_or_default();
                    let res = run_query(taos as *mut c_void, csql.as_ptr(), req_id);
                    let code = if res.is_null() {
                        error::thread_code()
                    } else {
                        taos_errno(res)
                    };
                    fp(param as *mut c_void, res, code);
                })
            });
        if spawned.is_err() {
            error::set_thread_error(error::CODE_APP_ERROR, "cannot start a thread");
            fp(
                param as *mut c_void,
                std::ptr::null_mut(),
                error::CODE_APP_ERROR,
            );
        }
    })
}

/// `void taos_fetch_rows_a(TAOS_RES *res, __taos_async_fn_t fp, void *param)`: fetches the
/// next block on a thread of ours and calls `fp(param, res, numOfRows)` (0 at the end, a
/// negative code on error); `taos_fetch_row` then walks that block.
#[unsafe(no_mangle)]
pub extern "C" fn taos_fetch_rows_a(res: *mut c_void, fp: AsyncFn, param: *mut c_void) {
    guard((), || {
        let Some(fp) = fp else {
            error::set_thread_error(CODE_INVALID_PTR, "taos_fetch_rows_a: callback is NULL");
            return;
        };
        let shared = match lookup(res) {
            Ok(r) => r,
            Err(e) => {
                let c = e.code;
                error::set_thread_state(e);
                fp(param, res, c);
                return;
            }
        };
        let (h, param) = (res as usize, param as usize);
        let spawned = std::thread::Builder::new()
            .name("taosync-capi-async".into())
            .spawn(move || {
                guard((), || {
                    let n = {
                        let mut r = lock(&shared);
                        match r.next_block() {
                            Ok(n) => {
                                r.async_rows = true;
                                n as c_int
                            }
                            Err(e) => e.code,
                        }
                    };
                    fp(param as *mut c_void, h as *mut c_void, n);
                })
            });
        if spawned.is_err() {
            fp(param as *mut c_void, res, error::CODE_APP_ERROR);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(offsets: &[i32]) -> Vec<u8> {
        offsets.iter().flat_map(|o| o.to_le_bytes()).collect()
    }

    #[test]
    fn copy_offsets_checks_every_entry_against_heap_and_width() {
        // Two entries: "ab" at 0, NULL, "c" at 4.
        let heap = [2, 0, b'a', b'b', 1, 0, b'c'];
        let mut out = vec![99; 10];
        copy_offsets(&mut out, &wire(&[0, -1, 4]), &heap, 2, 4).unwrap();
        assert_eq!(out, [0, -1, 4]);
        // Any negative offset is NULL, handed to C as -1.
        copy_offsets(&mut out, &wire(&[-7]), &heap, 2, 0).unwrap();
        assert_eq!(out, [-1]);
        // Past the heap, a length running past it, no room for the prefix, too wide.
        for (offsets, max) in [(vec![7], 0), (vec![4, 2], 0), (vec![6], 0), (vec![0], 3)] {
            assert!(copy_offsets(&mut out, &wire(&offsets), &heap, 2, max).is_err());
        }
        // BLOB: u32 prefixes.
        let blob = [3, 0, 0, 0, 1, 2, 3];
        copy_offsets(&mut out, &wire(&[0]), &blob, 4, 0).unwrap();
        assert!(copy_offsets(&mut out, &wire(&[0]), &blob[..6], 4, 0).is_err());
    }

    #[test]
    fn in_place_block_reads_bitmap_and_offsets() {
        let fields = [
            Column::new("v", Type::Int, 4),
            Column::new("s", Type::VarChar, 4),
        ];
        let rows = [
            vec![Value::Int(5), Value::Null],
            vec![Value::Null, Value::VarChar("xy".into())],
        ];
        let raw = encode_block(&fields, &rows).unwrap();
        let block =
            Block::from_raw(&fields, raw, Precision::Millisecond, Block::default()).unwrap();
        assert_eq!(block.rows, 2);
        assert!(!block.is_null(0, 0) && block.is_null(0, 1) && block.is_null(0, 2));
        assert!(block.is_null(1, 0) && !block.is_null(1, 1) && block.is_null(5, 0));
        assert_eq!(&block.col_data(0)[..4], 5_i32.to_ne_bytes());
        let off = block.cols[1].offsets[1] as usize;
        assert_eq!(&block.col_data(1)[off..off + 4], [2, 0, b'x', b'y']);
        // A second block reuses the first one's buffers and describes only itself.
        let raw = encode_block(&fields, &rows[..1]).unwrap();
        let next = Block::from_raw(&fields, raw, Precision::Millisecond, block).unwrap();
        assert_eq!((next.rows, next.cols[1].offsets.as_slice()), (1, &[-1][..]));
    }
}
