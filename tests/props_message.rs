//! Properties of the message model, validation and the sandbox, on messages
//! generated from the schema tables themselves (`MessageKind::fields`), so a
//! field added to `message.rs` is generated here without an edit:
//!
//! - parse, serialise, parse again: the same message, the same JSON;
//! - validation never panics, on generated messages or any JSON at all;
//! - a message validation accepts is accepted by the in-process sandbox
//!   (127.0.0.1, one shared client), and the sandbox answers every body, even
//!   bytes that are not JSON, with WeCom-shaped JSON and agrees with
//!   validation on what it accepts.
//!
//! Runs at proptest's default case count (the HTTP properties at a quarter
//! of it); `PROPTEST_CASES=100000 cargo test --release --test
//! props_message` runs it long.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use wecom_composer::sandbox::{Sandbox, SandboxConfig};
use wecom_composer::wecom::schema::{FieldKind, FieldSpec, Limit};
use wecom_composer::wecom::{Message, MessageKind, media, validate};

// ---------------------------------------------------------------- generators

/// A string for a text field: mostly ordinary, sometimes empty, sometimes
/// over its limit, sometimes any text at all.
fn text_value(spec: &'static FieldSpec) -> BoxedStrategy<Value> {
    let over = match spec.limit {
        Some(Limit::MaxBytes(n) | Limit::TruncatedAfterBytes(n)) => n + 1,
        Some(Limit::RecommendedChars(n)) => n + 1,
        None => 300,
    };
    prop_oneof![
        12 => "[a-zA-Z0-9企业微信 ,.!]{1,24}",
        1 => Just(String::new()),
        1 => Just("汉".repeat(over.div_ceil(3))),
        1 => any::<String>(),
        1 => "[ \n\t]{1,4}",
    ]
    .prop_map(Value::String)
    .boxed()
}

fn value_for(spec: &'static FieldSpec) -> BoxedStrategy<Value> {
    let typed = match spec.kind {
        FieldKind::Text | FieldKind::MultiLine => text_value(spec),
        FieldKind::Url => prop_oneof![
            8 => "https://work\\.weixin\\.qq\\.com/[a-z]{0,8}",
            1 => "[a-z .]{0,12}",
        ]
        .prop_map(Value::String)
        .boxed(),
        FieldKind::MediaId => "[A-Za-z0-9_-]{1,30}".prop_map(Value::String).boxed(),
        FieldKind::Choice(choices) => {
            let values: Vec<i64> = choices.iter().map(|c| c.value).collect();
            prop_oneof![8 => prop::sample::select(values), 1 => -3i64..10]
                .prop_map(Value::from)
                .boxed()
        }
        FieldKind::Float { min, max } => prop_oneof![
            6 => min..=max,
            1 => Just(min),
            1 => Just(max),
            1 => -1.0f64..5.0,
        ]
        .prop_map(Value::from)
        .boxed(),
        FieldKind::StringList => prop::collection::vec(
            prop_oneof![
                "[a-z0-9]{1,12}",
                Just("@all".to_owned()),
                "1[0-9]{10}",
                "[ @a-z]{0,6}"
            ],
            0..4,
        )
        .prop_map(|v| json!(v))
        .boxed(),
        FieldKind::Object(children) => object_for(children).prop_map(Value::Object).boxed(),
        FieldKind::List { items, min, max } => {
            prop::collection::vec(object_for(items).prop_map(Value::Object), min..=max + 1)
                .prop_map(Value::Array)
                .boxed()
        }
    };
    // Now and then a value of the wrong JSON type, or null.
    prop_oneof![
        30 => typed,
        1 => Just(Value::Bool(true)),
        1 => Just(Value::Null),
        1 => Just(json!([1, "x"])),
    ]
    .boxed()
}

/// An object with the fields of `fields`: required ones almost always,
/// optional ones half the time.
fn object_for(fields: &'static [FieldSpec]) -> BoxedStrategy<Map<String, Value>> {
    let entries: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .iter()
        .map(|spec| {
            let present = if spec.required { 0.95 } else { 0.5 };
            prop::option::weighted(present, value_for(spec))
                .prop_map(move |v| v.map(|v| (spec.key.to_owned(), v)))
                .boxed()
        })
        .collect();
    entries
        .prop_map(|entries| entries.into_iter().flatten().collect())
        .boxed()
}

/// A whole message document of `kind`.
fn document_of(kind: MessageKind) -> BoxedStrategy<Value> {
    object_for(kind.fields())
        .prop_map(move |mut body| {
            if let Some(card_type) = kind.card_type() {
                body.insert("card_type".to_owned(), json!(card_type));
            }
            json!({"msgtype": kind.msgtype(), kind.msgtype(): body})
        })
        .boxed()
}

/// A picture message with a real PNG or JPEG header and the right md5.
fn picture() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![
            b"\x89PNG\r\n\x1a\n".to_vec(),
            vec![0xFF, 0xD8, 0xFF],
            b"GIF89a".to_vec(),
        ]),
        prop::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(magic, rest)| {
            let mut bytes = magic;
            bytes.extend(rest);
            media::image_message(&bytes).to_value()
        })
}

fn document() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => prop::sample::select(MessageKind::ALL.to_vec()).prop_flat_map(document_of),
        1 => picture(),
    ]
}

/// Any JSON at all (bounded), for "never panics".
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z_]{0,10}".prop_map(Value::String),
        prop::sample::select(
            &[
                "text",
                "markdown",
                "template_card",
                "news_notice",
                "msgtype"
            ][..]
        )
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,8}",
                    prop::sample::select(
                        &[
                            "msgtype",
                            "text",
                            "content",
                            "template_card",
                            "card_type",
                            "articles"
                        ][..]
                    )
                    .prop_map(str::to_owned),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

// ---------------------------------------------------------------- the sandbox

const KEY: &str = "test-key-0001";

struct Server {
    runtime: tokio::runtime::Runtime,
    sandbox: Sandbox,
    client: reqwest::Client,
}

/// One sandbox and one client for every case: a new one per case would
/// measure the machine, not the property.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sandbox = runtime
            .block_on(Sandbox::start(
                SandboxConfig {
                    keys: vec![KEY.to_owned()],
                    // The properties are about bodies, not the rate limit.
                    rate_limit: 1_000_000,
                    rate_window: Duration::from_millis(1),
                    ..SandboxConfig::default()
                },
                SocketAddr::from(([127, 0, 0, 1], 0)),
            ))
            .expect("sandbox starts");
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Server {
            runtime,
            sandbox,
            client,
        }
    })
}

/// Posts `body` to the sandbox's send endpoint: (HTTP status, answer).
fn post(body: Vec<u8>) -> (u16, Value) {
    let s = server();
    let url = s.sandbox.webhook_url(KEY);
    s.runtime.block_on(async {
        let answer = s
            .client
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the sandbox answers");
        let status = answer.status().as_u16();
        let bytes = answer.bytes().await.expect("an answer body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, value)
    })
}

/// Whether `value` names a media_id anywhere (the sandbox accepts only the
/// media_ids it issued, which validation cannot know).
fn names_media(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.iter().any(|(k, v)| k == "media_id" || names_media(v)),
        Value::Array(a) => a.iter().any(names_media),
        _ => false,
    }
}

fn http_cases() -> u32 {
    ProptestConfig::default().cases.div_ceil(4).max(16)
}

// ---------------------------------------------------------------- properties

proptest! {
    #[test]
    fn parse_serialise_parse_gives_the_same_message(doc in document()) {
        let Ok(message) = Message::from_value(doc.clone()) else {
            return Ok(());
        };
        let json = message.to_json();
        let again = Message::from_json_str(&json)
            .map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
        prop_assert_eq!(&again, &message);
        prop_assert_eq!(again.to_json(), json);
        prop_assert_eq!(again.kind().msgtype(), doc["msgtype"].as_str().unwrap_or(""));
    }

    #[test]
    fn validation_never_panics_and_explains_every_problem(doc in document()) {
        if let Ok(message) = Message::from_value(doc) {
            for p in validate(&message) {
                prop_assert!(!p.path.is_empty() && !p.message.is_empty() && !p.fix.is_empty(), "{p:?}");
                prop_assert!(!p.to_string().is_empty());
            }
        }
    }

    #[test]
    fn any_json_is_parsed_or_refused_without_a_panic(doc in any_json()) {
        match Message::from_value(doc) {
            Ok(message) => {
                let _ = validate(&message);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

proptest! {
    // A quarter of the documents name a media_id and are set aside.
    #![proptest_config(ProptestConfig {
        cases: http_cases(),
        max_global_rejects: http_cases().saturating_mul(4),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_message_validation_accepts_is_accepted_by_the_sandbox(doc in document()) {
        prop_assume!(!names_media(&doc));
        let Ok(message) = Message::from_value(doc) else {
            return Ok(());
        };
        let accepted = !validate(&message).iter().any(|p| p.is_error());
        let (status, answer) = post(message.to_json().into_bytes());
        prop_assert_eq!(status, 200);
        let errcode = answer["errcode"].as_i64();
        prop_assert!(errcode.is_some(), "{answer}");
        prop_assert_eq!(
            errcode == Some(0), accepted,
            "validation {} but the sandbox answered {}: {}",
            if accepted { "accepts" } else { "refuses" }, answer, message.to_json()
        );
    }

    #[test]
    fn the_sandbox_answers_any_body_with_wecom_json(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            any_json().prop_map(|v| v.to_string().into_bytes()),
            document().prop_map(|v| {
                let mut bytes = v.to_string().into_bytes();
                bytes.truncate(bytes.len() * 3 / 4);
                bytes
            }),
        ],
    ) {
        let (status, answer) = post(body.clone());
        prop_assert_eq!(status, 200);
        let errcode = answer["errcode"].as_i64();
        prop_assert!(errcode.is_some() && answer["errmsg"].is_string(), "{answer}");
        // The sandbox accepts exactly what parses and validates without an
        // error (no media_ids here: none were issued).
        let valid = serde_json::from_slice::<Value>(&body)
            .ok()
            .filter(|v| !names_media(v))
            .and_then(|v| Message::from_value(v).ok())
            .is_some_and(|m| !validate(&m).iter().any(|p| p.is_error()));
        if errcode == Some(0) {
            prop_assert!(valid, "accepted: {}", String::from_utf8_lossy(&body));
        }
    }
}

/// The generator is worth its name: of its messages, a good share parse and
/// pass validation (so the sandbox property checks acceptances), a good share
/// are refused, and every kind comes up.
#[test]
fn the_generator_makes_valid_and_invalid_messages_of_every_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = document();
    let (mut valid, mut invalid) = (0, 0);
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..2000 {
        let doc = strategy.new_tree(&mut runner).expect("tree").current();
        match Message::from_value(doc) {
            Ok(m) => {
                kinds.insert(m.kind());
                if validate(&m).iter().any(|p| p.is_error()) {
                    invalid += 1;
                } else {
                    valid += 1;
                }
            }
            Err(_) => invalid += 1,
        }
    }
    assert!(valid >= 200, "{valid} valid of 2000");
    assert!(invalid >= 200, "{invalid} invalid of 2000");
    assert_eq!(kinds.len(), MessageKind::ALL.len(), "{kinds:?}");
    eprintln!("{valid} valid, {invalid} invalid of 2000");
}
