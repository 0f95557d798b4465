//! The service's clock: the system time, which tests may move forward to see what happens later
//! (a passcode's next step, a link that expires, a lock that ends) without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since 1970, as the system tells them, plus an offset that only ever grows.
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> i64 {
        super::now_unix() + self.offset.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `seconds` (for tests).
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds.max(0), Ordering::Relaxed);
    }
}
