//! TDengine error codes: a 16-bit newtype with the named codes a client meets.
//!
//! Engine errors are 32-bit values `0x8000_0000 | code`; taosAdapter sends the low 16 bits,
//! and so does every [`Error`](crate::Error). [`Code::from_raw`] does that masking.

use std::fmt;

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

            /// Every named code, in ascending order.
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
    /// Client: the connection is closed.
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
    fn masking_and_names() {
        assert_eq!(Code::from_raw(-2147473920), Code::PAR_SYNTAX_ERROR);
        assert_eq!(Code::from_raw(9728), Code::PAR_SYNTAX_ERROR);
        assert_eq!(Code::MND_AUTH_FAILURE.value(), 855);
        assert_eq!(Code::new(0x1234).name(), None);
        assert!(Code::ALL.windows(2).all(|w| w[0] != w[1]));
        assert_eq!(
            Code::PAR_TABLE_NOT_EXIST.default_message(),
            Some("Table does not exist")
        );
    }
}
