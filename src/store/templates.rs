//! Message templates: named messages to start from. A few examples ship in the
//! binary (`assets/examples/`); the user's own live in the data directory, one
//! JSON file each, and hold no webhook (a template is a message, not a robot).

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use crate::wecom::Message;

/// A template as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub name: String,
    pub message: Message,
    /// Shipped with the app: cannot be deleted or overwritten.
    pub builtin: bool,
}

/// The examples shipped in `assets/examples/`. Their names read in both
/// languages (their content is Chinese, as WeCom groups write): a name is
/// also an example's identity (a saved template cannot take it), so it does
/// not change with the language, and a switch (F12) never makes a user's
/// template clash with an example or an example appear twice.
const BUILTIN: &[(&str, &str)] = &[
    (
        "部署通知 Deploy notice",
        include_str!("../../assets/examples/deploy-notice.json"),
    ),
    (
        "故障通报 Incident update",
        include_str!("../../assets/examples/incident.json"),
    ),
    (
        "研发周报 Weekly report",
        include_str!("../../assets/examples/weekly-report.json"),
    ),
];

/// The shipped examples.
pub fn builtin() -> Vec<Template> {
    BUILTIN
        .iter()
        .filter_map(|(name, json)| {
            Message::from_json_str(json).ok().map(|message| Template {
                name: (*name).to_owned(),
                message,
                builtin: true,
            })
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
struct Saved {
    name: String,
    message: Message,
}

/// The user's templates, in a directory.
#[derive(Debug, Clone)]
pub struct TemplateStore {
    dir: PathBuf,
}

/// The longest template name, in characters.
pub const NAME_MAX_CHARS: usize = 60;

impl TemplateStore {
    pub fn new(dir: impl Into<PathBuf>) -> TemplateStore {
        TemplateStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The shipped examples, then the user's templates by name. A file that
    /// cannot be read is skipped, and named in the second list so the user
    /// can see it.
    pub fn list(&self) -> (Vec<Template>, Vec<String>) {
        let mut templates = builtin();
        let mut own = Vec::new();
        let mut unreadable = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                match std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|t| {
                        serde_json::from_str::<Saved>(&t).map_err(|e| {
                            crate::wecom::json_words::translate(&e.to_string()).into_owned()
                        })
                    }) {
                    Ok(saved) => own.push(Template {
                        name: saved.name,
                        message: saved.message,
                        builtin: false,
                    }),
                    Err(e) => unreadable.push(format!("{}: {e}", path.display())),
                }
            }
        }
        own.sort_by_key(|t| t.name.to_lowercase());
        templates.extend(own);
        (templates, unreadable)
    }

    /// Saves `message` under `name` (replacing a template of that name).
    pub fn save(&self, name: &str, message: &Message) -> Result<PathBuf, TemplateError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(TemplateError::NoName);
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(TemplateError::NameTooLong);
        }
        if builtin().iter().any(|t| t.name.eq_ignore_ascii_case(name)) {
            return Err(TemplateError::BuiltinName);
        }
        let path = self.dir.join(format!("{}.json", file_stem(name)));
        let saved = Saved {
            name: name.to_owned(),
            message: message.clone(),
        };
        let json = serde_json::to_string_pretty(&saved).map_err(TemplateError::Encode)?;
        write_atomic(&path, json.as_bytes(), 0o600).map_err(|source| TemplateError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// Deletes the user's template called `name`.
    pub fn delete(&self, name: &str) -> Result<(), TemplateError> {
        let path = self.dir.join(format!("{}.json", file_stem(name)));
        std::fs::remove_file(&path).map_err(|source| TemplateError::Delete { path, source })
    }
}

/// Why a template was not saved or deleted; the `Display` is a sentence
/// that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("A template needs a name.")]
    NoName,
    #[error("Keep the name under {NAME_MAX_CHARS} characters.")]
    NameTooLong,
    #[error("That is the name of a built-in example: choose another.")]
    BuiltinName,
    #[error("the message could not be written as JSON: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot delete {}: {source}", path.display())]
    Delete {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A file name for a template name: letters, digits and CJK kept, the rest
/// turned into `-`, plus a short hash so different names never share a file.
fn file_stem(name: &str) -> String {
    let readable: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let hash = crate::wecom::media::md5_hex(name.trim().as_bytes());
    format!("{}-{}", readable.trim_matches('-'), &hash[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wecom::validate;

    #[test]
    fn the_shipped_examples_are_valid_messages() {
        let examples = builtin();
        assert_eq!(examples.len(), BUILTIN.len(), "every example parses");
        for t in examples {
            let errors: Vec<_> = validate(&t.message)
                .into_iter()
                .filter(|p| p.is_error())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", t.name);
        }
    }

    #[test]
    fn saved_templates_round_trip_and_can_be_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = TemplateStore::new(dir.path().join("t"));
        let m = Message::markdown("# 周报\n**本周**");
        store.save("周报 / weekly", &m).expect("save");
        store.save("Other", &Message::text("x")).expect("save");
        let (list, bad) = store.list();
        assert!(bad.is_empty());
        let own: Vec<_> = list.iter().filter(|t| !t.builtin).collect();
        assert_eq!(own.len(), 2);
        assert_eq!(own[1].name, "周报 / weekly");
        assert_eq!(own[1].message, m);
        store.delete("周报 / weekly").expect("delete");
        assert_eq!(store.list().0.iter().filter(|t| !t.builtin).count(), 1);
        assert!(
            store.save("部署通知 Deploy notice", &m).is_err(),
            "built-in names are taken"
        );
        assert!(store.save("  ", &m).is_err());
    }
}
