//! Choices for a half-typed option (Discord autocomplete): the asker's own key results first,
//! best match first, at most 25 (Discord's limit), from the core so that no adapter needs SQL.

use super::{Actor, Okr, Result};
use crate::store;

/// Discord shows at most this many choices.
pub const MAX_CHOICES: usize = 25;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What the option receives (a code or a name).
    pub value: String,
    /// What the person sees, at most 100 characters.
    pub label: String,
}

/// How well `partial` matches a code and a title: lower is better, `None` is no match.
fn rank(partial: &str, code: &str, title: &str) -> Option<u32> {
    if partial.is_empty() {
        return Some(5);
    }
    let p = partial.to_lowercase();
    let code = code.to_lowercase();
    let title = title.to_lowercase();
    if code == p {
        Some(0)
    } else if code.starts_with(&p) {
        Some(1)
    } else if title.split_whitespace().any(|w| w.starts_with(&p)) {
        Some(2)
    } else if title.contains(&p) || code.contains(&p) {
        Some(3)
    } else if strsim::jaro_winkler(&p, &title) > 0.8 {
        Some(4)
    } else {
        None
    }
}

fn label(code: &str, title: &str, extra: &str) -> String {
    let mut l = format!("{code} {title}{extra}");
    if l.chars().count() > 100 {
        l = l.chars().take(99).collect::<String>() + "…";
    }
    l
}

impl Okr {
    /// Key results of open cycles matching `partial`; the asker's own first.
    pub async fn kr_choices(&self, actor: &Actor, partial: &str) -> Result<Vec<Choice>> {
        let mut c = self.store.read().await?;
        let krs = store::key_results::list_open(&mut c, actor.workspace).await?;
        let mut ranked: Vec<(bool, u32, &crate::domain::model::KeyResult)> = krs
            .iter()
            .filter_map(|k| {
                let r = rank(partial.trim(), &k.code, &k.title)?;
                Some((k.owner.as_deref() != Some(actor.user.as_str()), r, k))
            })
            .collect();
        ranked.sort_by(|a, b| (a.0, a.1, &a.2.code).cmp(&(b.0, b.1, &b.2.code)));
        Ok(ranked
            .into_iter()
            .take(MAX_CHOICES)
            .map(|(_, _, k)| Choice {
                value: k.code.clone(),
                label: label(&k.code, &k.title, ""),
            })
            .collect())
    }

    /// Objectives of open cycles matching `partial`.
    pub async fn objective_choices(&self, actor: &Actor, partial: &str) -> Result<Vec<Choice>> {
        let mut c = self.store.read().await?;
        let open: Vec<_> = store::cycles::list(&mut c, actor.workspace)
            .await?
            .into_iter()
            .filter(|cy| !cy.closed)
            .map(|cy| cy.id)
            .collect();
        let objectives = store::objectives::list(&mut c, actor.workspace, None, None).await?;
        let mut ranked: Vec<(u32, &crate::domain::model::Objective)> = objectives
            .iter()
            .filter(|o| open.contains(&o.cycle_id))
            .filter_map(|o| Some((rank(partial.trim(), &o.code, &o.title)?, o)))
            .collect();
        ranked.sort_by(|a, b| (a.0, &a.1.code).cmp(&(b.0, &b.1.code)));
        Ok(ranked
            .into_iter()
            .take(MAX_CHOICES)
            .map(|(_, o)| Choice {
                value: o.code.clone(),
                label: label(&o.code, &o.title, ""),
            })
            .collect())
    }

    pub async fn team_choices(&self, actor: &Actor, partial: &str) -> Result<Vec<Choice>> {
        let mut c = self.store.read().await?;
        let teams = store::teams::list(&mut c, actor.workspace).await?;
        let mut ranked: Vec<(u32, &crate::domain::model::Team)> = teams
            .iter()
            .filter_map(|t| Some((rank(partial.trim(), &t.prefix, &t.name)?, t)))
            .collect();
        ranked.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
        Ok(ranked
            .into_iter()
            .take(MAX_CHOICES)
            .map(|(_, t)| Choice {
                value: t.name.clone(),
                label: label(&t.prefix, &t.name, ""),
            })
            .collect())
    }

    /// KPIs by name; with the team when two teams share a name, as `/kpi` takes it.
    pub async fn kpi_choices(&self, actor: &Actor, partial: &str) -> Result<Vec<Choice>> {
        let mut c = self.store.read().await?;
        let teams = store::teams::list(&mut c, actor.workspace).await?;
        let kpis = store::kpis::list(&mut c, actor.workspace, None).await?;
        let p = partial.trim().to_lowercase();
        let shared = |name: &str| {
            kpis.iter()
                .filter(|k| crate::domain::model::same_name(&k.name, name))
                .count()
                > 1
        };
        Ok(kpis
            .iter()
            .filter(|k| k.name.to_lowercase().contains(&p))
            .take(MAX_CHOICES)
            .filter_map(|k| {
                let team = teams.iter().find(|t| t.id == k.team_id)?;
                let value = if shared(&k.name) {
                    format!("{}/{}", team.name, k.name)
                } else {
                    k.name.clone()
                };
                Some(Choice {
                    label: label(&k.name, &team.name, ""),
                    value,
                })
            })
            .collect())
    }

    pub async fn cycle_choices(&self, actor: &Actor, partial: &str) -> Result<Vec<Choice>> {
        let mut c = self.store.read().await?;
        let mut cycles = store::cycles::list(&mut c, actor.workspace).await?;
        cycles.reverse();
        let p = partial.trim().to_lowercase();
        Ok(cycles
            .into_iter()
            .filter(|cy| cy.name.to_lowercase().contains(&p))
            .take(MAX_CHOICES)
            .map(|cy| Choice {
                label: format!(
                    "{} ({} – {}){}",
                    cy.name,
                    cy.start,
                    cy.end,
                    if cy.closed { " · closed" } else { "" }
                ),
                value: cy.name,
            })
            .collect())
    }
}
