//! stmt v1 and stmt2 bind payloads (02 §1).
