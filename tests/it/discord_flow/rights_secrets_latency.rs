//! 7. Rights; 8. Secrets; 9. Latency.

use super::*;

// ---------------------------------------------------------------------------------------------
// 7. Rights
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn setup_by_a_member_without_manage_server_is_refused_privately_and_writes_nothing() {
    let bot = Bot::start().await;
    let reply = bot
        .setup(
            OTHER,
            MEMBER,
            vec![text("team", "Growth"), text("timezone", "Europe/Berlin")],
        )
        .await;
    let b = reply.body();
    assert_eq!(b["type"], 4, "{b:#}");
    assert_eq!(b["data"]["flags"], 64, "only the asker sees it: {b:#}");
    let said = words(&b["data"]);
    assert!(said.contains('❌'), "{said}");
    assert!(said.contains("admin"), "says who may: {said}");
    let admin = bot.admin().await;
    assert!(bot.okr.teams(&admin).await.expect("teams").is_empty());
    assert!(bot.ledger().await.is_empty());

    // The same command with Manage Server goes through.
    let ok = bot
        .setup(
            ADMIN,
            MANAGE_SERVER,
            vec![text("team", "Growth"), text("timezone", "Europe/Berlin")],
        )
        .await;
    assert_eq!(ok.body()["type"], 4);
    assert!(ok.body()["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0);
    assert_eq!(bot.okr.teams(&admin).await.expect("teams").len(), 1);
    assert_no_violations(&bot.fake);
}

#[tokio::test]
async fn a_hint_to_run_setup_names_the_discord_command_and_help_lists_it() {
    let bot = Bot::start().await;
    let reply = bot
        .slash(
            ADMIN,
            MANAGE_SERVER,
            grouped(
                "objective",
                "add",
                vec![text("team", "Growth"), text("title", "Grow")],
            ),
        )
        .await;
    let said = words(&reply.body()["data"]);
    assert!(said.contains("no team is set up yet"), "{said}");
    assert!(said.contains("/okr-setup team:"), "{said}");
    assert!(!said.contains("/okr setup"), "{said}");
    let help = words(
        &bot.ok(ADMIN, MANAGE_SERVER, sub("help", vec![]))
            .await
            .body()["data"],
    );
    assert!(help.contains("/okr-setup team:Growth"), "{help}");
    assert!(!help.contains("/okr setup"), "{help}");
}

// ---------------------------------------------------------------------------------------------
// 8. Secrets
// ---------------------------------------------------------------------------------------------

/// A `MakeWriter` for tracing: everything into one shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    /// Set on the thread of a test that captures logs.
    static CAPTURING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Everything logged at TRACE by okrbot, serenity and poise on this thread from now on. The
/// current-thread runtime of `#[tokio::test]` runs the bot, the fake and the scheduler on this
/// thread. The subscriber is the process's global one, filtered to the capturing thread: a
/// thread-scoped one raced with the other tests' threads over each callsite's cached interest,
/// and whole runs of events went missing when other tests ran beside it.
fn capture_this_thread() -> Captured {
    use tracing_subscriber::filter::FilterExt;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::Layer;
    static CAPTURE: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    let captured = CAPTURE
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let filter =
                tracing_subscriber::EnvFilter::new("okrbot=trace,serenity=trace,poise=trace").and(
                    // Asked per event (a dynamic filter's interest is "sometimes"), never cached
                    // per callsite: a callsite first hit on another test's thread, which is not
                    // capturing, would otherwise stay "never" and this test would miss its lines.
                    tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                        CAPTURING.with(std::cell::Cell::get)
                    }),
                );
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .with_filter(filter);
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
                .expect("no other global subscriber in the tests");
            captured
        })
        .clone();
    // A callsite first hit on another test's thread while the global subscriber was being
    // installed can keep the "never" interest of the moment before: ask every callsite again
    // now that the subscriber stands (seen once in a dozen loaded runs: no serenity line).
    tracing::callsite::rebuild_interest_cache();
    CAPTURING.with(|c| c.set(true));
    captured
}

#[tokio::test]
async fn the_token_never_appears_in_the_logs() {
    let captured = capture_this_thread();
    let bot = Bot::start().await;
    bot.growth().await;
    // A refusal and a failing command log too.
    bot.setup(OTHER, MEMBER, vec![text("team", "Sales")]).await;
    bot.slash(
        OWNER,
        MEMBER,
        sub("update", vec![text("kr", "NOPE-9"), text("value", "1")]),
    )
    .await;
    // Discord refuses a reply: the error names the request, whose URL holds the interaction's
    // token (it can post as the bot for 15 minutes).
    bot.fake.fail_next(
        RouteMatch::new("POST", CALLBACK),
        Failure::Refused {
            status: 400,
            code: 50035,
            message: "Invalid Form Body",
        },
    );
    let refused = okr_command(sub("status", vec![]), OWNER, MEMBER);
    let interaction_token = token_of(&refused);
    bot.fake.send_interaction(refused).await;
    // The refused callback, then the error the asker is told.
    bot.nth(2, |r| is_callback(r, &interaction_token)).await;
    // The scheduler's deliveries: the digest in the channel.
    bot.set_clock(digest_slot());
    bot.fake
        .wait_for(
            |r| posted_in(r, FakeDiscord::CHANNEL_ID) && !r.files.is_empty(),
            WAIT,
        )
        .await;

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    eprintln!("captured {} bytes of TRACE logs", logs.len());
    assert!(logs.len() > 1000, "the capture works: {logs}");
    assert!(
        logs.contains("serenity") || logs.contains("poise"),
        "serenity's own logs are captured"
    );
    assert!(!logs.contains(TOKEN), "the token is in the logs");
    assert!(
        logs.contains("Discord refused a reply"),
        "the refusal is logged"
    );
    assert!(
        !logs.contains(&interaction_token),
        "an interaction token is in the logs"
    );
    assert!(
        !logs.contains("SECRET123"),
        "part of the token is in the logs"
    );
    assert_no_violations(&bot.fake);
}

// ---------------------------------------------------------------------------------------------
// 9. Latency
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn slash_commands_are_answered_well_within_discords_3_second_deadline() {
    let bot = Bot::start().await;
    bot.growth().await;
    bot.ok(
        OWNER,
        MEMBER,
        sub("update", vec![text("kr", "GRO-1.1"), text("value", "7")]),
    )
    .await;
    bot.ok(OWNER, MEMBER, sub("status", vec![])).await;
    bot.ok(OWNER, MEMBER, sub("history", vec![text("kr", "GRO-1.1")]))
        .await;
    bot.ok(
        LEAD,
        MEMBER,
        grouped("schedule", "show", vec![text("team", "Growth")]),
    )
    .await;
    bot.ok(
        LEAD,
        MEMBER,
        grouped("objective", "list", vec![text("team", "Growth")]),
    )
    .await;
    bot.ok(OWNER, MEMBER, sub("nochange", vec![text("kr", "GRO-1.1")]))
        .await;
    bot.ok(OWNER, MEMBER, sub("help", vec![])).await;

    let latencies = bot.latencies.lock().unwrap().clone();
    let slowest = latencies.iter().max().copied().unwrap_or_default();
    let median = median(latencies.clone());
    eprintln!(
        "slash command latency over {} commands: median {median:?}, slowest {slowest:?}",
        latencies.len()
    );
    assert!(median < DEADLINE, "median {median:?}");
    assert!(slowest < DEADLINE, "slowest {slowest:?}: {latencies:?}");
    assert_no_violations(&bot.fake);
}

/// `/okr digest scope:workspace` is answered privately; a rollup too long for one message
/// continues in follow-ups, and every one of them stays private.
#[tokio::test]
async fn every_part_of_a_private_answer_is_private() {
    let bot = Bot::start().await;
    bot.growth().await;
    let admin = bot.admin().await;
    for n in 0..40 {
        bot.okr
            .objective_add(
                &admin,
                ObjectiveInput {
                    team: "Growth".into(),
                    title: format!("Objective number {n} with a title long enough to take room"),
                    kind: None,
                    owner: None,
                    parent: None,
                    cycle: None,
                },
                bot.clock.now(),
            )
            .await
            .expect("an objective");
    }
    let reply = bot
        .slash(
            ADMIN,
            MANAGE_SERVER,
            sub("digest", vec![text("scope", "workspace")]),
        )
        .await;
    let b = reply.body();
    assert_eq!(b["type"], 5, "deferred: {b:#}");
    assert_eq!(b["data"]["flags"], 64, "deferred privately: {b:#}");
    let token = token_of(&reply.interaction);
    let followup = format!("/webhooks/{}/{token}", FakeDiscord::APPLICATION_ID);
    let parts = bot
        .fake
        .wait_for(|r| r.method == "POST" && r.path == followup, WAIT)
        .await;
    // Let the rest arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let followups: Vec<Recorded> = bot
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == followup)
        .collect();
    assert!(!followups.is_empty(), "{parts:?}");
    for f in &followups {
        assert_eq!(
            body(f)["flags"],
            64,
            "a public part of a private answer: {:#}",
            body(f)
        );
    }
    assert_no_violations(&bot.fake);
}

/// The follow-ups of the interaction `reply` answered, once `n` have arrived.
async fn followups(bot: &Bot, reply: &Reply, n: usize) -> Vec<Recorded> {
    let path = format!(
        "/webhooks/{}/{}",
        FakeDiscord::APPLICATION_ID,
        token_of(&reply.interaction)
    );
    bot.nth(n, |r| r.method == "POST" && r.path == path).await;
    bot.fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

/// Whether the bot deleted the interaction's "thinking…" message.
fn deleted_placeholder(bot: &Bot, reply: &Reply) -> bool {
    let path = format!(
        "/webhooks/{}/{}/messages/@original",
        FakeDiscord::APPLICATION_ID,
        token_of(&reply.interaction)
    );
    bot.fake
        .requests()
        .iter()
        .any(|r| r.method == "DELETE" && r.path == path && r.status == 204)
}

/// An answer that takes longer than the bot allows itself is deferred privately, then sent
/// with its own visibility: a private one becomes the "thinking…" message, a public one
/// replaces it with a message everyone sees, and a refusal stays private.
#[tokio::test]
async fn an_answer_not_ready_in_time_is_deferred_privately_and_keeps_its_own_visibility() {
    // No time at all: every answer is deferred (okrbot's own waits ANSWER_WITHIN).
    let bot = Bot::start_answering_within(Duration::ZERO, |_| {}).await;
    let setup = bot
        .setup(
            ADMIN,
            MANAGE_SERVER,
            vec![
                text("team", "Growth"),
                text("timezone", "Europe/Berlin"),
                channel("channel", FakeDiscord::CHANNEL_ID),
            ],
        )
        .await;
    let b = setup.body();
    assert_eq!(b["type"], 5, "deferred: {b:#}");
    assert_eq!(b["data"]["flags"], 64, "privately: {b:#}");
    let public = followups(&bot, &setup, 1).await;
    assert!(deleted_placeholder(&bot, &setup), "the placeholder is gone");
    assert_eq!(body(&public[0])["flags"].as_u64().unwrap_or(0) & 64, 0);
    assert!(words(body(&public[0])).contains("Growth"));
    let shown: Vec<Value> = bot.fake.messages_in(FakeDiscord::CHANNEL_ID);
    assert_eq!(shown.len(), 1, "one message, the answer: {shown:#?}");
    assert_eq!(shown[0]["flags"].as_u64().unwrap_or(0) & 64, 0, "public");

    // A private answer becomes the placeholder itself.
    bot.winter_by_core().await;
    let status = bot.slash(OTHER, MEMBER, sub("status", vec![])).await;
    assert_eq!(status.body()["type"], 5);
    let private = followups(&bot, &status, 1).await;
    assert_eq!(body(&private[0])["flags"], 64);
    assert!(!deleted_placeholder(&bot, &status));

    // So does a refusal.
    let refused = bot.setup(OTHER, MEMBER, vec![text("team", "Sales")]).await;
    assert_eq!(refused.body()["type"], 5, "{:#}", refused.body());
    let said = followups(&bot, &refused, 1).await;
    assert_eq!(body(&said[0])["flags"], 64);
    assert!(words(body(&said[0])).contains('❌'));
    assert!(!deleted_placeholder(&bot, &refused));
    assert_no_violations(&bot.fake);
}

/// 100 interactions at once (status, history and help from different members), with okrbot's
/// own deferral: every one is acknowledged, within Discord's deadline here (a debug build
/// beside other tests); the p99 is printed for the record.
// Both cores, as `okrbot run` has them: the bot and the fake share this runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_interactions_at_once_are_all_acknowledged_in_time() {
    let bot = Bot::start_answering_within(okrbot::discord::context::ANSWER_WITHIN, |_| {}).await;
    bot.growth_by_core(&[mention(OWNER)]).await;
    let commands: Vec<Value> = (0..100u64)
        .map(|n| {
            let options = match n % 3 {
                0 => sub("status", vec![]),
                1 => sub("history", vec![text("kr", "GRO-1.1")]),
                _ => sub("help", vec![]),
            };
            okr_command(options, OTHER + 1000 + n, MEMBER)
        })
        .collect();
    let before = bot.latencies.lock().unwrap().len();
    let replies =
        futures_util::future::join_all(commands.into_iter().map(|c| bot.send_slash(c))).await;
    assert_eq!(replies.len(), 100);
    let mut deferred = 0;
    for r in &replies {
        assert_eq!(r.callback.status, 204, "acknowledged");
        match r.body()["type"].as_u64() {
            Some(4) => {}
            Some(5) => {
                deferred += 1;
                // The answer follows.
                let answer = followups(&bot, r, 1).await;
                assert_eq!(
                    body(&answer[0])["flags"],
                    64,
                    "status, history and help are private"
                );
            }
            other => panic!("answered with type {other:?}"),
        }
    }
    eprintln!("{deferred} of 100 answers were deferred");
    let mut took: Vec<Duration> = bot.latencies.lock().unwrap()[before..].to_vec();
    took.sort();
    let p99 = took[took.len() * 99 / 100 - 1];
    let p50 = took[took.len() / 2];
    eprintln!(
        "100 interactions at once: p50 {p50:?}, p99 {p99:?}, slowest {:?}",
        took.last()
    );
    assert!(p99 < DEADLINE, "p99 {p99:?}");
    // The target (`docs/discord.md`) holds for an optimised build; a debug build only has to
    // stay inside Discord's deadline.
    if !cfg!(debug_assertions) {
        assert!(p99 < Duration::from_millis(100), "release p99 {p99:?}");
    }
    assert_no_violations(&bot.fake);
}
