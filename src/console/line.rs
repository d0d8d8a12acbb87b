//! One console line -> a [`Command`]. The command's words are matched against the catalogue
//! (the longest path wins), then ` name:` starts of the options that command knows split the
//! rest; a value runs to the next known option, or is quoted: `title:"Ship v2 kind:beta"`.
//! Nothing here decides anything: the options go to [`command::from_text`].

use std::collections::HashMap;

use crate::command::{self, Command, Options};

#[derive(Debug, Clone)]
pub enum Line {
    Empty,
    Exit,
    /// `/okr bulk` (or `/okr update bulk`): the lines up to a single `.` are one
    /// all-or-nothing update.
    BeginBulk,
    Command(Command),
    /// `/okr clock ...`: the console's own simulated clock, not a core command.
    Clock(Options),
    Error(String),
    /// Words that are no command (nor a `/` asking for one): perhaps an answer in plain words to
    /// the person's latest prompt; if not, `error` says what went wrong.
    Words {
        error: String,
    },
}

/// How much of an unknown word is quoted back.
const ECHO: usize = 40;

pub fn parse_line(line: &str) -> Line {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Line::Empty;
    }
    if matches!(line, "exit" | "quit" | "/exit" | "/quit") {
        return Line::Exit;
    }
    // `/okr kr add …`, `okr kr add …`, `kr add …`, and `/kpi set …` for the KPI commands.
    let bare = line.strip_prefix('/').unwrap_or(line);
    let rest = bare
        .strip_prefix("okr")
        .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        .unwrap_or(bare)
        .trim();
    let words: Vec<&str> = rest.split_whitespace().collect();
    // A bare `/kpi` asks what the KPI commands are, as `/kpi help` does.
    if let [only] = words.as_slice() {
        if only.eq_ignore_ascii_case("kpi") {
            return Line::Command(Command::Help(
                command::Surface::Console,
                command::HelpTopic::Kpis,
            ));
        }
    }
    let best = command::catalogue()
        .iter()
        .copied()
        .filter(|s| {
            let n: Vec<&str> = s.path.split(' ').collect();
            words.len() >= n.len() && n.iter().zip(&words).all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
        .max_by_key(|s| s.path.len());
    let Some(spec) = best else {
        let first: String = words
            .first()
            .copied()
            .unwrap_or("")
            .chars()
            .take(ECHO)
            .collect();
        let error = match (did_you_mean(&words), group_of(&first)) {
            (Some(s), _) => format!(
                "unknown command {first:?}: did you mean {}? /okr help lists the commands, each \
                 with an example",
                s.invocation(command::Surface::Console)
            ),
            // `/okr away from:…`: the words of a group, without the one that follows them.
            (None, Some(group)) => group,
            (None, None) => format!(
                "unknown command {first:?}: /okr help lists the commands, each with an example"
            ),
        };
        return if line.starts_with('/') {
            Line::Error(error)
        } else {
            Line::Words { error }
        };
    };
    let mut after = rest;
    for _ in 0..spec.path.split(' ').count() {
        after = after.trim_start();
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        after = &after[end..];
    }
    let after = after.trim();
    if (spec.path == "bulk" && after.is_empty())
        || (spec.path == "update" && after.eq_ignore_ascii_case("bulk"))
    {
        return Line::BeginBulk;
    }
    let options = match split_options(after, spec.options) {
        Ok(o) => o,
        Err(e) => return Line::Error(e),
    };
    if spec.path == "clock" {
        return Line::Clock(options);
    }
    match command::from_text(spec, &options) {
        Ok(c) => Line::Command(c),
        Err(e) => Line::Error(e.to_string()),
    }
}

/// The command whose words come closest to what was typed (`updte` -> `update`, `kr ad` ->
/// `kr add`), when one is close enough to be meant.
/// When `first` begins commands but is none (`away` of `away set`, `away list`): which words may
/// follow it, with the first one's example.
fn group_of(first: &str) -> Option<String> {
    let group: Vec<&command::Spec> = command::catalogue()
        .iter()
        .copied()
        .filter(|s| {
            s.path
                .split_once(' ')
                .is_some_and(|(g, _)| g.eq_ignore_ascii_case(first))
        })
        .collect();
    let example = group.first()?;
    let next: Vec<&str> = group
        .iter()
        .filter_map(|s| s.path.split_once(' ').map(|(_, n)| n))
        .collect();
    Some(format!(
        "{} is followed by one of: {}; e.g. {} {}",
        example
            .invocation(command::Surface::Console)
            .rsplit_once(' ')
            .map_or("", |(g, _)| g),
        next.join(", "),
        example.invocation(command::Surface::Console),
        example.example
    ))
}

fn did_you_mean(words: &[&str]) -> Option<&'static command::Spec> {
    command::catalogue()
        .iter()
        .filter_map(|s| {
            let n = s.path.split(' ').count();
            if words.len() < n {
                return None;
            }
            let typed = words[..n].join(" ").to_lowercase();
            Some((strsim::jaro_winkler(&typed, s.path), *s))
        })
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, s)| s)
}

/// A word shaped like an option the command does not have: `name:value` with a short lower-case
/// name and a value right after the colon (prose has a space there, a URL a `/`).
fn unknown_option<'a>(text: &'a str, known: &[&'static str]) -> Option<&'a str> {
    let mut in_quotes = false;
    let mut start = true;
    for (i, ch) in text.char_indices() {
        if ch == '"' {
            in_quotes = !in_quotes;
        }
        let at_word = start && !in_quotes;
        start = ch.is_whitespace();
        if !at_word {
            continue;
        }
        let word = text[i..].split_whitespace().next().unwrap_or("");
        let Some((name, value)) = word.split_once(':') else {
            continue;
        };
        let shaped = (2..=20).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            && !value.is_empty()
            && !value.starts_with('/');
        if shaped && !known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            return Some(name);
        }
    }
    None
}

/// Finds ` name:` starts of known options; everything before the first is positional.
fn split_options(text: &str, known: &[&'static str]) -> Result<Options, String> {
    if let Some(name) = unknown_option(text, known) {
        let list = if known.is_empty() {
            "it takes no options".to_owned()
        } else {
            format!("its options are {}", known.join(", "))
        };
        return Err(format!(
            "{name}: is not an option of this command ({list}); put text containing \"{name}:\" in quotes"
        ));
    }
    let mut starts: Vec<(usize, &'static str)> = Vec::new();
    let bytes = text.as_bytes();
    let mut in_quotes = false;
    for (i, ch) in text.char_indices() {
        if ch == '"' {
            in_quotes = !in_quotes;
        }
        if in_quotes || !(i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            continue;
        }
        let rest = &text[i..];
        // Byte-wise, so a name never lands inside a multi-byte character (`München`).
        if let Some(k) = known.iter().find(|k| {
            rest.len() > k.len()
                && rest.as_bytes()[..k.len()].eq_ignore_ascii_case(k.as_bytes())
                && rest.as_bytes()[k.len()] == b':'
        }) {
            starts.push((i, k));
        }
    }
    let positional = text[..starts.first().map_or(text.len(), |s| s.0)]
        .trim()
        .to_owned();
    let mut values = HashMap::new();
    for (n, (i, k)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(text.len(), |s| s.0);
        let raw = text[i + k.len() + 1..end].trim();
        let value = raw
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(raw)
            .to_owned();
        if values.insert(*k, value).is_some() {
            return Err(format!("{k}: is given twice: give each option once"));
        }
    }
    Ok(Options { positional, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ObjectiveCommand;
    use crate::domain::catalogue::{HelpTopic, Surface};

    fn command(line: &str) -> Command {
        match parse_line(line) {
            Line::Command(c) => c,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    #[test]
    fn an_option_value_runs_to_the_next_known_option() {
        let Command::Objective(ObjectiveCommand::Add(o)) =
            command("/okr objective add team:Growth title:Launch in München kind:committed")
        else {
            panic!("not an objective add")
        };
        assert_eq!(o.title, "Launch in München");
        assert_eq!(o.kind.as_deref(), Some("committed"));
    }

    #[test]
    fn non_ascii_text_next_to_option_names_is_just_text() {
        for line in [
            "/okr update GRO-1.1 9 shipped 🚀",
            "/okr update GRO-1.1 9 café ouvert",
            "/okr objective add team:Growth title:ü",
            "/okr objective add team:Growth title:kindé:x",
        ] {
            assert!(matches!(parse_line(line), Line::Command(_)), "{line}");
        }
    }

    #[test]
    fn bulk_begins_with_either_spelling() {
        assert!(matches!(parse_line("/okr bulk"), Line::BeginBulk));
        assert!(matches!(parse_line("/okr update bulk"), Line::BeginBulk));
    }

    #[test]
    fn help_is_the_consoles_help() {
        assert!(matches!(
            command("/okr help"),
            Command::Help(Surface::Console, HelpTopic::Everything)
        ));
    }

    #[test]
    fn kpi_help_and_a_bare_kpi_list_the_kpi_commands() {
        for line in ["/kpi help", "/kpi", "kpi HELP"] {
            assert!(
                matches!(
                    command(line),
                    Command::Help(Surface::Console, HelpTopic::Kpis)
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn an_unknown_word_is_quoted_back_short() {
        let long = "x".repeat(10_000);
        // Words without a `/` may be an answer in plain words; if not, this is their error.
        let Line::Words { error } = parse_line(&long) else {
            panic!("not words")
        };
        assert!(error.len() < 200, "{error}");
        let Line::Error(e) = parse_line(&format!("/{long}")) else {
            panic!("not an error")
        };
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn every_catalogue_command_parses_from_its_own_example() {
        for spec in command::catalogue() {
            let line = format!("/okr {} {}", spec.path, spec.example);
            let parsed = parse_line(&line);
            assert!(!matches!(parsed, Line::Error(_)), "{line} gave {parsed:?}");
        }
    }
}
