//! Typed args and reply bodies of every `/ws` JSON action this crate speaks.
//!
//! Each args struct implements [`Action`], which names the action and its reply body. Every
//! field deserializes like Go's `encoding/json` (missing or `null` → zero value, unknown keys
//! ignored), so the server reads exactly what taosAdapter reads and the client tolerates
//! older and newer servers. Field order is the wire order of the replies.

use serde::{Deserialize, Serialize};

use super::envelope::{Action, null_default};
use crate::error::{Error, Result};
use crate::row::Column;
use crate::stmt::{Stmt2Field, StmtField};
use crate::types::{Precision, Type};

macro_rules! action {
    ($args:ident => $name:literal, $unmarshal:literal, $reply:ty) => {
        impl Action for $args {
            const NAME: &'static str = $name;
            const UNMARSHAL_NAME: &'static str = $unmarshal;
            type Reply = $reply;
            fn req_id(&self) -> u64 {
                self.req_id
            }
        }
    };
}

message! {
    /// A reply with no fields besides the common five (`options_connection`, 01 §2.3).
    Empty {}
}

// ---------------------------------------------------------------------------------------
// Handshake (01 §2.3)

message! {
    /// `version` args (01 §2.3). Sent as `{"action":"version"}` when `req_id` is 0.
    VersionArgs {
        /// Request id.
        req_id: u64,
    }
}
impl Action for VersionArgs {
    const NAME: &'static str = "version";
    const UNMARSHAL_NAME: &'static str = "version";
    type Reply = VersionReply;
    fn req_id(&self) -> u64 {
        self.req_id
    }
    fn omit_args(&self) -> bool {
        self.req_id == 0
    }
}

message! {
    /// `version` reply (01 §2.3).
    VersionReply {
        /// The TDengine client library version, e.g. `3.3.6.0`.
        version: String,
    }
}

/// `conn` args (01 §2.3). Optional fields are left out of the request when `None`.
///
/// `Debug` prints every field but the secrets (`password`, `totp_code`, `bearer_token`):
///
/// ```
/// use taosync_proto::ws::ConnArgs;
/// let args = ConnArgs { user: "root".into(), password: "taosdata".into(), ..ConnArgs::default() };
/// assert!(!format!("{args:?}").contains("taosdata"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnArgs {
    /// Request id.
    #[serde(default, deserialize_with = "null_default")]
    pub req_id: u64,
    /// User name.
    #[serde(default, deserialize_with = "null_default")]
    pub user: String,
    /// Password.
    #[serde(default, deserialize_with = "null_default")]
    pub password: String,
    /// Default database, `""` for none.
    #[serde(default, deserialize_with = "null_default")]
    pub db: String,
    /// BI mode; only `0` is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<i32>,
    /// Connection time zone (IANA name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Application name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Client IP reported to the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Connector description, e.g. `taosync-0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// Two-factor code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
    /// Token login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
    /// Ask for the list of adapter instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_instances: Option<bool>,
}
action!(ConnArgs => "conn", "connect", ConnReply);

impl std::fmt::Debug for ConnArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnArgs")
            .field("req_id", &self.req_id)
            .field("user", &self.user)
            .field("password", &crate::redact::REDACTED)
            .field("db", &self.db)
            .field("mode", &self.mode)
            .field("tz", &self.tz)
            .field("app", &self.app)
            .field("ip", &self.ip)
            .field("connector", &self.connector)
            .field("totp_code", &crate::redact::option(&self.totp_code))
            .field("bearer_token", &crate::redact::option(&self.bearer_token))
            .field("list_instances", &self.list_instances)
            .finish()
    }
}

/// `conn` reply (01 §2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnReply {
    /// The server's client library version.
    #[serde(default, deserialize_with = "null_default")]
    pub version: String,
    /// Adapter instances, only when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_instances: Option<Vec<String>>,
}

message! {
    /// One option of `options_connection` (01 §2.3): codes −1 clear, 0 charset,
    /// 1 timezone, 2 user IP, 3 user app, 4 connector info; `None` resets it.
    ConnOption {
        /// Option code.
        option: i32,
        /// New value, `None` (JSON `null`) to reset.
        value: Option<String>,
    }
}

message! {
    /// `options_connection` args (01 §2.3).
    OptionsConnectionArgs {
        /// Request id.
        req_id: u64,
        /// Options, applied in order.
        options: Vec<ConnOption>,
    }
}
action!(OptionsConnectionArgs => "options_connection", "options connection", Empty);

message! {
    /// `check_server_status` args (01 §2.4.5), allowed before `conn`.
    CheckServerStatusArgs {
        /// Request id.
        req_id: u64,
        /// Server FQDN, `None` for the default.
        fqdn: Option<String>,
        /// Server port, 0 for the default.
        port: i32,
    }
}
action!(CheckServerStatusArgs => "check_server_status", "check server status", CheckServerStatusReply);

message! {
    /// `check_server_status` reply (01 §2.4.5).
    CheckServerStatusReply {
        /// 0 unavailable, 1 network ok, 2 service ok, 3 degraded, 4 exiting.
        status: i32,
        /// Details text.
        details: String,
    }
}

// ---------------------------------------------------------------------------------------
// Query path (01 §2.4)

message! {
    /// `query` args (01 §2.4.1).
    QueryArgs {
        /// Request id.
        req_id: u64,
        /// One SQL statement.
        sql: String,
    }
}
action!(QueryArgs => "query", "query", QueryReply);

message! {
    /// Reply to `query` and binary query (`binary_query`) (01 §2.4.1). A non-result
    /// statement has `id` 0, `is_update` true and `null` field lists.
    QueryReply {
        /// Result handle (0 when there is nothing to fetch).
        id: u64,
        /// True for statements without a result set.
        is_update: bool,
        /// Rows written by an insert.
        affected_rows: i64,
        /// Number of result columns.
        fields_count: i64,
        /// Column names.
        fields_names: Option<Vec<String>>,
        /// Column type codes.
        fields_types: Option<Vec<u8>>,
        /// Declared column widths.
        fields_lengths: Option<Vec<i64>>,
        /// Timestamp precision code of the result.
        precision: u8,
        /// Per-column DECIMAL precision.
        fields_precisions: Option<Vec<i64>>,
        /// Per-column DECIMAL scale.
        fields_scales: Option<Vec<i64>>,
    }
}

impl QueryReply {
    /// The success reply for a statement without a result set.
    pub fn affected(affected_rows: i64) -> Self {
        QueryReply {
            is_update: true,
            affected_rows,
            ..QueryReply::default()
        }
    }

    /// The success reply for result `id` with `columns` in `precision`.
    pub fn result_set(id: u64, columns: &[Column], precision: Precision) -> Self {
        let fields = FieldLists::from_columns(columns);
        QueryReply {
            id,
            is_update: false,
            affected_rows: 0,
            fields_count: fields.count,
            fields_names: Some(fields.names),
            fields_types: Some(fields.types),
            fields_lengths: Some(fields.lengths),
            precision: precision.code(),
            fields_precisions: Some(fields.precisions),
            fields_scales: Some(fields.scales),
        }
    }

    /// True when the reply describes a result set to fetch (`fields_count > 0`, as the
    /// official Rust client decides).
    pub fn has_result_set(&self) -> bool {
        self.fields_count > 0
    }

    /// The result columns, validated (every list as long as `fields_count`, known codes).
    pub fn columns(&self) -> Result<Vec<Column>> {
        columns_from_lists(
            self.fields_count,
            self.fields_names.as_deref(),
            self.fields_types.as_deref(),
            self.fields_lengths.as_deref(),
            self.fields_precisions.as_deref(),
            self.fields_scales.as_deref(),
        )
    }

    /// The timestamp precision of the result (milliseconds for unknown codes).
    pub fn timestamp_precision(&self) -> Precision {
        Precision::from_code(self.precision).unwrap_or_default()
    }
}

struct FieldLists {
    count: i64,
    names: Vec<String>,
    types: Vec<u8>,
    lengths: Vec<i64>,
    precisions: Vec<i64>,
    scales: Vec<i64>,
}

impl FieldLists {
    fn from_columns(columns: &[Column]) -> Self {
        FieldLists {
            count: i64::try_from(columns.len()).unwrap_or(i64::MAX),
            names: columns.iter().map(|c| c.name.clone()).collect(),
            types: columns.iter().map(|c| c.ty.code()).collect(),
            lengths: columns.iter().map(|c| i64::from(c.length)).collect(),
            precisions: columns.iter().map(|c| i64::from(c.precision)).collect(),
            scales: columns.iter().map(|c| i64::from(c.scale)).collect(),
        }
    }
}

fn columns_from_lists(
    count: i64,
    names: Option<&[String]>,
    types: Option<&[u8]>,
    lengths: Option<&[i64]>,
    precisions: Option<&[i64]>,
    scales: Option<&[i64]>,
) -> Result<Vec<Column>> {
    let n = usize::try_from(count)
        .map_err(|_| Error::result(format!("invalid fields_count {count}")))?;
    let names = names.unwrap_or_default();
    let types = types.unwrap_or_default();
    let lengths = lengths.unwrap_or_default();
    if names.len() != n || types.len() != n || lengths.len() != n {
        return Err(Error::result(format!(
            "fields_count is {n} but the reply lists {} names, {} types and {} lengths",
            names.len(),
            types.len(),
            lengths.len()
        )));
    }
    let small = |list: Option<&[i64]>, i: usize| -> u8 {
        list.and_then(|l| l.get(i))
            .and_then(|v| u8::try_from(*v).ok())
            .unwrap_or(0)
    };
    let mut columns = Vec::with_capacity(n);
    for i in 0..n {
        let ty = Type::from_code(types[i]).ok_or_else(|| {
            Error::result(format!("unknown type code {} for column {i}", types[i]))
        })?;
        let length = u32::try_from(lengths[i])
            .map_err(|_| Error::result(format!("invalid length {} for column {i}", lengths[i])))?;
        let mut column = Column::new(names[i].clone(), ty, length);
        if ty.is_decimal() {
            column = column.with_decimal(small(precisions, i), small(scales, i));
        }
        columns.push(column);
    }
    Ok(columns)
}

message! {
    /// `fetch` args (01 §2.4.2).
    FetchArgs {
        /// Request id.
        req_id: u64,
        /// Result id.
        id: u64,
    }
}
action!(FetchArgs => "fetch", "fetch", FetchReply);

message! {
    /// `fetch` reply (01 §2.4.2).
    FetchReply {
        /// Result id.
        id: u64,
        /// True at the end of data (the server has freed the result).
        completed: bool,
        /// Per-column lengths (`null` when completed; v3 clients ignore them).
        lengths: Option<Vec<i64>>,
        /// Rows in the fetched block.
        rows: i64,
    }
}

message! {
    /// `fetch_block` args (01 §2.4.3); the success reply is binary.
    FetchBlockArgs {
        /// Request id.
        req_id: u64,
        /// Result id.
        id: u64,
    }
}
action!(FetchBlockArgs => "fetch_block", "fetch block", Empty);

message! {
    /// `free_result` args (01 §2.4.4); never answered.
    FreeResultArgs {
        /// Request id.
        req_id: u64,
        /// Result id.
        id: u64,
    }
}
action!(FreeResultArgs => "free_result", "free result", Empty);

message! {
    /// `num_fields` args (01 §2.4.5): note the key `result_id`.
    NumFieldsArgs {
        /// Request id.
        req_id: u64,
        /// Result id.
        result_id: u64,
    }
}
action!(NumFieldsArgs => "num_fields", "num fields", NumFieldsReply);

message! {
    /// `num_fields` reply (01 §2.4.5).
    NumFieldsReply {
        /// Column count of the result.
        num_fields: i64,
    }
}

message! {
    /// `get_current_db` args (01 §2.4.5).
    GetCurrentDbArgs {
        /// Request id.
        req_id: u64,
    }
}
action!(GetCurrentDbArgs => "get_current_db", "get current db", GetCurrentDbReply);

message! {
    /// `get_current_db` reply (01 §2.4.5).
    GetCurrentDbReply {
        /// Current database name.
        db: String,
    }
}

message! {
    /// `get_server_info` args (01 §2.4.5).
    GetServerInfoArgs {
        /// Request id.
        req_id: u64,
    }
}
action!(GetServerInfoArgs => "get_server_info", "get server info", GetServerInfoReply);

message! {
    /// `get_server_info` reply (01 §2.4.5).
    GetServerInfoReply {
        /// `taos_get_server_info` text.
        info: String,
    }
}

message! {
    /// Reply to binary action 10 (`validate_sql`, 01 §2.5). The envelope code stays 0;
    /// `result_code` is the raw, unmasked engine value (0 when the SQL is valid).
    ValidateSqlReply {
        /// Raw `taos_validate_sql` result.
        result_code: i64,
    }
}

// ---------------------------------------------------------------------------------------
// Schemaless (02 §2.1)

message! {
    /// Schemaless `insert` args (02 §2.1).
    SchemalessInsertArgs {
        /// Request id.
        req_id: u64,
        /// 1 InfluxDB line, 2 OpenTSDB telnet, 3 OpenTSDB JSON.
        protocol: i32,
        /// `""`, `h`, `m`, `s`, `ms`, `u`/`μ`, `ns`.
        precision: String,
        /// Table TTL in days, 0 for none.
        ttl: i32,
        /// Lines separated by `\n`.
        data: String,
        /// Tag naming the child table, `""` for none.
        table_name_key: String,
    }
}
action!(SchemalessInsertArgs => "insert", "schemaless insert", SchemalessInsertReply);

message! {
    /// Schemaless `insert` reply (02 §2.1).
    SchemalessInsertReply {
        /// Rows written.
        affected_rows: i64,
        /// Records parsed.
        total_rows: i64,
    }
}

// ---------------------------------------------------------------------------------------
// stmt v1 (02 §1.2.2)

message! {
    /// stmt v1 `init` args (02 §1.2.2).
    StmtInitArgs {
        /// Request id.
        req_id: u64,
    }
}
action!(StmtInitArgs => "init", "stmt init", StmtIdReply);

message! {
    /// Reply carrying only `stmt_id`: stmt v1 `init`, `set_table_name`, `set_tags`, `bind`,
    /// `add_batch`, the stmt error replies, and stmt2 `stmt2_init`, `stmt2_bind`,
    /// `stmt2_close` (02 §1.2.2, §1.3.1).
    StmtIdReply {
        /// Statement id.
        stmt_id: u64,
    }
}

message! {
    /// stmt v1 `prepare` args (02 §1.2.2).
    StmtPrepareArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
        /// SQL with `?` placeholders.
        sql: String,
    }
}
action!(StmtPrepareArgs => "prepare", "stmt prepare", StmtPrepareReply);

message! {
    /// stmt v1 `prepare` reply (02 §1.2.2).
    StmtPrepareReply {
        /// Statement id.
        stmt_id: u64,
        /// True for an INSERT.
        is_insert: bool,
    }
}

message! {
    /// stmt v1 `set_table_name` args (02 §1.2.2).
    StmtSetTableNameArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
        /// Table name, possibly `db.tbl`.
        name: String,
    }
}
action!(StmtSetTableNameArgs => "set_table_name", "stmt set table name", StmtIdReply);

message! {
    /// stmt v1 JSON `set_tags` args (02 §1.2.2): one JSON value per tag, see
    /// [`stmt::json`](crate::stmt::json).
    StmtSetTagsArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
        /// JSON array of tag values.
        tags: serde_json::Value,
    }
}
action!(StmtSetTagsArgs => "set_tags", "stmt set tags", StmtIdReply);

message! {
    /// stmt v1 JSON `bind` args (02 §1.2.2): column-major JSON arrays, see
    /// [`stmt::json`](crate::stmt::json).
    StmtBindArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
        /// JSON array of columns, each an array of row values.
        columns: serde_json::Value,
    }
}
action!(StmtBindArgs => "bind", "stmt bind", StmtIdReply);

message! {
    /// Args carrying `req_id` and `stmt_id` only (02 §1.2.2).
    StmtAddBatchArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtAddBatchArgs => "add_batch", "stmt add batch", StmtIdReply);

message! {
    /// stmt v1 `exec` args (02 §1.2.2).
    StmtExecArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtExecArgs => "exec", "stmt exec", StmtExecReply);

message! {
    /// Reply to stmt v1 `exec` and `stmt2_exec` (02 §1.2.2, §1.3.1).
    StmtExecReply {
        /// Statement id.
        stmt_id: u64,
        /// Rows written by this exec.
        affected: i64,
    }
}

message! {
    /// stmt v1 `close` args (02 §1.2.2); no reply on success.
    StmtCloseArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtCloseArgs => "close", "stmt close", StmtIdReply);

message! {
    /// stmt v1 `get_tag_fields` args (02 §1.2.2).
    StmtGetTagFieldsArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtGetTagFieldsArgs => "get_tag_fields", "stmt get tag fields", StmtTagFieldsReply);

/// stmt v1 `get_tag_fields` reply (02 §1.2.2): the `fields` key is left out when there are
/// no tags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtTagFieldsReply {
    /// Statement id.
    #[serde(default, deserialize_with = "null_default")]
    pub stmt_id: u64,
    /// Tag fields.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fields: Vec<StmtField>,
}

message! {
    /// stmt v1 `get_col_fields` args (02 §1.2.2).
    StmtGetColFieldsArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtGetColFieldsArgs => "get_col_fields", "stmt get col fields", StmtColFieldsReply);

message! {
    /// stmt v1 `get_col_fields` reply (02 §1.2.2): `fields` is `null` when there are none.
    StmtColFieldsReply {
        /// Statement id.
        stmt_id: u64,
        /// Column fields.
        fields: Option<Vec<StmtField>>,
    }
}

message! {
    /// stmt v1 `use_result` args (02 §1.2.2).
    StmtUseResultArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtUseResultArgs => "use_result", "stmt use result", StmtUseResultReply);

message! {
    /// stmt v1 `use_result` reply (02 §1.2.2).
    StmtUseResultReply {
        /// Statement id.
        stmt_id: u64,
        /// Result handle for the query protocol.
        result_id: u64,
        /// Number of result columns.
        fields_count: i64,
        /// Column names.
        fields_names: Option<Vec<String>>,
        /// Column type codes.
        fields_types: Option<Vec<u8>>,
        /// Declared column widths.
        fields_lengths: Option<Vec<i64>>,
        /// Timestamp precision code.
        precision: u8,
        /// Per-column DECIMAL precision.
        fields_precisions: Option<Vec<i64>>,
        /// Per-column DECIMAL scale.
        fields_scales: Option<Vec<i64>>,
    }
}

impl StmtUseResultReply {
    /// The result columns, validated like [`QueryReply::columns`].
    pub fn columns(&self) -> Result<Vec<Column>> {
        columns_from_lists(
            self.fields_count,
            self.fields_names.as_deref(),
            self.fields_types.as_deref(),
            self.fields_lengths.as_deref(),
            self.fields_precisions.as_deref(),
            self.fields_scales.as_deref(),
        )
    }
}

message! {
    /// stmt v1 `stmt_num_params` args (02 §1.2.2).
    StmtNumParamsArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(StmtNumParamsArgs => "stmt_num_params", "stmt num params", StmtNumParamsReply);

message! {
    /// stmt v1 `stmt_num_params` reply (02 §1.2.2).
    StmtNumParamsReply {
        /// Statement id.
        stmt_id: u64,
        /// Number of `?` placeholders.
        num_params: i64,
    }
}

message! {
    /// stmt v1 `stmt_get_param` args (02 §1.2.2).
    StmtGetParamArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
        /// Placeholder index.
        index: i64,
    }
}
action!(StmtGetParamArgs => "stmt_get_param", "stmt get param", StmtGetParamReply);

message! {
    /// stmt v1 `stmt_get_param` reply (02 §1.2.2).
    StmtGetParamReply {
        /// Statement id.
        stmt_id: u64,
        /// Placeholder index.
        index: i64,
        /// Type code.
        data_type: i64,
        /// Width.
        length: i64,
    }
}

// ---------------------------------------------------------------------------------------
// stmt2 (02 §1.3.1)

message! {
    /// `stmt2_init` args (02 §1.3.1).
    Stmt2InitArgs {
        /// Request id.
        req_id: u64,
        /// All rows go to one supertable.
        single_stb_insert: bool,
        /// Each table is bound at most once per exec.
        single_table_bind_once: bool,
    }
}
action!(Stmt2InitArgs => "stmt2_init", "stmt2 init", StmtIdReply);

message! {
    /// `stmt2_prepare` args (02 §1.3.1).
    Stmt2PrepareArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
        /// SQL with `?` placeholders.
        sql: String,
        /// Ask for the field list.
        get_fields: bool,
    }
}
action!(Stmt2PrepareArgs => "stmt2_prepare", "stmt2 prepare", Stmt2PrepareReply);

message! {
    /// `stmt2_prepare` reply (02 §1.3.1, §1.3.2).
    Stmt2PrepareReply {
        /// Statement id.
        stmt_id: u64,
        /// True for an INSERT.
        is_insert: bool,
        /// Table name, tag and column fields in that order (`null` when not asked for).
        fields: Option<Vec<Stmt2Field>>,
        /// Number of fields, or of `?` for a query.
        fields_count: i64,
    }
}

message! {
    /// `stmt2_exec` args (02 §1.3.1).
    Stmt2ExecArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(Stmt2ExecArgs => "stmt2_exec", "stmt2 exec", StmtExecReply);

message! {
    /// `stmt2_result` args (02 §1.3.1).
    Stmt2ResultArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(Stmt2ResultArgs => "stmt2_result", "stmt2 result", Stmt2ResultReply);

message! {
    /// `stmt2_result` reply (02 §1.3.1).
    Stmt2ResultReply {
        /// Statement id.
        stmt_id: u64,
        /// Result handle for the query protocol.
        id: u64,
        /// Number of result columns.
        fields_count: i64,
        /// Column names.
        fields_names: Option<Vec<String>>,
        /// Column type codes.
        fields_types: Option<Vec<u8>>,
        /// Declared column widths.
        fields_lengths: Option<Vec<i64>>,
        /// Timestamp precision code.
        precision: u8,
        /// Per-column DECIMAL precision.
        fields_precisions: Option<Vec<i64>>,
        /// Per-column DECIMAL scale.
        fields_scales: Option<Vec<i64>>,
    }
}

impl Stmt2ResultReply {
    /// The result columns, validated like [`QueryReply::columns`].
    pub fn columns(&self) -> Result<Vec<Column>> {
        columns_from_lists(
            self.fields_count,
            self.fields_names.as_deref(),
            self.fields_types.as_deref(),
            self.fields_lengths.as_deref(),
            self.fields_precisions.as_deref(),
            self.fields_scales.as_deref(),
        )
    }
}

message! {
    /// `stmt2_close` args (02 §1.3.1); acknowledged, unlike v1 `close`.
    Stmt2CloseArgs {
        /// Request id.
        req_id: u64,
        /// Statement id.
        stmt_id: u64,
    }
}
action!(Stmt2CloseArgs => "stmt2_close", "stmt2 close", StmtIdReply);
