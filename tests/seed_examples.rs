//! Every JSON message example in the seed documents parses into the model and
//! serialises back to an equivalent document, keys in the documented order.
//!
//! The fixtures in `tests/fixtures/seeds/` were cut verbatim out of
//! `shared/seeds/*.txt` (file name: seed number, example number, type).

use std::path::PathBuf;

use serde_json::Value;
use wecom_composer::wecom::{Message, MessageKind, validate, validate::has_errors};

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// Object keys in document order, recursively, to compare orders.
fn key_order(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{path}.{k}");
                out.push(p.clone());
                key_order(child, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                key_order(child, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn there_are_examples_of_every_type() {
    let names: Vec<String> = fixtures().into_iter().map(|(n, _)| n).collect();
    assert!(names.len() >= 26, "{names:?}");
    for kind in MessageKind::ALL {
        let tag = kind.card_type().unwrap_or(kind.msgtype());
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("001_") && n.ends_with(&format!("_{tag}.json"))),
            "seed 001 example for {tag} missing"
        );
    }
}

#[test]
fn every_seed_example_round_trips() {
    for (name, json) in fixtures() {
        let original: Value = serde_json::from_str(&json).expect("fixture is JSON");
        let message = Message::from_json_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again: Value = serde_json::from_str(&message.to_json()).expect("our JSON parses");
        assert_eq!(again, original, "{name}: values differ");
        let (mut a, mut b) = (Vec::new(), Vec::new());
        key_order(&original, "", &mut a);
        key_order(&again, "", &mut b);
        assert_eq!(b, a, "{name}: key order differs");
        // Serde's own Deserialize agrees with from_json_str.
        let via_serde: Message = serde_json::from_str(&json).expect("Deserialize");
        assert_eq!(via_serde, message, "{name}");
    }
}

#[test]
fn seed_examples_pass_validation_except_placeholders() {
    for (name, json) in fixtures() {
        let message = Message::from_json_str(&json).expect("parses");
        let problems = validate(&message);
        if message.kind() == MessageKind::Image {
            // "DATA" / "MD5" are placeholders, not a picture: the server would refuse them too.
            assert!(has_errors(&problems), "{name}: placeholder image accepted");
            continue;
        }
        let errors: Vec<String> = problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn message_kinds_come_from_msgtype_and_card_type() {
    let cases = [
        ("001_01_text.json", MessageKind::Text),
        ("001_03_markdown.json", MessageKind::Markdown),
        ("001_04_markdown_v2.json", MessageKind::MarkdownV2),
        ("001_05_image.json", MessageKind::Image),
        ("001_06_news.json", MessageKind::News),
        ("001_07_file.json", MessageKind::File),
        ("001_08_voice.json", MessageKind::Voice),
        ("001_09_text_notice.json", MessageKind::TextNotice),
        ("001_10_news_notice.json", MessageKind::NewsNotice),
    ];
    let all = fixtures();
    for (file, kind) in cases {
        let json = &all.iter().find(|(n, _)| n == file).expect(file).1;
        assert_eq!(
            Message::from_json_str(json).expect(file).kind(),
            kind,
            "{file}"
        );
    }
}
