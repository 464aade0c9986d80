//! The REST endpoints (01 §1): `POST /rest/sql[/{db}]` and `GET /rest/login/{user}/{password}`.

use std::io::{self, Write};
use std::time::Instant;

use chrono_tz::Tz;

use super::auth::{self, AuthError};
use super::http::{ChunkedWriter, Request, chunked_head, response_bytes};
use super::shared::Shared;
use crate::backend::{DbError, Exec, ResultSet};
use taosync_proto::code::Code;
use taosync_proto::rest::{RestFormat, ResultSetWriter, write_affected_rows, write_error};

/// Content type of every JSON response.
const JSON: &str = "application/json; charset=utf-8";
/// taosAdapter's generic error code.
const GENERIC: u16 = 0xffff;
/// Chunk size of streamed bodies (taosAdapter flushes about every 16 KiB).
const FLUSH_AT: usize = 16 * 1024;

fn elapsed_ns(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// An error body `{"code":..,"desc":..,"timing":..}` with its HTTP status.
fn error_response(
    out: &mut dyn Write,
    status: u16,
    code: u16,
    desc: &str,
    started: Instant,
    keep_alive: bool,
) -> io::Result<()> {
    let mut body = Vec::new();
    write_error(&mut body, Code::new(code), desc, Some(elapsed_ns(started)));
    out.write_all(&response_bytes(status, JSON, &body, keep_alive))?;
    out.flush()
}

/// The HTTP status of an engine error: 200, or with `httpCodeServerError` the status
/// taosAdapter's `ErrorStatusMap` gives (01 §1.7).
fn engine_error_status(code: u16, http_code_server_error: bool) -> u16 {
    if !http_code_server_error {
        return 200;
    }
    match code {
        0x0216 | 0x021B | 0x2600 | 0x060B | 0x0224 | 0x263B => 400,
        0x0350..=0x0357 => 401,
        0x000B => 502,
        _ => 500,
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// A request-level rejection: HTTP status, code and text.
struct Reject(u16, u16, String);

/// The validated query parameters of a `/rest/sql` request.
struct Params {
    req_id: u64,
    render_tz: Tz,
    conn_tz: Option<Tz>,
    row_with_meta: bool,
    timing: bool,
}

fn params(req: &Request) -> Result<Params, Reject> {
    let req_id = match req.param("req_id") {
        None | Some("") => 0,
        Some(text) => match text.parse::<i64>() {
            Ok(v) => v as u64,
            Err(e) => {
                let msg = format!("illegal param, req_id must be numeric {e}");
                return Err(Reject(400, GENERIC, msg));
            }
        },
    };
    let zone = |name: &str| -> Result<Tz, Reject> {
        name.parse::<Tz>()
            .map_err(|_| Reject(400, GENERIC, format!("unknown time zone {name}")))
    };
    let tz = match req.param("tz") {
        None | Some("") => None,
        Some(name) => Some(zone(name)?),
    };
    let conn_tz = match req.param("conn_tz") {
        None | Some("") => None,
        Some(name) => Some(zone(name)?),
    };
    let row_with_meta = match req.param("row_with_meta") {
        None | Some("") => false,
        Some(text) => parse_go_bool(text).ok_or_else(|| {
            Reject(
                400,
                GENERIC,
                format!("illegal param, row_with_meta must be boolean: {text}"),
            )
        })?,
    };
    Ok(Params {
        req_id,
        render_tz: conn_tz.or(tz).unwrap_or(Tz::UTC),
        conn_tz,
        row_with_meta,
        timing: req.param("timing") == Some("true"),
    })
}

/// `POST /rest/sql` and `/rest/sql/{db}`.
pub(crate) fn sql(
    req: &Request,
    db: Option<&str>,
    shared: &Shared,
    out: &mut dyn Write,
    keep_alive: bool,
) -> io::Result<()> {
    let started = Instant::now();
    let header = req.header("authorization");
    let creds = if header.is_some_and(|h| h.starts_with(b"Bearer ")) && req.param("token").is_some()
    {
        Err(AuthError::InvalidType)
    } else {
        auth::check_auth(header)
    };
    let creds = match creds {
        Ok(c) => c,
        Err(e) => return error_response(out, 401, e.code(), e.message(), started, keep_alive),
    };
    let p = match params(req) {
        Ok(p) => p,
        Err(Reject(status, code, msg)) => {
            return error_response(out, status, code, &msg, started, keep_alive);
        }
    };
    if req.body_error {
        return error_response(out, 400, 0x1121, "invalid content length", started, false);
    }
    if req.body.is_empty() {
        return error_response(out, 400, 0x1106, "request is empty", started, keep_alive);
    }
    let text = String::from_utf8_lossy(&req.body);
    let sql = text.trim();
    if sql.is_empty() {
        return error_response(out, 400, 0x1107, "no sql input", started, keep_alive);
    }
    let status = |code| engine_error_status(code, shared.http_code_server_error);
    if let Err(e) = shared.backend.authenticate(&creds.user, &creds.password) {
        return error_response(out, status(e.code), e.code, &e.message, started, keep_alive);
    }
    let mut session = shared.backend.open(&creds.user);
    session.set_timezone(p.conn_tz.unwrap_or(shared.server_tz));
    if let Some(db) = db.filter(|d| !d.is_empty()) {
        // taosAdapter ignores the error so that `create database` works on /rest/sql/{db}.
        let _ = session.use_db(db);
    }
    match session.execute(sql, p.req_id) {
        Err(DbError { code, message }) => {
            error_response(out, status(code), code, &message, started, keep_alive)
        }
        Ok(exec) => {
            out.write_all(&chunked_head(200, JSON, keep_alive))?;
            let mut w = ChunkedWriter::new(out, FLUSH_AT);
            let format = RestFormat {
                tz: p.render_tz,
                row_with_meta: p.row_with_meta,
            };
            match exec {
                Exec::Affected(n) => {
                    let timing = p.timing.then(|| elapsed_ns(started));
                    write_affected_rows(w.buffer(), n, &format, timing);
                }
                Exec::Rows(rs) => stream_rows(&mut w, rs, format, &p, started, shared.block_rows)?,
            }
            w.finish().map(drop)
        }
    }
}

/// Streams `column_meta`, then the rows block by block, then the trailer. A fetch error
/// mid-stream ends the data early with `code 0`, as taosAdapter does (the 200 header is
/// out, so it cannot be reported any more).
fn stream_rows(
    w: &mut ChunkedWriter<&mut dyn Write>,
    mut rs: Box<dyn ResultSet>,
    format: RestFormat<Tz>,
    p: &Params,
    started: Instant,
    block_rows: usize,
) -> io::Result<()> {
    let mut writer = ResultSetWriter::new(rs.columns().clone(), rs.precision(), format);
    writer.write_header(w.buffer());
    loop {
        let block = match rs.next_block(block_rows) {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                log::debug!("REST fetch failed mid-stream: {}", e.message);
                break;
            }
        };
        for row in &block {
            if let Err(e) = writer.write_row(w.buffer(), row) {
                log::warn!("REST row does not match its columns: {e}");
                break;
            }
            w.maybe_flush()?;
        }
    }
    writer.write_trailer(w.buffer(), p.timing.then(|| elapsed_ns(started)));
    Ok(())
}

/// `GET /rest/login/{user}/{password}`.
pub(crate) fn login(
    user: &str,
    password: &str,
    shared: &Shared,
    out: &mut dyn Write,
    keep_alive: bool,
) -> io::Result<()> {
    let started = Instant::now();
    let Some(token) = auth::encode_taosd(user, password) else {
        let msg = "generate taosd token error";
        return error_response(out, 400, 0x110A, msg, started, keep_alive);
    };
    if shared.backend.authenticate(user, password).is_err() {
        return error_response(
            out,
            401,
            0x0003,
            "Authentication failure",
            started,
            keep_alive,
        );
    }
    let mut body = Vec::new();
    write_error(&mut body, Code::SUCCESS, &token, None);
    out.write_all(&response_bytes(200, JSON, &body, keep_alive))?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_error_statuses() {
        assert_eq!(engine_error_status(0x2600, false), 200);
        assert_eq!(engine_error_status(0x2600, true), 400);
        assert_eq!(engine_error_status(0x0357, true), 401);
        assert_eq!(engine_error_status(0x000B, true), 502);
        assert_eq!(engine_error_status(0x2603, true), 500);
        assert_eq!(engine_error_status(0xffff, true), 500);
    }

    #[test]
    fn go_bools() {
        for t in ["1", "t", "T", "true", "TRUE", "True"] {
            assert_eq!(parse_go_bool(t), Some(true));
        }
        for f in ["0", "f", "F", "false", "FALSE", "False"] {
            assert_eq!(parse_go_bool(f), Some(false));
        }
        assert_eq!(parse_go_bool("yes"), None);
    }
}
