//! The JSON envelope of `/ws` text frames (01 §2.2, 02 §0.3).
//!
//! * Client side: [`encode_request`] writes `{"action":..,"args":{..}}`; [`decode_reply`]
//!   reads a reply, turning `code != 0` into an [`Error`] carrying the code and message.
//! * Server side: [`parse_request`] splits a text frame into action, salvaged `req_id` and
//!   raw args, with the generic errors of 01 §2.2 as [`RequestError`];
//!   [`IncomingRequest::args`] deserializes the args of one action; [`encode_reply`] writes
//!   the five common keys in order followed by the action's fields.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::code::Code;
use crate::error::{Error, ErrorKind, Result};

/// The taosAdapter generic error code, 0xffff (01 §5).
pub const GENERIC_CODE: u16 = 0xFFFF;

/// The actions taosAdapter answers before a successful `conn` (01 §2.3); every other
/// action, JSON or binary, gets `server not connected`.
pub const ACTIONS_BEFORE_CONN: [&str; 3] = ["version", "conn", "check_server_status"];

/// True when `action` needs a successful `conn` first (01 §2.3, §7).
pub fn needs_connection(action: &str) -> bool {
    !ACTIONS_BEFORE_CONN.contains(&action)
}

/// One JSON action of the `/ws` protocol: its args struct names the action and the reply
/// body it is answered with (01 §2.3–§2.4, 02 §1.2.2, §1.3.1, §2.1).
pub trait Action: Serialize + DeserializeOwned {
    /// The `action` string, e.g. `"query"`.
    const NAME: &'static str;
    /// The words the server uses in `unmarshal <words> request error`, e.g. `"stmt init"`.
    const UNMARSHAL_NAME: &'static str;
    /// The fields the server adds after the five common keys on success.
    type Reply: Serialize + DeserializeOwned;
    /// The request id these args carry.
    fn req_id(&self) -> u64;
    /// True when the request is sent without an `args` object (`{"action":"version"}`).
    fn omit_args(&self) -> bool {
        false
    }
}

#[derive(Serialize)]
struct RequestOut<'a, A> {
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<&'a A>,
}

/// Client: the text frame `{"action":"<A::NAME>","args":{..}}` for `args` (01 §2.2).
pub fn encode_request<A: Action>(args: &A) -> Result<String> {
    let out = RequestOut {
        action: A::NAME,
        args: (!args.omit_args()).then_some(args),
    };
    serde_json::to_string(&out).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot encode {} request", A::NAME),
        )
        .with_source(e)
    })
}

/// The five keys every `/ws` JSON reply starts with, in wire order (01 §2.2).
///
/// Serialized alone it is the complete error reply, which carries only these keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyHeader {
    /// 0 on success, else the masked error code. Read as `i64` so that a server sending
    /// an unmasked (negative) engine code still yields its error rather than a parse
    /// failure.
    pub code: i64,
    /// `""` on success, else the error text.
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    /// The action name (binary requests map to fixed names, 01 §2.5).
    #[serde(default, deserialize_with = "null_default")]
    pub action: String,
    /// The request's `req_id`, echoed (0 included).
    #[serde(default, deserialize_with = "null_default")]
    pub req_id: u64,
    /// Server-side handling time in nanoseconds.
    #[serde(default, deserialize_with = "null_default")]
    pub timing: i64,
}

impl ReplyHeader {
    /// A success header.
    pub fn ok(action: impl Into<String>, req_id: u64, timing: i64) -> Self {
        ReplyHeader {
            code: 0,
            message: String::new(),
            action: action.into(),
            req_id,
            timing,
        }
    }

    /// An error header with a masked `code`.
    pub fn error(
        action: impl Into<String>,
        req_id: u64,
        timing: i64,
        code: u16,
        message: impl Into<String>,
    ) -> Self {
        ReplyHeader {
            code: i64::from(code),
            message: message.into(),
            action: action.into(),
            req_id,
            timing,
        }
    }

    /// Client: reads only the common keys of a reply (to route it by `action`/`req_id`
    /// before choosing a body type). Unknown keys are ignored.
    pub fn peek(text: &str) -> Result<ReplyHeader> {
        serde_json::from_str(text).map_err(|e| {
            Error::result("malformed WebSocket reply: no valid envelope").with_source(e)
        })
    }

    /// The error this header reports, or `None` when `code` is 0. A message that is empty or
    /// the placeholder `"success"` is replaced by the code's standard text (01 §5).
    pub fn to_error(&self) -> Option<Error> {
        if self.code == 0 {
            return None;
        }
        let code = Code::from_raw(self.code);
        let message = if self.message.is_empty() || self.message == "success" {
            code.default_message()
                .filter(|m| !m.is_empty())
                .map_or_else(|| self.message.clone(), str::to_owned)
        } else {
            self.message.clone()
        };
        Some(Error::from_server(
            i64::from(code.value()),
            message,
            ErrorKind::Database,
        ))
    }

    /// Server: the compact error reply text (only the five common keys).
    pub fn to_json(&self) -> String {
        // Five plain fields serialize infallibly; keep the fallback total anyway.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A complete reply: the common header then the action's fields, flattened in order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reply<T> {
    /// The five common keys.
    #[serde(flatten)]
    pub header: ReplyHeader,
    /// The action-specific keys.
    #[serde(flatten)]
    pub body: T,
}

/// Server: the compact JSON text of `header` followed by `body`'s fields.
///
/// `body` must serialize as a struct (or map) with string keys; for an error that must
/// carry only the five keys, serialize [`ReplyHeader`] alone ([`ReplyHeader::to_json`]).
pub fn encode_reply<T: Serialize>(header: &ReplyHeader, body: &T) -> Result<String> {
    #[derive(Serialize)]
    struct Out<'a, T> {
        #[serde(flatten)]
        header: &'a ReplyHeader,
        #[serde(flatten)]
        body: &'a T,
    }
    serde_json::to_string(&Out { header, body }).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot encode {} reply", header.action),
        )
        .with_source(e)
    })
}

/// Client: parses a reply. `code != 0` gives `Err` with the code and message (kind from
/// the code table, else [`Database`](ErrorKind::Database), which callers put in their
/// context with [`Error::in_context`]);
/// otherwise the body is read tolerating missing optional keys and unknown keys.
pub fn decode_reply<T: DeserializeOwned>(text: &str) -> Result<Reply<T>> {
    let header = ReplyHeader::peek(text)?;
    let body = decode_body(&header, text)?;
    Ok(Reply { header, body })
}

/// Client: the body of a reply whose `header` was already read from `text` (by
/// [`ReplyHeader::peek`], to route it by `req_id`): the header's error when `code` is not 0,
/// else the action's fields. A reply is thus read once for its envelope and once for its
/// body, never more.
///
/// ```
/// use taosync_proto::ws::{QueryReply, ReplyHeader, decode_body};
/// let text = r#"{"code":0,"message":"","action":"query","req_id":7,"timing":1,"id":3,"is_update":true,"affected_rows":2}"#;
/// let header = ReplyHeader::peek(text).unwrap();
/// assert_eq!(header.req_id, 7);
/// let body: QueryReply = decode_body(&header, text).unwrap();
/// assert_eq!(body.affected_rows, 2);
/// ```
pub fn decode_body<T: DeserializeOwned>(header: &ReplyHeader, text: &str) -> Result<T> {
    if let Some(err) = header.to_error() {
        return Err(err);
    }
    serde_json::from_str(text)
        .map_err(|e| Error::result(format!("malformed `{}` reply", header.action)).with_source(e))
}

/// A request the server could not dispatch: the generic JSON error of 01 §2.2, with
/// what is known of the action and `req_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
    /// The `action` to report (`""` when the frame had none).
    pub action: String,
    /// The `req_id` to echo (salvaged from the raw args, else 0).
    pub req_id: u64,
    /// The masked code, 0xffff for envelope errors.
    pub code: u16,
    /// The message, e.g. `unmarshal request error`.
    pub message: String,
}

impl RequestError {
    /// An error with code 0xffff.
    pub fn generic(action: impl Into<String>, req_id: u64, message: impl Into<String>) -> Self {
        RequestError {
            action: action.into(),
            req_id,
            code: GENERIC_CODE,
            message: message.into(),
        }
    }

    /// `server not connected` for an action that needs `conn` first (01 §2.2).
    pub fn not_connected(request: &IncomingRequest) -> Self {
        RequestError::generic(&request.action, request.req_id, "server not connected")
    }

    /// `unknown action <name>` (01 §2.2).
    pub fn unknown_action(request: &IncomingRequest) -> Self {
        let message = format!("unknown action {}", request.action);
        RequestError::generic(&request.action, request.req_id, message)
    }

    /// The reply header to send for this error, with `timing` in ns.
    pub fn reply(&self, timing: i64) -> ReplyHeader {
        ReplyHeader::error(
            self.action.clone(),
            self.req_id,
            timing,
            self.code,
            self.message.clone(),
        )
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, req_id {})",
            self.message, self.action, self.req_id
        )
    }
}

impl std::error::Error for RequestError {}

/// Server: one parsed text frame (01 §2.2).
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingRequest {
    /// The `action` string (never empty).
    pub action: String,
    /// The `req_id` salvaged from the raw args the way taosAdapter does (0 if absent).
    pub req_id: u64,
    /// The raw `args`: `None` when the key is absent, `Some(Null)` for `null`.
    pub args: Option<serde_json::Value>,
}

impl IncomingRequest {
    /// Deserializes the args of action `A`. Missing keys and `null` values take their zero
    /// value and unknown keys are ignored, as Go's `encoding/json` does; absent args are an
    /// error except for `version`. On failure the error is
    /// `unmarshal <A::UNMARSHAL_NAME> request error` with the salvaged `req_id`.
    pub fn args<A: Action>(&self) -> std::result::Result<A, RequestError> {
        let fail = || {
            RequestError::generic(
                A::NAME,
                self.req_id,
                format!("unmarshal {} request error", A::UNMARSHAL_NAME),
            )
        };
        match &self.args {
            None if A::NAME == "version" => {
                serde_json::from_value(serde_json::Value::Object(Default::default()))
                    .map_err(|_| fail())
            }
            None => Err(fail()),
            Some(serde_json::Value::Null) => {
                serde_json::from_value(serde_json::Value::Object(Default::default()))
                    .map_err(|_| fail())
            }
            // Go decodes only objects into structs; serde would also take arrays.
            Some(v @ serde_json::Value::Object(_)) => A::deserialize(v).map_err(|_| fail()),
            Some(_) => Err(fail()),
        }
    }
}

/// Server: splits a text frame into action, `req_id` and args, or the generic error that
/// taosAdapter sends back (`unmarshal request error` / `request no action`, 01 §2.2).
pub fn parse_request(text: &str) -> std::result::Result<IncomingRequest, RequestError> {
    let unmarshal = || RequestError::generic("", 0, "unmarshal request error");
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| unmarshal())?;
    let mut map = match value {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => Default::default(),
        _ => return Err(unmarshal()),
    };
    let action = match map.remove("action") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(unmarshal()),
    };
    let args = map.remove("args");
    let req_id = args.as_ref().map_or(0, salvage_req_id);
    if action.is_empty() {
        return Err(RequestError::generic("", req_id, "request no action"));
    }
    Ok(IncomingRequest {
        action,
        req_id,
        args,
    })
}

/// The `req_id` of raw args, read leniently: a number (truncated toward zero), or a
/// decimal string; anything else is 0.
fn salvage_req_id(args: &serde_json::Value) -> u64 {
    match args.get("req_id") {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .unwrap_or(0),
        Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Deserializes `null` as the type's default, like Go leaves a field at its zero value.
pub(crate) fn null_default<'de, D, T>(de: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}
