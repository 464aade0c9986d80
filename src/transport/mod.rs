//! The socket-owning transports (REST over ureq, WebSocket over tungstenite).
