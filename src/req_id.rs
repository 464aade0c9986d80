//! Request ids: every request carries a `req_id` that taosAdapter logs with it, so a
//! client can trace one call through the server's logs.
//!
//! By default each connection and consumer numbers its requests itself. To choose the id
//! of a call, run it inside [`with_req_id`]: the first request that the calling thread
//! sends inside the closure carries that id (later ones, such as the fetches of a query,
//! are numbered as usual). This one function serves every call of the crate — queries,
//! statements, schemaless writes and TMQ — instead of a `*_with_req_id` twin of each.

use std::cell::Cell;

thread_local! {
    static NEXT: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Runs `f`; the first request this thread sends inside it carries `req_id`.
///
/// Scopes nest: an inner scope's id applies inside it, and an id no request used does not
/// leak out of its scope.
///
/// ```
/// # let server = taosync_server::Server::start(Default::default())?;
/// # let dsn = server.dsn_ws();
/// let conn = taosync::connect(dsn.as_str())?;
/// let rows = taosync::with_req_id(0x5eed, || conn.execute("create database if not exists traced", ()))?;
/// assert_eq!(rows, 0);
/// # Ok::<(), taosync::Error>(())
/// ```
pub fn with_req_id<R>(req_id: u64, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<u64>);
    impl Drop for Restore {
        fn drop(&mut self) {
            NEXT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(NEXT.with(|c| c.replace(Some(req_id))));
    f()
}

/// The id for the next request: the one [`with_req_id`] set, else `counter()`.
pub(crate) fn next(counter: impl FnOnce() -> u64) -> u64 {
    NEXT.with(Cell::take).unwrap_or_else(counter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_request_in_a_scope_takes_its_id() {
        let mut n = 0;
        let mut counter = || {
            n += 1;
            n
        };
        assert_eq!(next(&mut counter), 1);
        with_req_id(42, || {
            assert_eq!(next(&mut counter), 42);
            assert_eq!(next(&mut counter), 2);
            with_req_id(7, || assert_eq!(next(&mut counter), 7));
        });
        // An unused id does not leak out of its scope.
        with_req_id(9, || ());
        assert_eq!(next(&mut counter), 3);
    }
}
