//! 4. Autocomplete.

use super::*;

// ---------------------------------------------------------------------------------------------
// 4. Autocomplete
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn autocomplete_offers_at_most_25_key_results_the_callers_own_first() {
    let bot = Bot::start().await;
    let admin = bot.admin().await;
    let okr = &bot.okr;
    let now = start();
    bot.team_by_core().await;
    // 30 key results of someone else, then one of the caller's, whose code sorts last.
    let mut codes = Vec::new();
    for o in 0..7 {
        let objective = okr
            .objective_add(
                &admin,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: format!("Objective {o}"),
                    ..Default::default()
                },
                now,
            )
            .await
            .expect("objective");
        let (count, owner) = if o < 6 { (5, OTHER) } else { (1, OWNER) };
        for k in 0..count {
            let kr = okr
                .kr_add(
                    &admin,
                    KrInput {
                        objective: objective.code.clone(),
                        title: format!("Signups {o}.{k}"),
                        kind: Some("metric".into()),
                        start: Some("0".into()),
                        target: Some("100".into()),
                        unit: Some("count".into()),
                        owner: Some(mention(owner)),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .expect("key result");
            codes.push((kr.code, owner));
        }
    }
    let own = codes
        .iter()
        .find(|(_, o)| *o == OWNER)
        .map(|(c, _)| c.clone())
        .expect("the caller's key result");

    let mut ask =
        fixtures::autocomplete("okr", sub("update", vec![focused("kr", "")]), OWNER, MEMBER);
    resolve(&mut ask);
    let token = token_of(&ask);
    let sent = Instant::now();
    bot.fake.send_interaction(ask).await;
    let callback = bot.fake.wait_for(|r| is_callback(r, &token), WAIT).await;
    let latency = callback.received_at.saturating_duration_since(sent);
    assert!(latency < DEADLINE, "autocomplete answered in {latency:?}");
    let b = body(&callback);
    assert_eq!(b["type"], 8, "an autocomplete result: {b:#}");
    let choices = b["data"]["choices"].as_array().expect("choices");
    assert!(
        !choices.is_empty() && choices.len() <= 25,
        "{} choices",
        choices.len()
    );
    assert_eq!(
        choices[0]["value"], own,
        "the caller's own first: {choices:#?}"
    );
    assert!(choices[0]["name"]
        .as_str()
        .is_some_and(|n| n.starts_with(&own)));

    // Typing narrows it: "Signups 2." matches that objective's five.
    let mut narrow = fixtures::autocomplete(
        "okr",
        sub("update", vec![focused("kr", "GRO-3")]),
        OTHER,
        MEMBER,
    );
    resolve(&mut narrow);
    let token = token_of(&narrow);
    bot.fake.send_interaction(narrow).await;
    let callback = bot.fake.wait_for(|r| is_callback(r, &token), WAIT).await;
    let values: Vec<&str> = body(&callback)["data"]["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|c| c["value"].as_str().expect("a value"))
        .collect();
    assert!(!values.is_empty());
    assert!(values.iter().all(|v| v.starts_with("GRO-3.")), "{values:?}");
    assert_no_violations(&bot.fake);
}
