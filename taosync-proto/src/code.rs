//! TDengine error codes: a 16-bit newtype with the named codes a client meets, and the one
//! table that maps every code to the PEP 249 exception class it belongs to.
//!
//! Engine errors are 32-bit values `0x8000_0000 | code`; taosAdapter sends the low 16 bits,
//! and so does every [`Error`](crate::Error). [`Code::from_raw`] does that masking.
//!
//! # Codes and PEP 249 classes
//!
//! [`Code::kind`] is the single place where a server's error code becomes an
//! [`ErrorKind`]. Every transport (WebSocket binary and JSON fetch, REST) and every path
//! (query, fetch, stmt, schemaless, TMQ) builds its server errors through it, so the same
//! failure has the same kind everywhere. The table goes range by range through TDengine's
//! `taoserror.h` (module 0, code ranges by component); within a range, the codes named
//! in the third column are exceptions to the range's class.
//!
//! | Range | Component | Class of the range | Exceptions |
//! |---|---|---|---|
//! | `0x0001–0x00FF` | RPC | `Operational` (network unavailable, broken link, timeout) | `0x0003` authentication: *context* |
//! | `0x0100–0x01FF` | common | `Internal` | `0x0100` not supported → `NotSupported`; `0x0102` out of memory, `0x0125` retry, `0x0126` queue full, `0x0129`/`0x012B`/`0x012E` disk, `0x012C` timeout, `0x0130`/`0x0131` starting/stopping, `0x0134` address not allowed → `Operational`; `0x0112` out of range, `0x0127` invalid timestamp, `0x0132` invalid data format, `0x013D` DECIMAL overflow, `0x013E` division by zero → `Data`; `0x0118` invalid parameter → `Programming`; `0x0124` duplicate key → `Integrity` |
//! | `0x0200–0x02FF` | client (TSC) | `Programming` (invalid operation, syntax, no database) | `0x0202` invalid timestamp, `0x0203` invalid value, `0x021E`/`0x021F` tag/column value too long, `0x0221`/`0x0222` invalid JSON, `0x0224` value out of range → `Data`; `0x020B` invalid connection, `0x020F` cancelled, `0x0210` too many sorted rows, `0x0213` disconnected, `0x0215` killed, `0x022D` killed, `0x022E` no node → `Operational`; `0x022A`–`0x022C`, `0x0230`–`0x0233` statement API → *context*; `0x0237` → `NotSupported`; `0x02FF` → `Internal` |
//! | `0x0300–0x03FF` | mnode | `Operational` (transactions, nodes, rebalance, limits) | every *already exists* code → `Integrity`; every *does not exist* code, invalid options, no rights, retention period zero → `Programming`; objects in use by a topic or a consumer (`0x03C4`, `0x03EB`–`0x03ED`, `0x03F3`) → `Integrity`; `0x0354`, `0x0357`, `0x0358` authentication → *context*; `0x03E6` consumer gone → `Tmq`; `0x0318` → `Internal` |
//! | `0x0400–0x04FF` | dnode, anode, SMA, views | `Operational` | *already exists* → `Integrity`; *does not exist* → `Programming` |
//! | `0x0500–0x05FF` | vnode | `Operational` | `0x0512` no write permission → `Programming`; `0x0525` column exists, `0x0527` column subscribed → `Integrity`; `0x0526` no such column → `Programming` |
//! | `0x0600–0x06FF` | TSDB | `Operational` | `0x0603`, `0x0619`, `0x061D` table exists → `Integrity`; `0x0618`, `0x061A` no such table → `Programming`; `0x060B` timestamp out of range, `0x0615` invalid tag value → `Data` |
//! | `0x0700–0x07FF` | query | `Operational` (not ready, memory, timeouts) | invalid join, time, window or filter conditions, JSON and GEOMETRY misuse → `Programming`; `0x070D`, `0x0732` → `Internal` |
//! | `0x0800–0x08FF` | grant (licence limits) | `Operational` | |
//! | `0x0900–0x25FF` | sync, WAL, TQ, … | `Operational` | |
//! | `0x1100–0x11FF` | taosAdapter HTTP | `Operational` | `0x1105`, `0x1122`, `0x1124`, `0x1125` authorization → *context*; `0x1106`/`0x1107` empty request → `Programming` |
//! | `0x2600–0x26FF` | parser | `Programming` (syntax, unknown table or column, wrong counts) | `0x2653` value too long → `Data`; `0x2614` no longer supported → `NotSupported`; `0x26FF` → `Internal` |
//! | `0x2700–0x27FF` | planner | `Programming` | `0x2700` → `Internal` |
//! | `0x2800–0x28FF` | functions | `Programming` | |
//! | `0x2900–0x2FFF` | UDF, … | `Operational` | |
//! | `0x3000–0x30FF` | schemaless | `Schemaless` | |
//! | `0x4000–0x40FF` | TMQ | `Tmq` | |
//! | `0x4100–0xDFFF` | streams, … | `Operational` | |
//! | `0xE000–0xE0FF` | this client | *context* (set where the error is raised) | |
//! | `0xFFFD`, `0xFFFE` | taosAdapter limits | `Programming` (SQL rejected by configuration), `Operational` (request over limit) | |
//! | `0xFFFF` | taosAdapter, free text | *context* | |
//!
//! *Context* means the code alone does not say what went wrong: the call's own class
//! applies — [`Connection`](ErrorKind::Connection) while connecting,
//! [`Statement`](ErrorKind::Statement) in a stmt call, [`Schemaless`](ErrorKind::Schemaless)
//! in a schemaless insert, [`Tmq`](ErrorKind::Tmq) in a consumer call,
//! [`Result`](ErrorKind::Result) in a fetch, and [`Database`](ErrorKind::Database) in a
//! query (see [`Error::in_context`](crate::Error::in_context)).
//!
//! ```
//! use taosync_proto::{Code, ErrorKind};
//! assert_eq!(Code::PAR_VALUE_TOO_LONG.kind(), Some(ErrorKind::Data));
//! assert_eq!(Code::PAR_SYNTAX_ERROR.kind(), Some(ErrorKind::Programming));
//! assert_eq!(Code::MND_DB_NOT_EXIST.kind(), Some(ErrorKind::Programming));
//! assert_eq!(Code::TDB_TABLE_ALREADY_EXIST.kind(), Some(ErrorKind::Integrity));
//! assert_eq!(Code::RPC_NETWORK_UNAVAIL.kind(), Some(ErrorKind::Operational));
//! assert_eq!(Code::MND_AUTH_FAILURE.kind(), None);
//! ```

use std::fmt;

use crate::error::ErrorKind;

/// A TDengine error code, masked to 16 bits.
///
/// ```
/// use taosync_proto::Code;
/// let code = Code::from_raw(0x8000_2603u32 as i32 as i64);
/// assert_eq!(code, Code::PAR_TABLE_NOT_EXIST);
/// assert_eq!(code.to_string(), "0x2603");
/// assert_eq!(code.name(), Some("PAR_TABLE_NOT_EXIST"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(u16);

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $value:expr, $text:expr;)*) => {
        impl Code {
            $($(#[$doc])* pub const $name: Code = Code($value);)*

            /// The TDengine constant name of this code, when it is one this crate knows.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }

            /// TDengine's default message for this code, when it is one this crate knows.
            pub fn default_message(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }

            /// Every named code.
            pub const ALL: &'static [Code] = &[$(Code($value)),*];
        }
    };
}

codes! {
    /// The operation succeeded.
    SUCCESS = 0x0000, "success";
    /// RPC authentication failure (REST `/rest/login`).
    RPC_AUTH_FAILURE = 0x0003, "Authentication failure";
    /// taosAdapter could not reach taosd.
    RPC_NETWORK_UNAVAIL = 0x000B, "Unable to establish connection";
    /// The connection to the server broke.
    RPC_BROKEN_LINK = 0x0018, "Conn is broken";
    /// A DECIMAL value or expression overflowed.
    DECIMAL_OVERFLOW = 0x013D, "Decimal value overflow";
    /// Invalid operation (semantic INSERT errors).
    TSC_INVALID_OPERATION = 0x0200, "Invalid operation";
    /// Syntax error reported by the INSERT parser.
    TSC_SQL_SYNTAX_ERROR = 0x0216, "Syntax error in SQL";
    /// The SQL text is longer than the server accepts.
    TSC_EXCEED_SQL_LIMIT = 0x0219, "SQL statement too long";
    /// A bound or schemaless value is out of its type's range.
    TSC_VALUE_OUT_OF_RANGE = 0x0224, "Value out of range";
    /// `CREATE USER` for an existing user.
    MND_USER_ALREADY_EXIST = 0x0350, "User already exists";
    /// Unknown user.
    MND_USER_NOT_EXIST = 0x0351, "Invalid user";
    /// Invalid password format.
    MND_INVALID_PASS_FORMAT = 0x0353, "Invalid password format";
    /// Wrong user name or password.
    MND_AUTH_FAILURE = 0x0357, "Authentication failure";
    /// The supertable already exists.
    MND_STB_ALREADY_EXIST = 0x0360, "STable already exists";
    /// The supertable does not exist.
    MND_STB_NOT_EXIST = 0x0361, "STable not exist";
    /// A value too long for a bound tag.
    TSC_INVALID_TAG_LENGTH = 0x021E, "Invalid tag length";
    /// A value too long for a bound column.
    TSC_INVALID_COLUMN_LENGTH = 0x021F, "Invalid column length";
    /// A stmt call in the wrong order.
    TSC_STMT_API_ERROR = 0x022A, "Stmt API usage error";
    /// The number of bound values does not match the placeholders.
    TSC_STMT_BIND_NUMBER_ERROR = 0x0236, "Stmt bind number error";
    /// The operation is not supported.
    OPS_NOT_SUPPORT = 0x0100, "Operation not supported";
    /// An invalid timestamp.
    TSC_INVALID_TIME_STAMP = 0x0202, "Invalid timestamp format";
    /// The tag already exists.
    MND_TAG_ALREADY_EXIST = 0x0369, "Tag already exists";
    /// The tag does not exist.
    MND_TAG_NOT_EXIST = 0x036A, "Tag does not exist";
    /// The column already exists.
    MND_COLUMN_ALREADY_EXIST = 0x036B, "Column already exists";
    /// The column does not exist.
    MND_COLUMN_NOT_EXIST = 0x036C, "Column does not exist";
    /// No database selected (server side).
    MND_DB_NOT_SELECTED = 0x0380, "Database not specified or available";
    /// The database already exists.
    MND_DB_ALREADY_EXIST = 0x0381, "Database already exists";
    /// The database does not exist.
    MND_DB_NOT_EXIST = 0x0388, "Database not exist";
    /// Topics need a non-zero WAL retention period.
    MND_DB_RETENTION_PERIOD_ZERO = 0x038C, "WAL retention period is zero";
    /// A column or tag used by a topic cannot be changed.
    MND_FIELD_CONFLICT_WITH_TOPIC = 0x03C4, "Field used by topic";
    /// The topic already exists.
    MND_TOPIC_ALREADY_EXIST = 0x03E0, "Topic already exists";
    /// The topic does not exist.
    MND_TOPIC_NOT_EXIST = 0x03E1, "Topic not exist";
    /// The consumer does not exist (for example it timed out).
    MND_CONSUMER_NOT_EXIST = 0x03E6, "Consumer not exist";
    /// A subscribed topic cannot be dropped.
    MND_TOPIC_SUBSCRIBED = 0x03EB, "Topic subscribed cannot be dropped";
    /// The consumer group is in use.
    MND_CGROUP_USED = 0x03EC, "Consumer group being used by some consumer";
    /// A topic must be dropped first.
    MND_TOPIC_MUST_BE_DELETED = 0x03ED, "Topic must be dropped first";
    /// The table already exists.
    TDB_TABLE_ALREADY_EXIST = 0x0603, "Table already exists";
    /// A timestamp is outside the database's keep range.
    TDB_TIMESTAMP_OUT_OF_RANGE = 0x060B, "Timestamp data out of range";
    /// The table does not exist (vnode side).
    TDB_TABLE_NOT_EXIST = 0x0618, "Table not exists";
    /// The table already exists in another supertable.
    TDB_TABLE_IN_OTHER_STABLE = 0x061D, "Table already exists in other stables";
    /// TMQ: invalid message.
    TMQ_INVALID_MSG = 0x4000, "Invalid message";
    /// TMQ: the consumer is closed.
    TMQ_CONSUMER_CLOSED = 0x4002, "Consumer closed";
    /// SQL syntax error.
    PAR_SYNTAX_ERROR = 0x2600, "syntax error near";
    /// The SQL statement ends early.
    PAR_INCOMPLETE_SQL = 0x2601, "Incomplete SQL statement";
    /// Unknown column.
    PAR_INVALID_COLUMN = 0x2602, "Invalid column name";
    /// Unknown table.
    PAR_TABLE_NOT_EXIST = 0x2603, "Table does not exist";
    /// A column name is ambiguous.
    PAR_AMBIGUOUS_COLUMN = 0x2604, "Column ambiguously defined";
    /// A constant cannot be converted to the column's type.
    PAR_WRONG_VALUE_TYPE = 0x2605, "Invalid value type";
    /// A plain column outside GROUP BY.
    PAR_GROUPBY_LACK_EXPRESSION = 0x260A, "Not a GROUP BY expression";
    /// An aggregate mixed with plain columns.
    PAR_NOT_SINGLE_GROUP = 0x260C, "Not a single-group group function";
    /// Wrong number of tag values.
    PAR_TAGS_NOT_MATCHED = 0x260D, "Tags number not matched";
    /// Unknown tag name.
    PAR_INVALID_TAG_NAME = 0x260E, "Invalid tag name";
    /// The statement is no longer supported.
    PAR_EXPRIE_STATEMENT = 0x2614, "This statement is no longer supported";
    /// The interval is too small.
    PAR_INTER_VALUE_TOO_SMALL = 0x2615, "Interval too small";
    /// No database given and none selected.
    PAR_DB_NOT_SPECIFIED = 0x2616, "Database not specified";
    /// Invalid identifier.
    PAR_INVALID_IDENTIFIER_NAME = 0x2617, "Invalid identifier name";
    /// Invalid database option.
    PAR_INVALID_DB_OPTION = 0x2619, "Invalid database option";
    /// Invalid table option.
    PAR_INVALID_TABLE_OPTION = 0x261A, "Invalid table option";
    /// A JSON tag must be the only tag.
    PAR_ONLY_ONE_JSON_TAG = 0x2633, "Only one tag if there is a json tag";
    /// Negative OFFSET.
    PAR_OFFSET_LESS_ZERO = 0x2637, "soffset/offset can not be less than 0";
    /// The query of a topic uses something topics cannot.
    PAR_INVALID_TOPIC_QUERY = 0x2639, "Invalid topic query";
    /// A supertable inside a multi-table DROP TABLE.
    PAR_INVALID_DROP_STABLE = 0x263A, "Cannot drop super table in batch";
    /// A time range is required for FILL.
    PAR_INVALID_FILL_TIME_RANGE = 0x263B, "Start(end) time of query range required or time range too large";
    /// Duplicated column names.
    PAR_DUPLICATED_COLUMN = 0x263C, "Duplicated column names";
    /// Tags longer than allowed.
    PAR_INVALID_TAGS_LENGTH = 0x263D, "Tags length exceeds max length";
    /// A row longer than allowed.
    PAR_INVALID_ROW_LENGTH = 0x263E, "Row length exceeds max length";
    /// Wrong number of values in a row.
    PAR_INVALID_COLUMNS_NUM = 0x263F, "Illegal number of columns";
    /// The first column must be a timestamp.
    PAR_INVALID_FIRST_COLUMN = 0x2641, "First column must be timestamp";
    /// Invalid length of a variable-width column or tag.
    PAR_INVALID_VAR_COLUMN_LEN = 0x2642, "Invalid varbinary/binary/nchar column/tag length";
    /// Too many tags.
    PAR_INVALID_TAGS_NUM = 0x2643, "Invalid number of tag columns";
    /// Permission denied.
    PAR_PERMISSION_DENIED = 0x2644, "Permission denied or target object not exist";
    /// Invalid ALTER TABLE statement.
    PAR_INVALID_ALTER_TABLE = 0x2649, "Invalid alter table statement";
    /// The primary timestamp column cannot be dropped.
    PAR_CANNOT_DROP_PRIMARY_KEY = 0x264A, "Primary timestamp column cannot be dropped";
    /// Only variable-width columns can grow.
    PAR_INVALID_MODIFY_COL = 0x264B, "Only varbinary/binary/nchar/geometry column length could be modified, and the length can only be increased, not decreased";
    /// Only a tag can be JSON.
    PAR_INVALID_COL_JSON = 0x2652, "Only tag can be json type";
    /// A value is longer than its column or tag.
    PAR_VALUE_TOO_LONG = 0x2653, "Value too long for column/tag";
    /// DELETE needs a time range.
    PAR_INVALID_DELETE_WHERE = 0x2655, "The DELETE statement must have a definite time window range";
    /// Table metadata could not be read.
    PAR_GET_META_ERROR = 0x2662, "Fail to get table info";
    /// Wrong number of function arguments.
    FUNC_FUNTION_PARA_NUM = 0x2801, "Invalid function para number";
    /// Wrong function argument type.
    FUNC_FUNTION_PARA_TYPE = 0x2802, "Invalid function para type";
    /// Wrong function argument value.
    FUNC_FUNTION_PARA_VALUE = 0x2803, "Invalid function para value";
    /// Schemaless: invalid protocol.
    SML_INVALID_PROTOCOL_TYPE = 0x3000, "Invalid line protocol type";
    /// Schemaless: invalid precision.
    SML_INVALID_PRECISION_TYPE = 0x3001, "Invalid timestamp precision type";
    /// Schemaless: invalid data.
    SML_INVALID_DATA = 0x3002, "Invalid data format";
    /// Schemaless: invalid database configuration.
    SML_INVALID_DB_CONF = 0x3003, "Invalid schemaless db config";
    /// Schemaless: conflicting types in one batch.
    SML_NOT_SAME_TYPE = 0x3004, "Not the same type like before";
    /// Schemaless: internal error.
    SML_INTERNAL_ERROR = 0x3005, "Internal error";
    /// REST: no Authorization header.
    HTTP_NO_AUTH_INFO = 0x1105, "no auth info input";
    /// REST: empty body.
    HTTP_REQUEST_EMPTY = 0x1106, "request is empty";
    /// REST: whitespace-only body.
    HTTP_NO_SQL_INPUT = 0x1107, "no sql input";
    /// REST: the token could not be generated.
    HTTP_GEN_TAOSD_TOKEN_ERR = 0x110A, "generate taosd token error";
    /// REST: the body could not be read.
    HTTP_INVALID_CONTENT_LENGTH = 0x1121, "invalid content length";
    /// REST: unknown Authorization scheme.
    HTTP_INVALID_AUTH_TYPE = 0x1122, "invalid type of Authorization";
    /// REST: malformed Basic credentials.
    HTTP_INVALID_BASIC_AUTH = 0x1124, "invalid basic Authorization";
    /// REST: malformed Taosd token.
    HTTP_INVALID_TAOSD_AUTH = 0x1125, "invalid taosd Authorization";
    /// Client: malformed DSN (client-local code, never sent by a server).
    CLIENT_DSN_ERROR = 0xE000, "DSN error";
    /// Client: WebSocket protocol error.
    CLIENT_WEBSOCKET_ERROR = 0xE001, "websocket error";
    /// Client: the connection is closed — by the caller (an `InterfaceError`), or by the
    /// peer, which hung up mid-reply (a `ConnectionError`, the same on every transport).
    CLIENT_CONNECTION_CLOSED = 0xE002, "connection closed";
    /// Client: sending timed out.
    CLIENT_SEND_TIMEOUT = 0xE003, "send timeout";
    /// Client: receiving timed out.
    CLIENT_RECV_TIMEOUT = 0xE004, "receive timeout";
    /// Client: I/O error.
    CLIENT_IO_ERROR = 0xE005, "I/O error";
    /// Client: the server refused the upgrade as unauthorized.
    CLIENT_UNAUTHORIZED = 0xE006, "unauthorized";
    /// Client: a reply could not be decoded.
    CLIENT_DECODE_ERROR = 0xE007, "deserialization error";
    /// Client: the WebSocket disconnected.
    CLIENT_WEBSOCKET_DISCONNECTED = 0xE008, "websocket disconnected";
    /// Client: TLS error.
    CLIENT_TLS_ERROR = 0xE009, "TLS error";
    /// taosAdapter: the SQL was rejected by configuration.
    ADAPTER_SQL_REJECTED = 0xFFFD, "reject sql";
    /// taosAdapter: the per-user query limit was reached.
    ADAPTER_REQUEST_OVER_LIMIT = 0xFFFE, "request over limit";
    /// taosAdapter's generic error code, with free text.
    ADAPTER_GENERIC = 0xFFFF, "";
}

impl Code {
    /// The code from a raw value as a server or the C library reports it (`0x8000_2603`,
    /// `-2147473917` or `9731`): the low 16 bits are kept.
    pub fn from_raw(raw: i64) -> Code {
        Code((raw & 0xFFFF) as u16)
    }

    /// A code from its 16-bit value.
    pub const fn new(code: u16) -> Code {
        Code(code)
    }

    /// The 16-bit value.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The PEP 249 class of an error with this code, or `None` when the code alone does not
    /// decide it and the call's context does (see the [module docs](self) for the table).
    ///
    /// ```
    /// use taosync_proto::{Code, ErrorKind};
    /// assert_eq!(Code::TDB_TIMESTAMP_OUT_OF_RANGE.kind(), Some(ErrorKind::Data));
    /// assert_eq!(Code::new(0x2614).kind(), Some(ErrorKind::NotSupported));
    /// assert_eq!(Code::ADAPTER_GENERIC.kind(), None);
    /// ```
    pub fn kind(self) -> Option<ErrorKind> {
        use ErrorKind::{Data, Integrity, Internal, NotSupported, Operational, Programming};
        let kind = match self.0 {
            0x0000 => return None,
            // RPC.
            0x0003 => return None,
            0x0001..=0x00FF => Operational,
            // Common and utilities.
            0x0100 => NotSupported,
            0x0102 | 0x0125 | 0x0126 | 0x0129 | 0x012B | 0x012C | 0x012E | 0x0130 | 0x0131
            | 0x0134 => Operational,
            0x0112 | 0x0127 | 0x0132 | 0x013D | 0x013E => Data,
            0x0118 => Programming,
            0x0124 => Integrity,
            0x0101..=0x01FF => Internal,
            // Client (TSC).
            0x0202 | 0x0203 | 0x021E | 0x021F | 0x0221 | 0x0222 | 0x0224 => Data,
            0x020B | 0x020F | 0x0210 | 0x0213 | 0x0215 | 0x022D | 0x022E => Operational,
            0x022A..=0x022C | 0x0230..=0x0233 => return None,
            0x0237 => NotSupported,
            0x02FF => Internal,
            0x0200..=0x02FE => Programming,
            // mnode.
            0x0354 | 0x0357 | 0x0358 => return None,
            0x03E6 => ErrorKind::Tmq,
            0x0318 => Internal,
            0x0320 | 0x0330 | 0x0339 | 0x0340 | 0x0350 | 0x0359 | 0x035A | 0x0360 | 0x0369
            | 0x036B | 0x0373 | 0x0381 | 0x03A0 | 0x03A2 | 0x03A4 | 0x03A6 | 0x03AA | 0x03D0
            | 0x03E0 | 0x03F0 | 0x03F8 => Integrity,
            0x03C4 | 0x03C8 | 0x03EB..=0x03ED | 0x03F3 => Integrity,
            0x0303
            | 0x030B
            | 0x030C
            | 0x030E
            | 0x0323
            | 0x0331
            | 0x0332
            | 0x0338
            | 0x0342
            | 0x0344
            | 0x0351..=0x0353
            | 0x0356
            | 0x035B
            | 0x035D
            | 0x0361
            | 0x0362
            | 0x0364
            | 0x0365
            | 0x036A
            | 0x036C
            | 0x036E
            | 0x036F
            | 0x0370
            | 0x0372
            | 0x0374
            | 0x0375
            | 0x0378
            | 0x0379
            | 0x0380
            | 0x0382
            | 0x0383
            | 0x0388
            | 0x038B
            | 0x038C
            | 0x039A
            | 0x039C
            | 0x03A1
            | 0x03A3
            | 0x03A5
            | 0x03A7
            | 0x03AB
            | 0x03B2..=0x03B4
            | 0x03B7
            | 0x03C0
            | 0x03C2
            | 0x03E1
            | 0x03E3..=0x03E5
            | 0x03E8
            | 0x03E9
            | 0x03EE
            | 0x03F1
            | 0x03F2
            | 0x03F7 => Programming,
            0x0300..=0x03FF => Operational,
            // dnode, anode, SMA, tag index, views, compaction.
            0x0409 | 0x040C | 0x040F | 0x0430 | 0x0480 | 0x0483 | 0x04A0 | 0x04B3 => Integrity,
            0x040A | 0x040D | 0x0410 | 0x0431 | 0x0442 | 0x0481 | 0x0484 | 0x04A1 | 0x04B1
            | 0x04B2 => Programming,
            // vnode.
            0x0512 | 0x0526 => Programming,
            0x0525 | 0x0527 => Integrity,
            // TSDB.
            0x0603 | 0x0619 | 0x061D => Integrity,
            0x0618 | 0x061A => Programming,
            0x060B | 0x0615 => Data,
            // Query.
            0x070D | 0x0732 => Internal,
            0x0705
            | 0x0706
            | 0x070E
            | 0x070F
            | 0x0712
            | 0x072C..=0x072E
            | 0x0731
            | 0x0733..=0x0737 => Programming,
            // taosAdapter HTTP.
            0x1105 | 0x1122 | 0x1124 | 0x1125 => return None,
            0x1106 | 0x1107 => Programming,
            // Parser, planner, functions.
            0x2653 => Data,
            0x2614 => NotSupported,
            0x26FF | 0x2700 => Internal,
            0x2600..=0x28FF => Programming,
            // Schemaless, TMQ.
            0x3000..=0x30FF => ErrorKind::Schemaless,
            0x4000..=0x40FF => ErrorKind::Tmq,
            // This client's own codes, and taosAdapter's free-text code.
            0xE000..=0xE0FF | 0xFFFF => return None,
            0xFFFD => Programming,
            _ => Operational,
        };
        Some(kind)
    }

    /// True for the client-local range 0xE000..=0xE0FF, which no server sends.
    pub fn is_client_local(self) -> bool {
        (0xE000..=0xE0FF).contains(&self.0)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:04x}", self.0)
    }
}

impl From<Code> for u16 {
    fn from(code: Code) -> u16 {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_has_a_class_and_context_codes_have_none() {
        use ErrorKind::*;
        let cases = [
            (0x000B, Some(Operational)),
            (0x0018, Some(Operational)),
            (0x0003, None),
            (0x0100, Some(NotSupported)),
            (0x0102, Some(Operational)),
            (0x0138, Some(Internal)),
            (0x013D, Some(Data)),
            (0x0200, Some(Programming)),
            (0x0216, Some(Programming)),
            (0x0224, Some(Data)),
            (0x0236, Some(Programming)),
            (0x022A, None),
            (0x0350, Some(Integrity)),
            (0x0357, None),
            (0x0381, Some(Integrity)),
            (0x0388, Some(Programming)),
            (0x0385, Some(Operational)),
            (0x03E0, Some(Integrity)),
            (0x03E1, Some(Programming)),
            (0x03EB, Some(Integrity)),
            (0x03E6, Some(Tmq)),
            (0x0603, Some(Integrity)),
            (0x0618, Some(Programming)),
            (0x060B, Some(Data)),
            (0x0706, Some(Programming)),
            (0x073A, Some(Operational)),
            (0x0808, Some(Operational)),
            (0x1105, None),
            (0x1107, Some(Programming)),
            (0x2600, Some(Programming)),
            (0x2603, Some(Programming)),
            (0x2653, Some(Data)),
            (0x2614, Some(NotSupported)),
            (0x2801, Some(Programming)),
            (0x3002, Some(Schemaless)),
            (0x4000, Some(Tmq)),
            (0xE002, None),
            (0xFFFD, Some(Programming)),
            (0xFFFE, Some(Operational)),
            (0xFFFF, None),
        ];
        for (code, kind) in cases {
            assert_eq!(Code::new(code).kind(), kind, "{}", Code::new(code));
        }
        // Every named code a server sends has a class or is deliberately left to context.
        for code in Code::ALL {
            if let Some(kind) = code.kind() {
                assert!(kind.is_database_error(), "{code}: {kind}");
            }
        }
    }

    #[test]
    fn masking_and_names() {
        assert_eq!(Code::from_raw(-2147473920), Code::PAR_SYNTAX_ERROR);
        assert_eq!(Code::from_raw(9728), Code::PAR_SYNTAX_ERROR);
        assert_eq!(Code::MND_AUTH_FAILURE.value(), 855);
        assert_eq!(Code::new(0x1234).name(), None);
        let mut all = Code::ALL.to_vec();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), Code::ALL.len(), "a code is named twice");
        assert_eq!(
            Code::PAR_TABLE_NOT_EXIST.default_message(),
            Some("Table does not exist")
        );
    }
}
