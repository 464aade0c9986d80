//! Client-side rendering of `?` parameters into SQL literals.
