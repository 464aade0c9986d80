//! The REST transport left out of the build (cargo feature `rest` off): an `http://` or
//! `https://` DSN fails in [`RestSession::open`] with a `NotSupported` error, and the
//! session and body types have no values, so every REST arm of [`super::Session`]
//! compiles to nothing.

use std::sync::Arc;
use std::time::Duration;

use super::{Outcome, SchemalessWrite};
use crate::error::{Error, ErrorKind, Result};
use crate::options::{ConnectOptions, HostAddr};
use crate::row::{Column, Row};

/// A REST session: none can exist in this build.
#[derive(Debug)]
pub(crate) enum RestSession {}

/// A REST reply body being streamed: none can exist in this build.
#[derive(Debug)]
pub(crate) enum BodyStream {}

impl RestSession {
    /// Refuses: this build has no REST transport.
    pub(crate) fn open(
        opts: &Arc<ConnectOptions>,
        _host: &HostAddr,
        _db: Option<&str>,
    ) -> Result<RestSession> {
        Err(Error::new(
            ErrorKind::NotSupported,
            format!(
                "{}:// needs the REST transport, which this build of taosync leaves out (cargo feature `rest`); use ws:// or wss://",
                opts.get_protocol().scheme()
            ),
        ))
    }

    pub(crate) fn host(&self) -> &HostAddr {
        match *self {}
    }

    pub(crate) fn current_db(&self) -> Option<&str> {
        match *self {}
    }

    pub(crate) fn set_current_db(&mut self, _db: Option<String>) {
        match *self {}
    }

    pub(crate) fn server_version(&mut self, _req_id: u64) -> Result<String> {
        match *self {}
    }

    pub(crate) fn ping(&self, _timeout: Duration) -> Result<()> {
        match *self {}
    }

    pub(crate) fn query(&mut self, _sql: &str, _req_id: u64) -> Result<Outcome> {
        match *self {}
    }

    pub(crate) fn schemaless_insert(&mut self, _w: &SchemalessWrite<'_>) -> Result<u64> {
        match *self {}
    }
}

impl BodyStream {
    pub(crate) fn is_done(&self) -> bool {
        match *self {}
    }
}

pub(crate) fn next_rows(
    stream: &mut BodyStream,
    _columns: &Arc<[Column]>,
    _precision: crate::Precision,
) -> Result<Option<Vec<Row>>> {
    match *stream {}
}
