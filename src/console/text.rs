//! [`Message`] -> plain text for a terminal.

use crate::domain::message::Message;

pub fn render(m: &Message) -> String {
    let mut out = String::new();
    let colour = m
        .colour
        .map(|c| format!("{} ", c.emoji()))
        .unwrap_or_default();
    out.push_str(&format!("{colour}{}", m.title));
    for b in &m.blocks {
        if let Some(h) = &b.heading {
            out.push_str(&format!("\n{h}"));
        }
        for l in &b.lines {
            let indent = if b.heading.is_some() { "    " } else { "  " };
            out.push_str(&format!("\n{indent}{l}"));
        }
    }
    for a in &m.actions {
        let hint = crate::render::action_hint(a);
        out.push_str(&format!("\n  [{}] {hint}", a.label));
    }
    if !m.mentions.is_empty() {
        let who: Vec<String> = m.mentions.iter().map(|n| format!("@{n}")).collect();
        out.push_str(&format!("\n  🔔 {}", who.join(" ")));
    }
    if let Some(f) = &m.footer {
        out.push_str(&format!("\n{f}"));
    }
    out
}
