//! The engine's error type: a TDengine code and the message taosd would print.

use std::fmt;

use taosync_proto::code::Code;

/// An error raised by the engine: the 16-bit TDengine code and the detailed message
/// (`taos_errstr` text), as REST `desc` / WS `message` carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    /// The TDengine error code.
    pub code: Code,
    /// The message, e.g. `Table does not exist: t1`.
    pub message: String,
}

impl EngineError {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> EngineError {
        EngineError {
            code,
            message: message.into(),
        }
    }

    /// An error with `code` and its static TDengine message.
    pub fn code(code: Code) -> EngineError {
        EngineError::new(code, code.default_message().unwrap_or("Unknown error"))
    }

    /// 0x2600 `syntax error near "<rest>"` where `rest` is the SQL from the bad token on.
    pub fn syntax_near(rest: &str) -> EngineError {
        EngineError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("syntax error near \"{}\"", clip(rest, 256)),
        )
    }

    /// 0x2601 Incomplete SQL statement.
    pub fn incomplete() -> EngineError {
        EngineError::code(Code::PAR_INCOMPLETE_SQL)
    }

    /// 0x0216 `syntax error near '<text>' (<reason>)` from the INSERT value parser.
    pub fn insert_syntax(near: &str, reason: &str) -> EngineError {
        EngineError::new(
            Code::TSC_SQL_SYNTAX_ERROR,
            format!("syntax error near '{}' ({reason})", clip(near, 63)),
        )
    }

    /// 0x0200 with the bare reason (INSERT parser semantic errors).
    pub fn invalid_operation(reason: impl Into<String>) -> EngineError {
        EngineError::new(Code::TSC_INVALID_OPERATION, reason)
    }

    /// 0x2603 `Table does not exist: <name>`.
    pub fn table_not_exist(name: &str) -> EngineError {
        EngineError::new(
            Code::PAR_TABLE_NOT_EXIST,
            format!("Table does not exist: {name}"),
        )
    }

    /// 0x0388 Database not exist.
    pub fn db_not_exist() -> EngineError {
        EngineError::code(Code::MND_DB_NOT_EXIST)
    }

    /// 0x2616 Database not specified.
    pub fn db_not_specified() -> EngineError {
        EngineError::code(Code::PAR_DB_NOT_SPECIFIED)
    }

    /// 0x2602 `Invalid column name: <name>`.
    pub fn invalid_column(name: &str) -> EngineError {
        EngineError::new(
            Code::PAR_INVALID_COLUMN,
            format!("Invalid column name: {name}"),
        )
    }

    /// 0x2653 `Value too long for column/tag: <name>`.
    pub fn value_too_long(name: &str) -> EngineError {
        EngineError::new(
            Code::PAR_VALUE_TOO_LONG,
            format!("Value too long for column/tag: {name}"),
        )
    }

    /// 0x2600 for a statement or clause the emulator does not implement.
    pub fn unsupported(what: &str) -> EngineError {
        EngineError::new(
            Code::PAR_SYNTAX_ERROR,
            format!(
                "syntax error near \"{}\" (not supported by the embedded server)",
                clip(what, 128)
            ),
        )
    }

    /// 0x2802 Invalid function para type, naming the function.
    pub fn func_type(func: &str) -> EngineError {
        EngineError::new(
            Code::FUNC_FUNTION_PARA_TYPE,
            format!("Invalid parameter data type : {func}"),
        )
    }

    /// 0x2801 Invalid function para number, naming the function.
    pub fn func_num(func: &str) -> EngineError {
        EngineError::new(
            Code::FUNC_FUNTION_PARA_NUM,
            format!("Invalid number of parameters : {func}"),
        )
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
pub(crate) fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

impl std::error::Error for EngineError {}

/// `Result` with [`EngineError`].
pub type EResult<T> = std::result::Result<T, EngineError>;
