//! Parameter binding: prepared statements over stmt2 and stmt v1.
