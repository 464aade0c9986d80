//! Connections.

use crate::error::{Error, Result};
use crate::options::ConnectOptions;

/// A connection (placeholder while the transports are written).
#[derive(Debug)]
pub struct Connection;

impl Connection {
    pub(crate) fn open(_o: ConnectOptions) -> Result<Connection> {
        Err(Error::not_supported("not yet"))
    }
}
