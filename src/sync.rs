//! Locks that outlive a panic.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m` even when a thread panicked while holding it. Each std mutex here guards a cache,
/// a pacer or a record of what was sent, changed by one call at a time, so what a panicking
/// holder left is still usable; refusing it would take every later caller down with the one
/// that panicked (and a lock taken in a `Drop` would turn an unwinding panic into an abort).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutex_a_panicking_thread_held_still_serves_the_next_caller() {
        let m = std::sync::Arc::new(Mutex::new(vec![1]));
        let held = m.clone();
        let panicked = std::thread::spawn(move || {
            held.lock().expect("first holder").push(2);
            let _guard = held.lock().expect("not yet poisoned");
            panic!("a holder panics");
        })
        .join();
        assert!(panicked.is_err() && m.is_poisoned());
        assert_eq!(*lock(&m), vec![1, 2]);
    }
}
