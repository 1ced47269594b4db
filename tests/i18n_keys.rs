//! The two locale files say the same things: every key is in both, each
//! string has the same placeholders in both, and every key the code asks
//! for exists. Read from the files themselves, not through `tr!`, whose
//! fallback to English would hide a missing Chinese string.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use wecom_composer::tui::keymap::BINDINGS;

/// A locale file as rust-i18n reads it: nested maps flattened to dotted
/// keys, `_version` left out.
fn load(name: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read the locale file");
    let value: serde_json::Value = serde_saphyr::from_str(&text).expect("the locale file is YAML");
    let mut out = BTreeMap::new();
    flatten("", &value, &mut out);
    out.remove("_version");
    out
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// The `%{name}` placeholders of a string.
fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(i) = rest.find("%{") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find('}') {
            out.insert(rest[..end].to_owned());
            rest = &rest[end + 1..];
        }
    }
    out
}

fn without_placeholders(s: &str) -> String {
    let mut out = s.to_owned();
    for p in placeholders(s) {
        out = out.replace(&format!("%{{{p}}}"), "");
    }
    out
}

#[test]
fn both_languages_have_every_key() {
    let en = load("en.yml");
    let zh = load("zh-CN.yml");
    let only_en: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let only_zh: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "missing in zh-CN.yml: {only_en:#?}");
    assert!(only_zh.is_empty(), "missing in en.yml: {only_zh:#?}");
    assert!(en.len() > 100, "the files were read: {} keys", en.len());
}

#[test]
fn both_languages_have_the_same_placeholders() {
    let en = load("en.yml");
    let zh = load("zh-CN.yml");
    let differ: Vec<String> = en
        .iter()
        .filter_map(|(k, e)| {
            let z = zh.get(k)?;
            (placeholders(e) != placeholders(z)).then(|| format!("{k}: {e:?} / {z:?}"))
        })
        .collect();
    assert!(differ.is_empty(), "placeholders differ: {differ:#?}");
}

#[test]
fn no_chinese_string_is_left_in_english() {
    // A copied English sentence is a missing translation in disguise. Keys
    // whose words are the same in both (key names, `$EDITOR`) are allowed.
    let en = load("en.yml");
    let zh = load("zh-CN.yml");
    let same: Vec<&String> = zh
        .iter()
        .filter(|(k, z)| en.get(*k) == Some(z))
        .filter(|(_, z)| {
            let words = without_placeholders(z);
            words.chars().any(|c| c.is_ascii_lowercase()) && words.split_whitespace().count() > 3
        })
        .map(|(k, _)| k)
        .collect();
    assert!(same.is_empty(), "still English in zh-CN.yml: {same:#?}");
}

#[test]
fn every_key_binding_is_in_the_files_with_the_tables_english() {
    let en = load("en.yml");
    let zh = load("zh-CN.yml");
    for b in BINDINGS {
        for (part, english) in [("label", b.label), ("help", b.help)] {
            let key = format!("{}.{part}", b.text_key());
            assert_eq!(
                en.get(&key).map(String::as_str),
                Some(english),
                "en.yml's {key} is the key map's own English"
            );
            assert!(zh.contains_key(&key), "zh-CN.yml has no {key}");
        }
    }
}

/// Every `tr!("literal")` in the source names a key of the files (a typo
/// would show the key itself on screen).
#[test]
fn every_key_the_code_asks_for_exists() {
    let en = load("en.yml");
    let mut missing = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("read source");
            let mut rest = source.as_str();
            while let Some(i) = rest.find("tr!(") {
                // Only a `tr!` of its own, not the end of a longer name.
                let macro_of_its_own = !rest[..i]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                rest = &rest[i + 4..];
                // The key may be on the next line (rustfmt wraps long calls);
                // a key made at run time (`tr!(&key)`) is not a literal.
                let Some(literal) = rest.trim_start().strip_prefix('"') else {
                    continue;
                };
                rest = literal;
                if !macro_of_its_own {
                    continue;
                }
                let Some(end) = rest.find('"') else { break };
                let key = &rest[..end];
                seen += 1;
                if !en.contains_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    // Over 700 literal keys today: far fewer means the scan missed calls.
    assert!(seen >= 700, "only {seen} tr! calls were read");
    assert!(missing.is_empty(), "keys not in en.yml: {missing:#?}");
}

/// The keys made at run time from names (kinds, field labels, choices, the
/// composer's sentences, the help's places) are all in both files.
#[test]
fn every_key_made_from_a_name_exists() {
    use wecom_composer::tui::keymap::Context;
    use wecom_composer::wecom::MessageKind;
    use wecom_composer::wecom::schema::{FieldKind, FieldSpec, text_key};
    let en = load("en.yml");
    let zh = load("zh-CN.yml");
    let mut wanted: Vec<(String, String)> = Vec::new();
    for kind in MessageKind::ALL {
        wanted.push((format!("kind.{kind:?}"), kind.label().to_owned()));
    }
    fn fields(specs: &[FieldSpec], wanted: &mut Vec<(String, String)>) {
        for spec in specs {
            wanted.push((
                format!("field.{}", text_key(spec.label)),
                spec.label.to_owned(),
            ));
            match spec.kind {
                FieldKind::Object(inner) | FieldKind::List { items: inner, .. } => {
                    fields(inner, wanted)
                }
                FieldKind::Choice(choices) => {
                    for c in choices {
                        wanted.push((format!("choice.{}", text_key(c.label)), c.label.to_owned()));
                    }
                }
                _ => {}
            }
        }
    }
    for kind in MessageKind::ALL {
        fields(kind.fields(), &mut wanted);
    }
    for (name, sentence) in wecom_composer::tui::text::NAMED {
        wanted.push((format!("text.{name}"), (*sentence).to_owned()));
    }
    for c in Context::MAIN.iter().chain(Context::POPUPS) {
        wanted.push((format!("keymap.context.{c:?}"), c.title().to_owned()));
    }
    for (key, english) in wanted {
        assert_eq!(
            en.get(&key),
            Some(&english),
            "en.yml's {key} is the code's English"
        );
        assert!(zh.contains_key(&key), "zh-CN.yml has no {key}");
    }
}

#[test]
fn every_known_errcode_is_explained_in_both_languages() {
    let en = load("en.yml");
    let zh = load("zh-CN.yml");
    for e in wecom_composer::wecom::errcode::known() {
        for (part, english) in [("meaning", e.meaning), ("action", e.action)] {
            let key = format!("errcode.{}.{part}", e.code);
            assert_eq!(en.get(&key).map(String::as_str), Some(english), "{key}");
            assert!(zh.contains_key(&key), "zh-CN.yml has no {key}");
        }
    }
}
