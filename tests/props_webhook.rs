//! Properties of webhook parsing and key redaction: every form a user may
//! paste (bare key, `key=…`, whole send or upload URL, quoted, spaced, with
//! extra parameters, on another host) gives the same key; and no run of 8
//! characters of a key survives in any `Display`, `Debug`, shown URL or
//! redacted text.
//!
//! Runs at proptest's default case count; `PROPTEST_CASES=100000 cargo test
//! --release --test props_webhook` runs it long.

use proptest::prelude::*;
use url::Url;
use wecom_composer::wecom::webhook::{self, default_base};
use wecom_composer::wecom::{Key, Webhook};

/// The first run of 8 characters of `key` in `text`, compared without
/// regard to ASCII case.
fn key_run_in(text: &str, key: &str) -> Option<String> {
    let text = text.to_ascii_lowercase();
    let key = key.to_ascii_lowercase();
    (0..=key.len().saturating_sub(8))
        .map(|i| &key[i..i + 8])
        .find(|run| text.contains(run))
        .map(str::to_owned)
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[A-Za-z0-9_-]{8,128}",
        // Repetitive keys, where masked runs meet the text after them.
        "[ab]{8,40}",
    ]
}

/// How a user may paste the key: (text, whether it names the default host).
fn pasted(key: String) -> impl Strategy<Value = (String, String)> {
    let forms = prop_oneof![
        Just("{k}".to_owned()),
        Just("key={k}".to_owned()),
        Just("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={k}".to_owned()),
        Just("https://qyapi.weixin.qq.com/cgi-bin/webhook/send/?debug=1&key={k}#x".to_owned()),
        Just(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?type=file&key={k}".to_owned()
        ),
        Just("http://127.0.0.1:8787/proxy/cgi-bin/webhook/send?key={k}".to_owned()),
        // A proxy that carries the key in its host and path too.
        Just("https://{k}.example.com/{k}/cgi-bin/webhook/send?key={k}".to_owned()),
    ];
    let wrap = prop::sample::select(&["", " ", "\t", "\"", "'"][..]);
    (forms, wrap).prop_map(move |(form, wrap)| {
        let text = form.replace("{k}", &key);
        (format!("{wrap}{text}{wrap}"), key.clone())
    })
}

/// Text around pieces of the key: what a server or library might echo.
fn echo(key: String) -> impl Strategy<Value = (String, String)> {
    let piece = (0..key.len(), 8usize..=key.len().max(8)).prop_map({
        let key = key.clone();
        move |(start, len)| {
            let end = (start + len).min(key.len());
            let start = start.min(end.saturating_sub(8));
            let piece = &key[start..end];
            if start % 2 == 0 {
                piece.to_ascii_uppercase()
            } else {
                piece.to_owned()
            }
        }
    });
    let filler = prop_oneof![
        "[ -~]{0,20}",
        "[ab]{0,12}",
        Just(String::new()),
        "[企业 ]{0,4}"
    ];
    prop::collection::vec((filler, piece), 1..6).prop_map(move |pairs| {
        let text: String = pairs.into_iter().map(|(f, p)| format!("{f}{p}")).collect();
        (text, key.clone())
    })
}

proptest! {
    #[test]
    fn every_pasted_form_gives_the_key_and_never_shows_it(
        (input, key) in key().prop_flat_map(pasted),
    ) {
        let w = Webhook::parse(&input, &default_base())
            .map_err(|e| TestCaseError::fail(format!("{input:?}: {e}")))?;
        prop_assert_eq!(w.key().expose(), key.as_str());
        let wanted = format!("key={key}");
        prop_assert!(w.send_url().as_str().contains(&wanted));
        for shown in [
            w.to_string(),
            format!("{w:?}"),
            w.display_url(),
            w.host(),
            w.key().to_string(),
            format!("{:?}", w.key()),
            w.key().masked(),
        ] {
            prop_assert_eq!(key_run_in(&shown, &key), None, "{}", shown);
        }
    }

    #[test]
    fn redacted_text_holds_no_run_of_8_key_characters(
        (text, key) in key().prop_flat_map(echo),
    ) {
        let k = Key::new(&key).expect("generated keys are valid");
        let red = webhook::redact(&text, &k);
        prop_assert_eq!(key_run_in(&red, &key), None, "{:?} -> {:?}", text, red);
        // Text that was not the key's is kept.
        let w = Webhook::new(&Url::parse("http://127.0.0.1:1").expect("url"), k);
        prop_assert_eq!(w.redact(&text), red);
    }

    /// Any text at all: parsing never panics, and neither the webhook nor the
    /// error shows 8 characters of the key-like part of the input.
    #[test]
    fn any_input_is_parsed_or_refused_without_showing_it(
        prefix in "[ -~]{0,30}",
        secret in "[A-Za-z0-9_-]{8,40}",
        suffix in "[ -~企]{0,30}",
    ) {
        let input = format!("{prefix}{secret}{suffix}");
        let shown = match Webhook::parse(&input, &default_base()) {
            Ok(w) => {
                // Only what was taken as the key is a secret; the rest of a
                // URL (its host, path) is shown as it is.
                let key = w.key().expose().to_owned();
                let shown = format!("{w} {w:?} {}", w.host());
                prop_assert_eq!(key_run_in(&shown, &key), None, "{}", shown);
                return Ok(());
            }
            Err(e) => format!("{e} {e:?}"),
        };
        // The messages quote an example key of zeros and the default URL:
        // runs of those are not the user's.
        if let Some(run) = key_run_in(&shown, &secret) {
            prop_assert!(
                webhook::expected_forms().to_ascii_lowercase().contains(&run),
                "{:?} shown: {}", run, shown
            );
        }
    }
}
