//! REST `/rest/sql` JSON responses (01 §1): encode and decode.
