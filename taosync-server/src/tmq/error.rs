//! The broker's error: a TDengine code and a message, as the adapter reports them.

use std::fmt;

use taosync_proto::code::Code;
use taosync_proto::tmq::codes;

/// A failed broker call: the masked code and the message the server sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TmqError {
    /// The code (masked to 16 bits).
    pub code: Code,
    /// The message.
    pub message: String,
}

impl TmqError {
    /// An error with `code` and TDengine's standard text for it.
    pub fn code(code: Code) -> TmqError {
        TmqError {
            code,
            message: codes::message(code).to_owned(),
        }
    }

    /// An error with `code` and a specific message.
    pub fn new(code: Code, message: impl Into<String>) -> TmqError {
        TmqError {
            code,
            message: message.into(),
        }
    }

    /// A taosAdapter-generated error (code 0xffff).
    pub fn generic(message: impl Into<String>) -> TmqError {
        TmqError::new(Code::ADAPTER_GENERIC, message)
    }
}

impl fmt::Display for TmqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for TmqError {}

/// Broker results.
pub type TmqResult<T> = std::result::Result<T, TmqError>;
