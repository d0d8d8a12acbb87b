//! Discord's limits that `openapi.json` does not express (`docs/discord.md`, "Limits every payload keeps"). Each
//! check returns readable reasons; the caller prefixes the route. Lengths count characters, as
//! Discord does, not bytes.

use serde_json::Value;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn max(out: &mut Vec<String>, what: &str, v: &Value, limit: usize) {
    let n = chars(v);
    if n > limit {
        out.push(format!("{what} has {n} characters, more than {limit}"));
    }
}

/// A message body: channel message create/edit, webhook execute/edit, interaction response data.
pub fn message(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    max(&mut out, "content", &body["content"], 2000);
    let embeds = items(&body["embeds"]);
    if embeds.len() > 10 {
        out.push(format!("{} embeds, more than 10", embeds.len()));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        total += embed(&mut out, i, e);
    }
    if total > 6000 {
        out.push(format!(
            "embeds hold {total} characters together, more than 6000"
        ));
    }
    components(&mut out, &body["components"]);
    // okrbot names exactly whom a message pings (`docs/discord.md`): a `parse` that lets
    // every named user, every role or @everyone through is a bug even while the content
    // names no one, because the next title or note may.
    for what in items(&body["allowed_mentions"]["parse"])
        .iter()
        .filter_map(Value::as_str)
    {
        out.push(format!(
            "allowed_mentions parses {what:?}: okrbot lists exactly the users and roles it pings"
        ));
    }
    let content = body["content"].as_str().unwrap_or("");
    if !content.is_empty() {
        // Without allowed_mentions Discord pings whatever the content names, @everyone too.
        if body["allowed_mentions"].is_null() {
            out.push(
                "content without allowed_mentions: Discord would ping everyone it names".into(),
            );
        }
        let p = pings(body);
        if p.everyone {
            out.push("the message pings @everyone or @here".into());
        }
    }
    out
}

/// Who a message notifies, as Discord decides it from `content` and `allowed_mentions`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pinged {
    pub users: Vec<u64>,
    pub roles: Vec<u64>,
    pub everyone: bool,
}

pub fn pings(body: &Value) -> Pinged {
    let content = body["content"].as_str().unwrap_or("");
    let named = |prefix: &str| -> Vec<u64> {
        let mut out = Vec::new();
        let mut rest = content;
        while let Some(i) = rest.find(prefix) {
            rest = &rest[i + prefix.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if rest[digits.len()..].starts_with('>') {
                if let Ok(id) = digits.parse() {
                    out.push(id);
                }
            }
        }
        out
    };
    let users: Vec<u64> = named("<@").into_iter().chain(named("<@!")).collect();
    let roles = named("<@&");
    let everyone = content.contains("@everyone") || content.contains("@here");
    let am = &body["allowed_mentions"];
    if am.is_null() {
        return Pinged {
            users,
            roles,
            everyone,
        };
    }
    let parse: Vec<&str> = items(&am["parse"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let listed = |key: &str| -> Vec<u64> {
        items(&am[key])
            .iter()
            .filter_map(|v| v.as_str().and_then(|s| s.parse().ok()).or(v.as_u64()))
            .collect()
    };
    let (allowed_users, allowed_roles) = (listed("users"), listed("roles"));
    Pinged {
        users: users
            .into_iter()
            .filter(|u| parse.contains(&"users") || allowed_users.contains(u))
            .collect(),
        roles: roles
            .into_iter()
            .filter(|r| parse.contains(&"roles") || allowed_roles.contains(r))
            .collect(),
        everyone: everyone && parse.contains(&"everyone"),
    }
}

/// Checks one embed and returns its characters counted towards the 6,000 of a message.
fn embed(out: &mut Vec<String>, i: usize, e: &Value) -> usize {
    let at = |f: &str| format!("embeds[{i}].{f}");
    max(out, &at("title"), &e["title"], 256);
    max(out, &at("description"), &e["description"], 4096);
    max(out, &at("footer.text"), &e["footer"]["text"], 2048);
    max(out, &at("author.name"), &e["author"]["name"], 256);
    let fields = items(&e["fields"]);
    if fields.len() > 25 {
        out.push(format!(
            "{} has {} fields, more than 25",
            at("fields"),
            fields.len()
        ));
    }
    let mut total = chars(&e["title"])
        + chars(&e["description"])
        + chars(&e["footer"]["text"])
        + chars(&e["author"]["name"]);
    for (j, f) in fields.iter().enumerate() {
        max(out, &at(&format!("fields[{j}].name")), &f["name"], 256);
        max(out, &at(&format!("fields[{j}].value")), &f["value"], 1024);
        total += chars(&f["name"]) + chars(&f["value"]);
    }
    total
}

fn custom_id(out: &mut Vec<String>, at: &str, v: &Value) {
    let n = chars(v);
    if v.is_string() && !(1..=100).contains(&n) {
        out.push(format!("{at}.custom_id has {n} characters, not 1-100"));
    }
}

/// Message components: action rows of buttons or one select.
fn components(out: &mut Vec<String>, rows: &Value) {
    let rows = items(rows);
    // Discord refuses a message whose components share a custom_id.
    let mut seen = std::collections::HashSet::new();
    for id in rows
        .iter()
        .flat_map(|r| items(&r["components"]))
        .filter_map(|c| c["custom_id"].as_str())
    {
        if !seen.insert(id) {
            out.push(format!("custom_id {id:?} is used twice in one message"));
        }
    }
    if rows.len() > 5 {
        out.push(format!("{} action rows, more than 5", rows.len()));
    }
    for (i, row) in rows.iter().enumerate() {
        let inner = items(&row["components"]);
        let buttons = inner.iter().filter(|c| c["type"] == 2).count();
        let selects = inner.len() - buttons;
        if buttons > 5 {
            out.push(format!(
                "components[{i}] has {buttons} buttons, more than 5"
            ));
        }
        if selects > 0 && inner.len() > 1 {
            out.push(format!(
                "components[{i}] mixes a select with other components"
            ));
        }
        for (j, c) in inner.iter().enumerate() {
            let at = format!("components[{i}].components[{j}]");
            custom_id(out, &at, &c["custom_id"]);
            max(out, &format!("{at}.label"), &c["label"], 80);
            let options = items(&c["options"]);
            if options.len() > 25 {
                out.push(format!("{at} has {} options, more than 25", options.len()));
            }
        }
    }
}

/// An interaction callback: checks its `data` according to the callback type.
pub fn interaction_callback(body: &Value) -> Vec<String> {
    let data = &body["data"];
    match body["type"].as_u64() {
        Some(4) | Some(7) => message(data),
        Some(8) => {
            let n = items(&data["choices"]).len();
            if n > 25 {
                vec![format!("autocomplete answers {n} choices, more than 25")]
            } else {
                vec![]
            }
        }
        Some(9) => modal(data),
        _ => vec![],
    }
}

fn modal(data: &Value) -> Vec<String> {
    let mut out = Vec::new();
    max(&mut out, "modal title", &data["title"], 45);
    custom_id(&mut out, "modal", &data["custom_id"]);
    let rows = items(&data["components"]);
    if !(1..=5).contains(&rows.len()) {
        out.push(format!("modal has {} text inputs, not 1-5", rows.len()));
    }
    for (i, row) in rows.iter().enumerate() {
        for (j, input) in items(&row["components"]).iter().enumerate() {
            let at = format!("modal components[{i}].components[{j}]");
            custom_id(&mut out, &at, &input["custom_id"]);
            max(&mut out, &format!("{at}.label"), &input["label"], 45);
            max(&mut out, &format!("{at}.value"), &input["value"], 4000);
            if input["max_length"].as_u64().is_some_and(|m| m > 4000) {
                out.push(format!("{at}.max_length is more than 4000"));
            }
        }
    }
    out
}

/// Option types: 1 subcommand, 2 subcommand group.
const SUB_COMMAND: u64 = 1;
const SUB_COMMAND_GROUP: u64 = 2;

/// A bulk overwrite of application commands.
pub fn commands(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (i, cmd) in items(body).iter().enumerate() {
        let name = cmd["name"].as_str().unwrap_or("?");
        let at = format!("command[{i}] '{name}'");
        // Only chat-input commands (type 1, the default) have the slash-command rules.
        let chat_input = cmd["type"].as_u64().unwrap_or(1) == 1;
        if chat_input {
            name_and_description(&mut out, &at, cmd);
            let total = option_tree(&mut out, &at, cmd, 0) + chars(&cmd["name"]);
            if total > 8000 {
                out.push(format!(
                    "{at} has {total} characters in names, descriptions and choices, more than 8000"
                ));
            }
        }
    }
    out
}

fn name_and_description(out: &mut Vec<String>, at: &str, item: &Value) {
    let name = item["name"].as_str().unwrap_or("");
    let n = name.chars().count();
    if !(1..=32).contains(&n) {
        out.push(format!("{at} name has {n} characters, not 1-32"));
    }
    if name.chars().any(|c| c.is_uppercase()) {
        out.push(format!("{at} name '{name}' is not lowercase"));
    }
    if name.chars().any(|c| c.is_whitespace()) {
        out.push(format!("{at} name '{name}' contains whitespace"));
    }
    let d = chars(&item["description"]);
    if !(1..=100).contains(&d) {
        out.push(format!("{at} description has {d} characters, not 1-100"));
    }
}

/// Checks the options below `item` (`depth` 0 for the command itself) and returns the characters
/// they add to the command's 8,000: names, descriptions, choice names and values.
fn option_tree(out: &mut Vec<String>, at: &str, item: &Value, depth: usize) -> usize {
    let options = items(&item["options"]);
    if options.len() > 25 {
        out.push(format!("{at} has {} options, more than 25", options.len()));
    }
    let is_sub = |o: &Value| matches!(o["type"].as_u64(), Some(SUB_COMMAND | SUB_COMMAND_GROUP));
    let subs = options.iter().filter(|o| is_sub(o)).count();
    if subs > 0 && subs < options.len() {
        out.push(format!("{at} mixes subcommands with plain options"));
    }
    let mut total = chars(&item["description"]);
    for o in options {
        let name = o["name"].as_str().unwrap_or("?");
        let here = format!("{at} > '{name}'");
        name_and_description(out, &here, o);
        total += chars(&o["name"]);
        match o["type"].as_u64() {
            // A group may sit only on the command; a subcommand on the command or in a group.
            Some(SUB_COMMAND_GROUP) if depth > 0 => out.push(format!(
                "{here}: a subcommand group nested below the top level"
            )),
            Some(SUB_COMMAND) if depth > 1 => {
                out.push(format!("{here}: a subcommand nested more than one level"))
            }
            Some(SUB_COMMAND_GROUP) if items(&o["options"]).iter().any(|s| !is_sub(s)) => {
                out.push(format!("{here}: a subcommand group holds a plain option"))
            }
            _ => {}
        }
        if is_sub(o) {
            total += option_tree(out, &here, o, depth + 1);
        } else {
            total += chars(&o["description"]);
            let choices = items(&o["choices"]);
            if choices.len() > 25 {
                out.push(format!(
                    "{here} has {} choices, more than 25",
                    choices.len()
                ));
            }
            for c in choices {
                total += chars(&c["name"]);
                total += match &c["value"] {
                    Value::String(s) => s.chars().count(),
                    other => other.to_string().len(),
                };
            }
        }
    }
    total
}
