//! Who holds a role among the processes sharing a database (`docs/operations.md`, "Several
//! processes"): the process holding [`Role::Scheduler`] decides, every process delivers; the one
//! holding [`Role::Gateway`] connects Discord's gateway. A [`Leadership`] takes its role when it
//! is free and keeps it while its lock's session answers; a standby tries again every `poll`.
//! The leader confirms its lock before each batch it decides and steps down on any error, so a
//! leader cut off from the database stops deciding at its next batch, and the server frees the
//! lock for a standby when the session is seen dead. A process that lost its session then
//! yields for three polls, so that the role goes to a standby rather than back to it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Mutex};

use crate::metrics::Metrics;
use crate::store::leader::{Candidate, Lease, Role};
use crate::store::Store;

/// How long a lock's session may take to answer before its holder steps down.
pub const CONFIRM_WITHIN: Duration = Duration::from_secs(5);

/// How often a standby tries to take a free role, and a leader checks its lock, by default.
pub const POLL: Duration = Duration::from_secs(2);

/// One role, held or waited for. Cheap to share: clone the `Arc`.
#[derive(Debug)]
pub struct Leadership {
    role: Role,
    lease: Mutex<Option<Lease>>,
    /// A standby's session, asked on at every poll.
    candidate: Mutex<Candidate>,
    poll: Duration,
    /// Set when this process lost its lock's session: until then it does not try for the role,
    /// so that a standby, whose own session is healthy, takes it rather than the process whose
    /// session just died.
    yield_until: std::sync::Mutex<Option<tokio::time::Instant>>,
    leading: watch::Sender<bool>,
    metrics: Option<Arc<Metrics>>,
    /// The standby's tries and the leader's checks, stopped with this value.
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Leadership {
    fn drop(&mut self) {
        if let Some(t) = crate::sync::lock(&self.task).take() {
            t.abort();
        }
    }
}

impl Leadership {
    /// A role this process holds alone, with nobody to share it: tests, the console, a
    /// process that was told to decide whatever the others do.
    pub fn sole(role: Role) -> Arc<Leadership> {
        Arc::new(Leadership {
            role,
            lease: Mutex::new(Some(Lease::Shared)),
            candidate: Mutex::default(),
            poll: POLL,
            yield_until: std::sync::Mutex::new(None),
            leading: watch::Sender::new(true),
            metrics: None,
            task: std::sync::Mutex::new(None),
        })
    }

    /// Tries to take `role` at once, then keeps trying (or checking the lock it holds) every
    /// `poll` in a task of its own, for as long as the returned value lives. `changed` is called
    /// on every change of hands seen there (the scheduler wakes to decide at once).
    pub async fn start(
        store: &Store,
        role: Role,
        poll: Duration,
        metrics: Arc<Metrics>,
        changed: impl Fn(bool) + Send + Sync + 'static,
    ) -> Arc<Leadership> {
        let me = Arc::new(Leadership {
            role,
            lease: Mutex::new(None),
            candidate: Mutex::default(),
            poll,
            yield_until: std::sync::Mutex::new(None),
            leading: watch::Sender::new(false),
            metrics: Some(metrics),
            task: std::sync::Mutex::new(None),
        });
        me.look(store).await;
        let weak = Arc::downgrade(&me);
        let store = store.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(poll).await;
                let Some(me) = weak.upgrade() else { return };
                let before = me.is_leader();
                me.look(&store).await;
                let after = me.is_leader();
                if after != before {
                    changed(after);
                }
            }
        });
        *crate::sync::lock(&me.task) = Some(task);
        me
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether this process held the role when last looked at.
    pub fn is_leader(&self) -> bool {
        *self.leading.borrow()
    }

    /// Whether this process holds the role now: its lock's session answers. Called before each
    /// batch a leader decides; on any error the role is given up, and a standby takes it.
    pub async fn confirm(&self) -> bool {
        let mut lease = self.lease.lock().await;
        let held = match lease.as_mut() {
            Some(l) => l.confirm(CONFIRM_WITHIN).await,
            None => false,
        };
        if !held {
            if let Some(l) = lease.take() {
                tracing::warn!(
                    role = self.role.as_str(),
                    "lost the lock's session; stepping down"
                );
                l.step_down().await;
                // Three polls: every standby tries at least twice before this process does
                // (the server frees the lock only once the dead session's backend has exited).
                *crate::sync::lock(&self.yield_until) =
                    Some(tokio::time::Instant::now() + self.poll * 3);
            }
        }
        self.set(held);
        held
    }

    /// Resolves once this process holds the role (at once if it does).
    pub async fn until_leading(&self) {
        let mut rx = self.leading.subscribe();
        let _ = rx.wait_for(|l| *l).await;
    }

    /// Resolves once this process no longer holds the role.
    pub async fn until_standby(&self) {
        let mut rx = self.leading.subscribe();
        let _ = rx.wait_for(|l| !*l).await;
    }

    /// Gives the role up now (a stopping process, so that a standby need not wait).
    pub async fn step_down(&self) {
        if let Some(l) = self.lease.lock().await.take() {
            l.step_down().await;
        }
        self.set(false);
    }

    /// Takes the role if free, or checks the lock held.
    async fn look(&self, store: &Store) {
        if self.lease.lock().await.is_some() {
            self.confirm().await;
            return;
        }
        let yielding = crate::sync::lock(&self.yield_until)
            .is_some_and(|until| tokio::time::Instant::now() < until);
        if yielding {
            self.set(false);
            return;
        }
        let mut candidate = self.candidate.lock().await;
        match store.try_lead(self.role, &mut candidate).await {
            Ok(Some(l)) => {
                *self.lease.lock().await = Some(l);
                tracing::info!(role = self.role.as_str(), "took the lead");
                self.set(true);
            }
            Ok(None) => self.set(false),
            Err(e) => {
                tracing::warn!(role = self.role.as_str(), error = %e, "could not try for the lead; trying again");
                self.set(false);
            }
        }
    }

    fn set(&self, leading: bool) {
        let was = self.leading.send_replace(leading);
        if let Some(m) = &self.metrics {
            m.set_leading(
                self.role.as_str(),
                &self.role.holds(),
                leading,
                was != leading && leading,
            );
        }
    }
}
