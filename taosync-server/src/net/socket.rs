//! The socket loop every request/reply WebSocket endpoint shares: frames in, a
//! [`FrameHandler`] answers them, replies out (with fault injection), keep-alive pings and
//! the idle read deadline.

use std::io::Write as _;
use std::net::Shutdown;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tungstenite::protocol::{Message, WebSocket};

use super::http::{Stream, is_timeout};
use super::reply::Reply;
use super::shared::Shared;
use crate::faults::{FaultState, ReplyFate};

/// Writes `msg` as a WebSocket frame cut in half (fault injection), then closes the socket.
fn send_truncated(ws: &mut WebSocket<Stream>, msg: &Message) {
    let (opcode, payload): (u8, &[u8]) = match msg {
        Message::Text(t) => (0x1, t.as_bytes()),
        Message::Binary(b) => (0x2, b),
        _ => (0x9, &[]),
    };
    let mut frame = vec![0x80 | opcode];
    let len = payload.len();
    if len < 126 {
        frame.push(len as u8);
    } else if let Ok(l) = u16::try_from(len) {
        frame.push(126);
        frame.extend_from_slice(&l.to_be_bytes());
    } else {
        frame.push(127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&payload[..len / 2]);
    let stream = ws.get_mut();
    let _ = stream.write_all(&frame);
    let _ = stream.flush();
    let _ = stream.tcp().shutdown(Shutdown::Both);
}

/// What answers the frames of one WebSocket: the `/ws` state for `/ws`, `/rest/ws` and
/// `/rest/stmt`, the schemaless state for `/rest/schemaless`.
pub(crate) trait FrameHandler {
    /// Handles one text frame; `None` sends nothing.
    fn on_text(&mut self, text: &str) -> Option<Reply>;
    /// Handles one binary frame; `None` sends nothing.
    fn on_binary(&mut self, frame: &[u8]) -> Option<Reply>;
}

/// Sends one reply, applying faults; false when the connection must end.
fn send(ws: &mut WebSocket<Stream>, reply: Reply, faults: &mut FaultState) -> bool {
    let msg = match reply {
        Reply::Text(t) => Message::text(t),
        Reply::Binary(b) => Message::binary(b),
    };
    match faults.on_reply() {
        ReplyFate::Truncate => {
            send_truncated(ws, &msg);
            false
        }
        ReplyFate::Send => ws.send(msg).is_ok(),
    }
}

/// Serves one upgraded WebSocket with `state` answering its frames, until it closes, goes
/// idle past the read deadline, or the server stops.
pub(crate) fn serve_with(mut ws: WebSocket<Stream>, shared: &Shared, state: &mut dyn FrameHandler) {
    let tick = (shared.ping_interval / 4)
        .clamp(Duration::from_millis(10), Duration::from_millis(500))
        .min(shared.read_deadline.max(Duration::from_millis(10)));
    let _ = ws.get_ref().tcp().set_read_timeout(Some(tick));
    let _ = ws
        .get_ref()
        .tcp()
        .set_write_timeout(Some(shared.io_timeout));
    let mut faults = FaultState::new(&shared.faults);
    let mut last_activity = Instant::now();
    let mut last_ping = Instant::now();
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            let _ = ws.close(None);
            let _ = ws.flush();
            break;
        }
        let reply = match ws.read() {
            Ok(Message::Text(text)) => {
                last_activity = Instant::now();
                if faults.on_request() {
                    break;
                }
                state.on_text(text.as_str())
            }
            Ok(Message::Binary(bytes)) => {
                last_activity = Instant::now();
                if faults.on_request() {
                    break;
                }
                state.on_binary(&bytes)
            }
            Ok(Message::Pong(_)) => {
                last_activity = Instant::now();
                None
            }
            Ok(Message::Ping(_) | Message::Frame(_)) => {
                let _ = ws.flush();
                None
            }
            Ok(Message::Close(_)) => {
                // tungstenite queues the close reply; flush it and finish.
                let _ = ws.flush();
                None
            }
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => {
                let _ = ws.flush();
                None
            }
            Err(_) => break,
        };
        if let Some(reply) = reply
            && !send(&mut ws, reply, &mut faults)
        {
            break;
        }
        let now = Instant::now();
        if now.duration_since(last_activity) >= shared.read_deadline {
            log::debug!("websocket idle past the read deadline; closing");
            break;
        }
        if now.duration_since(last_ping) >= shared.ping_interval {
            last_ping = now;
            if ws.send(Message::Ping(Default::default())).is_err() {
                break;
            }
        }
    }
    let _ = ws.get_ref().tcp().shutdown(Shutdown::Both);
}
