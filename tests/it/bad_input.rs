//! `docs/permissions.md`, "Bad input is refused and writes nothing": bad input gets a clear answer and writes nothing. Every case checks the
//! two halves of that promise: the message names what is wrong and how to fix it, and a dump of
//! every row of every table is identical before and after.

use crate::common::{assert_mentions, date, now, refused_text, spawn_app, TestApp};
use okrbot::domain::grammar::UpdateFields;
use okrbot::domain::model::CheckInSource;
use okrbot::service::data;
use okrbot::service::objectives::{KrEdit, KrInput};
use okrbot::service::setup::SetupInput;

fn fields<'a>(kr: &'a str, value: &'a str) -> UpdateFields<'a> {
    UpdateFields {
        kr,
        value,
        confidence: None,
        note: None,
    }
}

async fn growth() -> TestApp {
    let app = spawn_app().await;
    app.growth().await;
    // One accepted check-in first, so "writes nothing" is checked against a database that has
    // check-ins and a moved current value, not an empty table.
    app.update("GRO-1.1 12 c7 first week")
        .await
        .expect("a good update");
    app
}

mod bulk_import_console;
mod definitions;
mod import_fields;
mod values;
