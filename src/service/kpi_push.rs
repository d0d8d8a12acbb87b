//! Readings by push: `/kpi token` and `POST /kpis/<id>/readings` (`docs/kpis.md`, "Readings by
//! push"). The token is the only credential: a wrong one and an unknown KPI get the same answer.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::kpis::{kpi_named, record};
use super::{commit, require_lead, Actor, Okr, OkrError, Result};
use crate::domain::kpi::{Kpi, Reading, ReadingSource};
use crate::domain::model::KpiId;
use crate::domain::value::{self, ValueSpec};
pub use crate::domain::view::KpiReadingOutcome;
use crate::store;

/// Who a pushed reading is recorded as.
const AUTHOR: &str = "push";

/// Why a push was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// A wrong token, none, or a KPI that does not exist: the same answer for all.
    #[error("unauthorized")]
    Unauthorized,
    /// The token was right and the reading was not.
    #[error("{0}")]
    Bad(String),
    /// The token was right and the body is no JSON reading.
    #[error(transparent)]
    Body(BodyError),
    #[error(transparent)]
    Failed(#[from] OkrError),
}

/// Why a pushed body is not a JSON document. The listener reads the body before the token is
/// judged (a write transaction must not wait on a client's upload), but says this only to a
/// caller whose token was right: anyone else learns nothing about the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// A content type other than JSON, or none.
    #[error("send the reading as JSON, with Content-Type: application/json")]
    NotJson,
    /// Not well-formed JSON; the parser's reason.
    #[error("the body is not valid JSON: {0}")]
    Malformed(String),
    /// Longer than the listener takes (the limit in bytes).
    #[error("the body is too large: at most {0} bytes")]
    TooLarge(usize),
    /// The body did not finish arriving within the listener's body timeout.
    #[error("the body did not arrive within {} ms", .0.as_millis())]
    TimedOut(std::time::Duration),
    /// The connection failed while the body was read.
    #[error("the body could not be read: {0}")]
    Unreadable(String),
}

fn sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 32 random bytes, hex: what `/kpi token` shows once.
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| OkrError::Internal(anyhow::anyhow!("no randomness for a token: {e}")))?;
    Ok(format!("okr_{}", hex::encode(bytes)))
}

/// The path a KPI's readings are pushed to.
pub fn push_path(kpi: KpiId) -> String {
    format!("/kpis/{}/readings", kpi.0)
}

impl Okr {
    /// `/kpi token`: a lead creates or rotates the KPI's push token; it is returned (and shown)
    /// this once, with the path to push to.
    pub async fn kpi_token(&self, actor: &Actor, reference: &str) -> Result<(Kpi, String)> {
        let ws = actor.workspace;
        let mut tx = self.store.write().await?;
        let (kpi, team) = kpi_named(&mut tx, ws, reference).await?;
        require_lead(actor, &team, "create KPI push tokens")?;
        let token = new_token()?;
        store::kpis::set_push_token(&mut tx, ws, kpi.id, &sha256(&token)).await?;
        commit(tx).await?;
        Ok((kpi, token))
    }

    /// A pushed reading: `body` is the request's JSON (`{"value": 6.4}`, the value a JSON number
    /// or a value as typed, `"6.4%"`), or why it is none. The token is judged first, in the one
    /// write transaction of the push, so a caller without it gets `Unauthorized` whatever the
    /// body; nothing is written unless the reading is.
    pub async fn push_reading(
        &self,
        kpi: KpiId,
        token: Option<&str>,
        body: std::result::Result<serde_json::Value, BodyError>,
        now: DateTime<Utc>,
    ) -> std::result::Result<KpiReadingOutcome, PushError> {
        let token = token.ok_or(PushError::Unauthorized)?;
        let mut tx = self.store.write().await.map_err(OkrError::from)?;
        let (ws, hash) = store::kpis::for_push(&mut tx, kpi)
            .await
            .map_err(OkrError::from)?
            .ok_or(PushError::Unauthorized)?;
        if sha256(token) != hash {
            return Err(PushError::Unauthorized);
        }
        let body = body.map_err(PushError::Body)?;
        let value = body.get("value").unwrap_or(&serde_json::Value::Null);
        let k = store::kpis::by_id(&mut tx, ws, kpi)
            .await
            .map_err(OkrError::from)?
            .ok_or(PushError::Unauthorized)?;
        let team = store::teams::by_id(&mut tx, ws, k.team_id)
            .await
            .map_err(OkrError::from)?
            .ok_or(PushError::Unauthorized)?;
        let v = match value {
            serde_json::Value::Number(n) => n
                .as_f64()
                .filter(|v| v.is_finite() && v.abs() <= value::MAX_ABS_VALUE)
                .ok_or_else(|| {
                    PushError::Bad("value is not a finite number within limits".into())
                })?,
            serde_json::Value::String(s) => {
                let p = value::parse_amount(s).map_err(|e| PushError::Bad(e.to_string()))?;
                value::check_unit(&format!("the KPI {}", k.name), &k.unit, &p)
                    .map_err(|e| PushError::Bad(e.to_string()))?;
                match p.spec {
                    ValueSpec::Absolute(x) | ValueSpec::Change(x) => x,
                    ValueSpec::Done(_) => {
                        return Err(PushError::Bad("value must be a number".into()))
                    }
                }
            }
            _ => {
                return Err(PushError::Bad(
                    "the body is {\"value\": <number>}, e.g. {\"value\": 6.4}".into(),
                ))
            }
        };
        let reading = Reading {
            at: now,
            value: v,
            source: ReadingSource::Push,
            author: AUTHOR.into(),
        };
        let outcome = record(&mut tx, ws, &team, &k, &reading, now).await?;
        commit(tx).await?;
        self.metrics.kpi_reading_recorded();
        self.wake();
        Ok(outcome)
    }
}
