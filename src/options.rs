//! Connection options and DSN parsing.
