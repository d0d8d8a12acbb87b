//! KPI HTTP sources: `/kpi source` and `/kpi fetch`, and the scheduler's fetch of due sources
//! (`docs/kpis.md`, "HTTP sources"). A fetch runs outside any write transaction: the source is
//! claimed (its next due time moved on) in one, fetched, then the reading or the failure is
//! recorded in another.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::kpis::{kpi_named, record};
use super::{commit, is_lead, require_lead, Actor, Okr, OkrError, Result};
use crate::domain::kpi::{Kpi, Reading, ReadingSource};
use crate::domain::model::{KpiId, WorkspaceId};
use crate::domain::schedule::CronSchedule;
pub use crate::domain::view::KpiReadingOutcome;
use crate::source;
use crate::store::{self, kpis::NewSource};

/// A source without `cron:` is read hourly.
pub const DEFAULT_SOURCE_CRON: &str = "0 * * * *";
/// Sources fetched per scheduler round; the rest wait for the next round.
const BATCH: i64 = 32;
/// Sources fetched at once in a round.
pub const SOURCES_AT_ONCE: usize = 4;
/// Who a fetched reading is recorded as.
const AUTHOR: &str = "http source";

pub use crate::domain::view::KpiFetch as Fetched;

/// `Name: value` as typed; both halves checked as HTTP allows them.
fn header(text: &str) -> Result<(String, String)> {
    let bad = || {
        OkrError::invalid(
            "header: is written Name: value, e.g. header:\"Authorization: Bearer <token>\"",
        )
    };
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let (name, value) = (name.trim(), value.trim());
    if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
        || reqwest::header::HeaderValue::from_str(value).is_err()
        || value.is_empty()
    {
        return Err(bad());
    }
    Ok((name.to_owned(), value.to_owned()))
}

impl Okr {
    /// `/kpi source`: a lead sets where the KPI is read from (`url:none` removes it).
    #[expect(clippy::too_many_arguments, reason = "one per option of /kpi source")]
    pub async fn kpi_source(
        &self,
        actor: &Actor,
        reference: &str,
        url: &str,
        pointer: Option<&str>,
        cron: Option<&str>,
        header_text: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Kpi> {
        let removing = matches!(url.trim().to_ascii_lowercase().as_str(), "none" | "off");
        let checked = if removing {
            None
        } else {
            let url = source::check_url(url).map_err(|e| OkrError::invalid(e.to_string()))?;
            let pointer =
                source::check_pointer(pointer.unwrap_or("")).map_err(OkrError::invalid)?;
            let expr = cron
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .unwrap_or(DEFAULT_SOURCE_CRON);
            let cron =
                CronSchedule::parse(expr).map_err(|e| OkrError::invalid(format!("cron: {e}")))?;
            let headers = header_text
                .filter(|h| !h.trim().is_empty())
                .map(header)
                .transpose()?
                .into_iter()
                .collect::<Vec<_>>();
            Some((url, pointer, cron, headers))
        };
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "set KPI sources")?;
        match &checked {
            None => store::kpis::set_source(&mut tx, ws, kpi.id, None).await?,
            Some((url, pointer, cron, headers)) => {
                let next_due = cron
                    .next_after(team.tz, now)
                    .ok_or_else(|| OkrError::invalid("cron: that schedule never fires again"))?;
                let new = NewSource {
                    url: url.as_str(),
                    pointer,
                    cron: cron.expression(),
                    headers,
                    next_due,
                };
                store::kpis::set_source(&mut tx, ws, kpi.id, Some(&new)).await?;
            }
        }
        let kpi = store::kpis::by_id(&mut tx, ws, kpi.id)
            .await?
            .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("kpi vanished")))?;
        commit(tx).await?;
        self.wake();
        Ok(kpi)
    }

    /// `/kpi fetch`: the owner or a lead reads the source now.
    pub async fn kpi_fetch(
        &self,
        actor: &Actor,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<Fetched> {
        let ws = actor.workspace;
        let kpi = {
            let mut c = self.store.read().await?;
            let (kpi, team) = kpi_named(&mut c, ws, reference).await?;
            if !(is_lead(actor, &team) || kpi.owner.as_deref() == Some(actor.user.as_str())) {
                return Err(OkrError::Forbidden {
                    action: format!("fetch {}", kpi.name),
                    who: format!("its owner or {}", super::lead_names(&team)),
                });
            }
            if kpi.source.is_none() {
                return Err(OkrError::invalid(format!(
                    "{} has no source: set one with /kpi source kpi:{} url:<https URL> pointer:/data/value",
                    kpi.name, kpi.name
                )));
            }
            kpi.id
        };
        self.fetch_and_record(ws, kpi, now).await
    }

    /// Fetches every source due at `now` (the scheduler's round), of one workspace or of
    /// all: `(read, failed)`.
    pub async fn fetch_due_sources(
        &self,
        now: DateTime<Utc>,
        scope: Option<crate::domain::model::WorkspaceId>,
    ) -> Result<(usize, usize)> {
        let due = {
            let mut c = self.store.read().await?;
            store::kpis::due_sources(&mut c, now, BATCH, scope).await?
        };
        let mut claimed = Vec::with_capacity(due.len());
        for (ws, kpi, was) in due {
            // Claim: move the source on first, so that a crash mid-fetch skips one reading
            // instead of fetching it twice, and two processes never fetch the same slot.
            let mut tx = self.store.write().await?;
            let Some(k) = store::kpis::by_id(&mut tx, ws, kpi).await? else {
                continue;
            };
            let Some(team) = store::teams::by_id(&mut tx, ws, k.team_id).await? else {
                continue;
            };
            let next = k
                .source
                .as_ref()
                .and_then(|s| CronSchedule::parse(&s.cron).ok())
                .and_then(|c| c.next_after(team.tz, now))
                .unwrap_or(now + chrono::Duration::hours(1));
            let won = store::kpis::advance_source(&mut tx, kpi, was, next).await?;
            commit(tx).await?;
            if won {
                claimed.push((ws, kpi));
            }
        }
        // Several at once, so one source that hangs until its timeout holds up only its own
        // reading; a bounded few, so a round does not open a connection per KPI.
        let mut fetches = futures_util::stream::iter(claimed)
            .map(|(ws, kpi)| async move { (kpi, self.fetch_and_record(ws, kpi, now).await) })
            .buffer_unordered(SOURCES_AT_ONCE);
        let (mut read, mut failed) = (0, 0);
        while let Some((id, fetched)) = fetches.next().await {
            match fetched {
                Ok(Fetched::Read(_)) => read += 1,
                Ok(Fetched::Failed { kpi, error }) => {
                    tracing::warn!(kpi = %kpi, %error, "a KPI source failed; kept on the KPI");
                    failed += 1;
                }
                // One KPI's trouble (removed mid-fetch, a bad row) is its own: the rest go on. The
                // log gets the cause too, which an internal error's Display keeps from chat.
                Err(e) => {
                    tracing::warn!(kpi = id.0, error = ?e, "a KPI source could not be recorded");
                    failed += 1;
                }
            }
        }
        Ok((read, failed))
    }

    /// The fetch, outside any transaction, then one transaction for what it brought.
    async fn fetch_and_record(
        &self,
        ws: WorkspaceId,
        kpi: KpiId,
        now: DateTime<Utc>,
    ) -> Result<Fetched> {
        let secret = {
            let mut c = self.store.read().await?;
            store::kpis::source_secret(&mut c, ws, kpi).await?
        };
        let Some((url, pointer, headers)) = secret else {
            return Err(OkrError::invalid("that KPI has no source any more"));
        };
        let result = match source::check_url(&url) {
            Ok(u) => self.sources.fetch(&u, &pointer, &headers).await,
            Err(e) => Err(e),
        };
        let mut tx = self.store.write().await?;
        let Some(k) = store::kpis::by_id(&mut tx, ws, kpi).await? else {
            return Err(OkrError::invalid(
                "that KPI was removed while it was fetched",
            ));
        };
        let Some(team) = store::teams::by_id(&mut tx, ws, k.team_id).await? else {
            return Err(OkrError::Internal(anyhow::anyhow!(
                "team of a KPI vanished"
            )));
        };
        // JSON carries no unit: the number is taken in the KPI's own.
        let fetched = match result {
            Ok(value) => {
                let reading = Reading {
                    at: now,
                    value,
                    source: ReadingSource::Http,
                    author: AUTHOR.into(),
                };
                let outcome = record(&mut tx, ws, &team, &k, &reading, now).await?;
                store::kpis::set_source_error(&mut tx, ws, kpi, None).await?;
                Fetched::Read(Box::new(outcome))
            }
            Err(e) => {
                let error = e.to_string();
                store::kpis::set_source_error(&mut tx, ws, kpi, Some((now, &error))).await?;
                Fetched::Failed {
                    kpi: k.name.clone(),
                    error,
                }
            }
        };
        commit(tx).await?;
        match &fetched {
            Fetched::Read(_) => self.metrics.kpi_reading_recorded(),
            Fetched::Failed { .. } => self.metrics.source_failed(),
        }
        self.wake();
        Ok(fetched)
    }
}
