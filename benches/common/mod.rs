//! What every benchmark binary shares: the runtime the services run on, and how an interleaved
//! run is summed up.

use std::time::Duration;

use tokio::runtime::Runtime;

/// Two workers, as on the machines the figures are measured on.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}
