//! The WebSocket write actions tools use to replicate data: `write_raw_block` (4) and
//! `write_raw_block_with_fields` (5) insert a raw block into an existing table, and
//! `write_raw` (3) applies a TMQ raw message — this server's own raw forms (01 §2.5):
//! a data payload (its blocks go to their tables) or a meta message's JSON
//! ([`RAW_META_JSON_TYPE`]), replayed as the SQL it describes.

use taosync_proto::block::decode_block;
use taosync_proto::tmq::{RAW_DATA_META_TYPE, RAW_META_JSON_TYPE, RawData, meta_to_sql};
use taosync_proto::ws::{BinaryAction, BinaryRequest, RawBlockWrite, RawWrite};
use taosync_proto::{Code, Precision, Value};

use crate::backend::{DbError, RowTarget, Session};

fn invalid(message: impl Into<String>) -> DbError {
    DbError::new(0xFFFF, message)
}

/// Applies one write frame of `action` (3, 4 or 5).
pub(crate) fn apply(
    session: &mut dyn Session,
    action: BinaryAction,
    req: &BinaryRequest<'_>,
) -> Result<(), DbError> {
    match action {
        BinaryAction::WriteRawBlock | BinaryAction::WriteRawBlockWithFields => {
            let with_fields = action == BinaryAction::WriteRawBlockWithFields;
            let write = RawBlockWrite::decode(req.payload, with_fields)
                .map_err(|e| invalid(e.message()))?;
            let names: Vec<String> = write.fields.iter().map(|f| f.name.clone()).collect();
            write_block(session, write.table, write.block, None, names)
        }
        BinaryAction::WriteRaw => {
            let raw = RawWrite::decode(req.payload).map_err(|e| invalid(e.message()))?;
            match raw.raw_type {
                RAW_META_JSON_TYPE => write_meta(session, raw.data),
                RAW_DATA_META_TYPE => write_data(session, raw.data),
                other => Err(invalid(format!(
                    "raw type {other} is not a raw form this server produces"
                ))),
            }
        }
        _ => Err(invalid("not a write action")),
    }
}

/// Inserts the rows of `block` into `table`: into the columns named by `names`, or into
/// the table's columns in order when there are none. Timestamps are read in `precision`,
/// else in the table's.
fn write_block(
    session: &mut dyn Session,
    table: &str,
    block: &[u8],
    precision: Option<Precision>,
    names: Vec<String>,
) -> Result<(), DbError> {
    let info = session.table_info(None, table)?;
    let decoded = decode_block(block, precision.unwrap_or(info.precision))
        .map_err(|e| invalid(e.message()))?;
    let columns = if names.is_empty() {
        if decoded.fields.len() > info.columns.len() {
            return Err(invalid(format!(
                "the block has {} columns, table {table} has {}",
                decoded.fields.len(),
                info.columns.len()
            )));
        }
        None
    } else {
        Some(names)
    };
    let target = RowTarget {
        db: None,
        table: table.to_owned(),
        using: None,
        columns,
    };
    let rows: Vec<Vec<Value>> = decoded.rows;
    if rows.is_empty() {
        return Ok(());
    }
    session.insert_rows(&target, &rows).map(|_| ())
}

fn write_data(session: &mut dyn Session, data: &[u8]) -> Result<(), DbError> {
    let raw = RawData::decode(data).map_err(|e| invalid(e.message()))?;
    for block in &raw.blocks {
        let table = block
            .table_name
            .as_deref()
            .ok_or_else(|| invalid("raw data without table names cannot be written"))?;
        let precision = Precision::from_code(block.precision);
        let names = block.schema.iter().map(|f| f.name.clone()).collect();
        write_block(session, table, block.block, precision, names)?;
    }
    Ok(())
}

/// Codes a repeated supertable ALTER meets: every vgroup's WAL carries the supertable's
/// DDL (as every vnode of TDengine applies it), so a consumer of several vgroups replays
/// the same ALTER more than once, and the later copies find it done.
const ALREADY_APPLIED: [u16; 4] = [
    Code::MND_TAG_ALREADY_EXIST.value(),
    Code::MND_TAG_NOT_EXIST.value(),
    Code::MND_COLUMN_ALREADY_EXIST.value(),
    Code::MND_COLUMN_NOT_EXIST.value(),
];

fn write_meta(session: &mut dyn Session, data: &[u8]) -> Result<(), DbError> {
    let meta: serde_json::Value =
        serde_json::from_slice(data).map_err(|e| invalid(format!("invalid meta JSON: {e}")))?;
    let single = [meta.clone()];
    let metas = match meta.get("metas").and_then(serde_json::Value::as_array) {
        Some(list) => list.as_slice(),
        None => &single,
    };
    for m in metas {
        let super_alter = m.get("type").and_then(serde_json::Value::as_str) == Some("alter")
            && m.get("tableType").and_then(serde_json::Value::as_str) == Some("super");
        for sql in meta_to_sql(m).map_err(|e| invalid(e.message()))? {
            match session.execute(&sql, 0) {
                Ok(_) => {}
                Err(e) if super_alter && ALREADY_APPLIED.contains(&e.code) => {
                    log::debug!("write_raw: `{sql}` already applied ({})", e.message);
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
