//! Discord's OpenAPI description as a request-body validator.
//!
//! The spec (`../shared/discord/openapi.json`, OpenAPI 3.1, so its schemas are JSON Schema
//! 2020-12) is parsed once per test binary. A request is mapped to its operation by matching the
//! path against the spec's templates (a literal segment beats a `{param}`, so
//! `/messages/@original` is not taken for `/messages/{message_id}`), and its body is validated
//! against the operation's `application/json` request schema. Multipart bodies are validated
//! through their `payload_json`, which carries that same JSON. Validators are compiled on first
//! use and cached, once per operation even when a burst of requests asks for it at the same
//! time: the spec is large and a compile walks all of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::{json, Value};

/// A copy of `../shared/discord/openapi.json` (provenance in `tests/data/discord/README.md`),
/// so the tests do not depend on where the checkout sits.
const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/discord/openapi.json"
);

pub struct Spec {
    /// `(template, its segments)` for every path in the spec.
    templates: Vec<(String, Vec<String>)>,
    paths: Value,
    components: Value,
    /// One cell per operation, so concurrent first requests wait for a single compile.
    validators: Mutex<HashMap<(String, String), ValidatorCell>>,
}

type ValidatorCell = Arc<OnceLock<Arc<Validator>>>;

/// The spec, parsed on first use.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC_PATH)
            .unwrap_or_else(|e| panic!("cannot read Discord's OpenAPI at {SPEC_PATH}: {e}"));
        let mut spec: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
        let paths = spec["paths"].take();
        let mut components = spec["components"].take();
        // The spec types every snowflake as a string, yet Discord takes integers in requests:
        // its own file-upload example, and serenity, send `"attachments": [{"id": 0}]`.
        let snowflake = &mut components["schemas"]["SnowflakeType"];
        *snowflake = json!({"anyOf": [snowflake.take(), {"type": "integer", "minimum": 0}]});
        // A command's `default_member_permissions` is an integer in the spec's requests but a
        // string in its responses and in Discord's reference ("?string", a permission bit
        // set), which is what serenity and discord.js send; Discord takes either.
        for request in [
            "ApplicationCommandCreateRequest",
            "ApplicationCommandUpdateRequest",
        ] {
            let p = &mut components["schemas"][request]["properties"]["default_member_permissions"];
            *p = json!({"anyOf": [p.take(), {"type": "string", "pattern": "^[0-9]{1,20}$"}]});
        }
        let templates = paths
            .as_object()
            .expect("the spec has paths")
            .keys()
            .map(|t| (t.clone(), super::split_path(t)))
            .collect();
        Spec {
            templates,
            paths,
            components,
            validators: Mutex::default(),
        }
    })
}

/// What the spec says about one request.
pub enum Operation {
    /// No path template matches.
    UnknownPath,
    /// The path exists but not with this method.
    UnknownMethod { template: String },
    /// The operation, and the JSON schema of its body if it takes one.
    Known {
        template: String,
        body: Option<Arc<Validator>>,
        body_required: bool,
    },
}

impl Spec {
    /// The template `path` (below `/api/v10`) matches, preferring literal segments.
    pub fn template_of(&self, path: &str) -> Option<&str> {
        let segments = super::split_path(path);
        self.templates
            .iter()
            .filter(|(_, tpl)| {
                tpl.len() == segments.len()
                    && tpl
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.starts_with('{') || t == s)
            })
            .max_by_key(|(_, tpl)| tpl.iter().filter(|t| !t.starts_with('{')).count())
            .map(|(template, _)| template.as_str())
    }

    pub fn operation(&self, method: &str, path: &str) -> Operation {
        let Some(template) = self.template_of(path) else {
            return Operation::UnknownPath;
        };
        let method = method.to_ascii_lowercase();
        let Some(op) = self.paths[template].get(&method) else {
            return Operation::UnknownMethod {
                template: template.to_owned(),
            };
        };
        let request_body = &op["requestBody"];
        let schema = &request_body["content"]["application/json"]["schema"];
        let body = (!schema.is_null()).then(|| self.validator(&method, template, schema));
        Operation::Known {
            template: template.to_owned(),
            body,
            body_required: request_body["required"].as_bool().unwrap_or(false),
        }
    }

    fn validator(&self, method: &str, template: &str, schema: &Value) -> Arc<Validator> {
        let key = (method.to_owned(), template.to_owned());
        let cell = self
            .validators
            .lock()
            .unwrap()
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(|| {
            // The operation's schema refers to `#/components/schemas/...`: give it a root
            // document that holds the components next to it, so the references resolve in place.
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "allOf": [schema],
                "components": self.components,
            });
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .unwrap_or_else(|e| panic!("schema of {method} {template} does not compile: {e}"));
            Arc::new(validator)
        })
        .clone()
    }

    /// Compiles the validators of the requests every interaction leads to, so the first burst
    /// of interactions a test measures does not wait on compiles.
    pub fn warm_interaction_routes(&self) {
        for (method, path) in [
            ("POST", "/interactions/1/t/callback"),
            ("POST", "/webhooks/1/t"),
            ("PATCH", "/webhooks/1/t/messages/@original"),
            ("PATCH", "/webhooks/1/t/messages/1"),
        ] {
            // A route the spec no longer knows would silently stop warming: say so instead.
            let known = matches!(
                self.operation(method, path),
                Operation::Known { body: Some(_), .. }
            );
            assert!(
                known,
                "{method} {path} takes no JSON body in Discord's spec"
            );
        }
    }
}

/// The validation errors of `body`, each as `at /json/pointer: reason` (reasons cut to a
/// readable length: an `anyOf` failure quotes the whole instance).
pub fn errors(validator: &Validator, body: &Value) -> Vec<String> {
    validator
        .iter_errors(body)
        .map(|e| {
            let mut reason = e.to_string();
            if reason.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|i| reason.is_char_boundary(*i))
                    .unwrap();
                reason.truncate(cut);
                reason.push_str("...");
            }
            format!("at '{}': {reason}", e.instance_path)
        })
        .collect()
}
