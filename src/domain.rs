//! The pure core: no database, no platform, no wall clock. Everything here is a function of its
//! inputs, which is what lets tests run a whole quarter in milliseconds.

pub mod catalogue;
pub mod codes;
pub mod currency;
pub mod delivery;
pub mod export;
#[cfg(test)]
mod fixtures;
pub mod grammar;
pub mod hours;
pub mod kpi;
pub mod message;
pub mod model;
pub mod people;
pub(crate) mod quote;
pub mod schedule;
pub mod scoring;
pub mod shards;
pub mod snooze;
pub mod trend;
pub mod value;
pub mod view;
pub mod webhook;
