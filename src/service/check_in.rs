//! Check-ins: `/okr update` in all its forms (grammar line, typed options, bulk text, buttons).
//! A check-in is validated whole before anything is written, written in one transaction, and
//! recorded once per idempotency key however often it arrives.

use chrono::{DateTime, Utc};

use super::objectives::resolve;
use super::{commit, lead_names, may_update, Actor, Okr, OkrError, Result};
use crate::domain::grammar::{self, CheckInRequest, KrRef, UpdateFields};
use crate::domain::model::{CheckInSource, WorkspaceId};
use crate::domain::scoring::{self, KrScore, ScoreContext, Status, Trend};
use crate::domain::value;
pub use crate::domain::view::CheckInOutcome;
use crate::store::{
    self, alerts::AlertKind, check_ins::NewCheckIn, key_results::KrContext, key_results::Lookup,
    Conn,
};

impl Okr {
    /// `/okr update <kr-ref> <value> [c<1-10>] [note]`, one line of the grammar.
    pub async fn check_in_text(
        &self,
        actor: &Actor,
        line: &str,
        source: CheckInSource,
        idempotency_key: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<CheckInOutcome> {
        let request = CheckInRequest::from_line(line, source, idempotency_key)?;
        self.check_in(actor, request, now).await
    }

    /// The typed form: `kr:`, `value:`, `confidence:`, `note:` as separate fields.
    pub async fn check_in_fields(
        &self,
        actor: &Actor,
        fields: &UpdateFields<'_>,
        source: CheckInSource,
        idempotency_key: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<CheckInOutcome> {
        let request = CheckInRequest::from_fields(fields, source, idempotency_key)?;
        self.check_in(actor, request, now).await
    }

    /// A check-in parsed already (`domain::grammar::CheckInRequest`), in one transaction.
    pub async fn check_in(
        &self,
        actor: &Actor,
        request: CheckInRequest,
        now: DateTime<Utc>,
    ) -> Result<CheckInOutcome> {
        let mut tx = self.store.write().await?;
        if let Some(key) = request.idempotency_key.as_deref() {
            if let Some(done) = self.replay(&mut tx, actor, key, now).await? {
                return Ok(done);
            }
        }
        let outcome = self.record(&mut tx, actor, &request, now).await?;
        commit(tx).await?;
        self.metrics.check_ins_recorded(1);
        if outcome.alert_opened {
            self.wake();
        }
        Ok(outcome)
    }

    /// One update per line, all or nothing: the first bad line is named and nothing is written.
    pub async fn check_in_bulk(
        &self,
        actor: &Actor,
        text: &str,
        source: CheckInSource,
        now: DateTime<Utc>,
    ) -> Result<Vec<CheckInOutcome>> {
        let lines = grammar::bulk_requests(text, source)?;
        self.check_in_all(actor, lines, now).await
    }

    /// Several check-ins parsed already, each with its line number: all or nothing.
    pub async fn check_in_all(
        &self,
        actor: &Actor,
        lines: Vec<(usize, CheckInRequest)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CheckInOutcome>> {
        let mut tx = self.store.write().await?;
        let mut outcomes = Vec::with_capacity(lines.len());
        for (line, request) in lines {
            let outcome =
                self.record(&mut tx, actor, &request, now)
                    .await
                    .map_err(|e| match e {
                        OkrError::Internal(_) => e,
                        other => OkrError::BulkLine {
                            line,
                            message: other.to_string(),
                        },
                    })?;
            outcomes.push(outcome);
        }
        commit(tx).await?;
        self.metrics.check_ins_recorded(outcomes.len());
        if outcomes.iter().any(|o| o.alert_opened) {
            self.wake();
        }
        Ok(outcomes)
    }

    /// A check-in with this key exists: answer as the first time did, writing nothing.
    async fn replay(
        &self,
        c: &mut Conn,
        actor: &Actor,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CheckInOutcome>> {
        let ws = actor.workspace;
        let Some(existing) = store::check_ins::by_idempotency_key(c, ws, key).await? else {
            return Ok(None);
        };
        let Some(ctx) = store::key_results::context(c, ws, Lookup::Id(existing.kr_id)).await?
        else {
            return Ok(None);
        };
        let points = store::check_ins::points(c, ws, ctx.kr.id).await?;
        let score = self.score(&ctx, &points, now);
        Ok(Some(CheckInOutcome {
            check_in: existing.id,
            before: score,
            score,
            previous_value: ctx.kr.current,
            kr: ctx.kr,
            duplicate: true,
            alert_opened: false,
            team: ctx.team,
            cycle: ctx.cycle,
        }))
    }

    async fn record(
        &self,
        c: &mut Conn,
        actor: &Actor,
        r: &CheckInRequest,
        now: DateTime<Utc>,
    ) -> Result<CheckInOutcome> {
        let ws = actor.workspace;
        let ctx = find_kr(c, ws, &r.kr).await?;
        if ctx.cycle.closed {
            return Err(OkrError::invalid(format!(
                "{} belongs to cycle {}, which is closed: its numbers are final. Check in on a key result of an open cycle",
                ctx.kr.code, ctx.cycle.name
            )));
        }
        if ctx.objective_state != crate::domain::model::ObjectiveState::Active {
            return Err(OkrError::invalid(format!(
                "{} belongs to objective {}, which is {}: its numbers are final. Check in on a key result of an active objective",
                ctx.kr.code,
                ctx.objective_code,
                ctx.objective_state.as_str()
            )));
        }
        if !may_update(actor, &ctx.team, &ctx.kr) {
            let owner = ctx
                .kr
                .owner
                .as_deref()
                .map(|o| format!("its owner ({o}) or "))
                .unwrap_or_default();
            return Err(OkrError::Forbidden {
                action: format!("check in on {}", ctx.kr.code),
                who: format!("{owner}{}", lead_names(&ctx.team)),
            });
        }
        let moved = match r.unit_may_lead_note {
            true => grammar::unit_from_note(&ctx.kr.unit, &r.value, r.confidence, r.note.as_ref())?,
            false => None,
        };
        let (parsed, confidence, note) = match &moved {
            Some((v, c, n)) => (v, *c, n.as_ref()),
            None => (&r.value, r.confidence, r.note.as_ref()),
        };
        let value = value::new_value(&ctx.kr, parsed)?;
        if !r.confirmed && scoring::implausible(&ctx.kr, value) {
            let code = &ctx.kr.code;
            let shown = ctx.kr.unit.format(value);
            // Said in the words of the surface it came from.
            let again = match r.source {
                CheckInSource::Text => format!(
                    "send it again with confirm:yes (/okr update {code} {parsed} confirm:yes), or repeat the line"
                ),
                _ => format!(
                    "send it again with /okr update kr:{code} value:{parsed} confirm:True"
                ),
            };
            return Err(OkrError::Unconfirmed(format!(
                "{shown} on {code} is more than {} times its span away from {} → {}, so it looks like a typo: nothing was recorded. If it is right, {again}",
                scoring::PLAUSIBLE_SPANS,
                ctx.kr.unit.format(ctx.kr.start),
                ctx.kr.unit.format(ctx.kr.target),
            )));
        }
        // The trend of the cycle's check-ins, not the points: a key result fed every few
        // minutes has thousands, and the forecast needs only their running sums.
        let clock = scoring::CycleClock::new(&ctx.cycle, ctx.team.tz);
        let new = NewCheckIn {
            kr: ctx.kr.id,
            author: &actor.user,
            value,
            confidence,
            note: note.map(|n| n.as_str()),
            source: r.source,
            idempotency_key: r.idempotency_key.as_deref(),
        };
        let Some(recorded) = store::check_ins::insert(c, ws, &new, now, &clock).await? else {
            // Another writer recorded this key between our look-up and insert; the transaction
            // is IMMEDIATE so that cannot happen, but answering as a replay is the right thing.
            let key = r.idempotency_key.as_deref().unwrap_or_default();
            return self.replay(c, actor, key, now).await?.ok_or_else(|| {
                OkrError::Internal(anyhow::anyhow!("idempotent insert lost its row"))
            });
        };
        // The insert moved the key result (current, confidence, last check-in) and its trend;
        // a check-in stamped before the latest one left the key result where it was.
        let before = self.score_with(&ctx, &recorded.before, now);
        let (appended, trend) = (recorded.appended, recorded.trend);

        let previous_value = ctx.kr.current;
        let was_out_of_red = scoring::out_of_red(&ctx.kr, &before, &self.rules);
        let mut after = ctx;
        after.kr.current = appended.current;
        after.kr.confidence = appended.confidence;
        after.kr.last_check_in = appended.last_check_in;
        let score = self.score_with(&after, &trend, now);
        // Into red opens the alert (the scheduler announces it); out of red resolves it.
        // Told once the undo window has passed: a typo and its correction make no noise.
        let tell = super::alerts::tell_after(&after.team, now, r.source.is_typed());
        let alert_opened = if score.status == Status::Red {
            store::alerts::open(
                c,
                ws,
                after.team.id,
                AlertKind::KrAtRisk,
                after.kr.id.0,
                now,
                tell,
            )
            .await?
        } else {
            // An open alert means the key result was not clearly out of red before; only a
            // check-in that takes it clearly out resolves it (hysteresis).
            if !was_out_of_red && scoring::out_of_red(&after.kr, &score, &self.rules) {
                store::alerts::resolve(c, ws, AlertKind::KrAtRisk, after.kr.id.0, now, tell, true)
                    .await?;
            }
            false
        };
        Ok(CheckInOutcome {
            alert_opened,
            check_in: appended.id,
            kr: after.kr,
            score,
            before,
            previous_value,
            duplicate: false,
            team: after.team,
            cycle: after.cycle,
        })
    }

    pub(crate) fn score(
        &self,
        ctx: &KrContext,
        points: &[(DateTime<Utc>, f64)],
        now: DateTime<Utc>,
    ) -> KrScore {
        let sc = ScoreContext::new(&ctx.cycle, ctx.team.tz, now, self.period, &self.rules)
            .aiming(ctx.objective_kind);
        scoring::score_kr(&ctx.kr, &sc, points)
    }

    fn score_with(&self, ctx: &KrContext, trend: &Trend, now: DateTime<Utc>) -> KrScore {
        let sc = ScoreContext::new(&ctx.cycle, ctx.team.tz, now, self.period, &self.rules)
            .aiming(ctx.objective_kind);
        scoring::score_kr_with(&ctx.kr, &sc, trend)
    }

    /// Looks at a key result's alert again after its check-ins changed other than by a new one
    /// (an undo, a withdrawal): red now opens it, clearly out of red resolves it. An alert still
    /// waiting out its undo window resolves in silence, so a typo taken back makes no noise.
    pub(super) async fn reassess_alert(
        &self,
        c: &mut Conn,
        ws: WorkspaceId,
        kr: crate::domain::model::KrId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(ctx) = store::key_results::context(c, ws, Lookup::Id(kr)).await? else {
            return Ok(());
        };
        if ctx.cycle.closed {
            return Ok(());
        }
        let clock = scoring::CycleClock::new(&ctx.cycle, ctx.team.tz);
        let trend = store::check_ins::trend::for_kr(c, ws, kr, &clock).await?;
        let score = self.score_with(&ctx, &trend, now);
        let tell = super::alerts::tell_after(&ctx.team, now, false);
        if score.status == Status::Red {
            store::alerts::open(c, ws, ctx.team.id, AlertKind::KrAtRisk, kr.0, now, tell).await?;
        } else if scoring::out_of_red(&ctx.kr, &score, &self.rules) {
            store::alerts::resolve(c, ws, AlertKind::KrAtRisk, kr.0, now, tell, true).await?;
        }
        Ok(())
    }
}

/// The key result a reference names, looked up the cheapest way its form allows; codes and ids
/// from another workspace are simply not found.
async fn find_kr(c: &mut Conn, ws: WorkspaceId, r: &KrRef) -> Result<KrContext> {
    let direct = match r {
        KrRef::Id(id) => Some(Lookup::Id(crate::domain::model::KrId(*id))),
        KrRef::Code(code) => Some(Lookup::Code(code)),
        KrRef::ObjectiveCode(_) | KrRef::Title(_) => None,
    };
    if let Some(lookup) = direct {
        if let Some(ctx) = store::key_results::context(c, ws, lookup).await? {
            return Ok(ctx);
        }
    }
    // Title parts, and misses that deserve a "did you mean", go through the resolver.
    let krs = store::key_results::list(c, ws, None, None, None).await?;
    let id = resolve(r, &krs)?;
    store::key_results::context(c, ws, Lookup::Id(id))
        .await?
        .ok_or_else(|| OkrError::Internal(anyhow::anyhow!("resolved key result has no context")))
}
