//! Data subscription (TMQ): the `Consumer`.
