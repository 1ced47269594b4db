//! Every rule in API-FACTS.md, with at least one passing and one failing case.
//! Limits are written out from the documents here (2048, 4096, 128, …), not
//! taken from the crate's own constants, so a wrong constant fails a test.

use serde_json::{Value, json};
use wecom_composer::wecom::media::{self, MediaKind, UploadFacts, check_upload};
use wecom_composer::wecom::{Message, Problem, Rule, Severity, validate};

fn msg(v: Value) -> Message {
    Message::from_value(v).unwrap_or_else(|e| panic!("fixture does not parse: {e}"))
}

fn problems(v: Value) -> Vec<Problem> {
    validate(&msg(v))
}

/// The problems at `path`, as (severity, rule).
fn at(problems: &[Problem], path: &str) -> Vec<(Severity, Rule)> {
    problems
        .iter()
        .filter(|p| p.path == path)
        .map(|p| (p.severity, p.rule))
        .collect()
}

fn errors(problems: &[Problem]) -> Vec<&Problem> {
    problems.iter().filter(|p| p.is_error()).collect()
}

fn assert_clean(v: Value) {
    let p = problems(v);
    assert!(errors(&p).is_empty(), "unexpected errors: {p:#?}");
}

/// A string of exactly `bytes` UTF-8 bytes, mostly 3-byte Chinese characters.
fn cjk_bytes(bytes: usize) -> String {
    let mut s = "汉".repeat(bytes / 3);
    s.push_str(&"a".repeat(bytes % 3));
    assert_eq!(s.len(), bytes);
    s
}

// ---------------------------------------------------------------- text

#[test]
fn text_content_is_required() {
    let p = problems(json!({"msgtype":"text","text":{"content":""}}));
    assert_eq!(
        at(&p, "text.content"),
        vec![(Severity::Error, Rule::Required)]
    );
    let p = problems(json!({"msgtype":"text","text":{}}));
    assert_eq!(
        at(&p, "text.content"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_clean(json!({"msgtype":"text","text":{"content":"hello world"}}));
}

#[test]
fn text_content_is_at_most_2048_utf8_bytes() {
    assert_clean(json!({"msgtype":"text","text":{"content": cjk_bytes(2048)}}));
    let p = problems(json!({"msgtype":"text","text":{"content": cjk_bytes(2049)}}));
    assert_eq!(
        at(&p, "text.content"),
        vec![(Severity::Error, Rule::TooManyBytes)]
    );
    // Characters are not bytes: 683 Chinese characters are 2049 bytes.
    assert!(p[0].message.contains("2,049 bytes"), "{}", p[0].message);
    assert!(
        p[0].fix.contains("1 bytes") || p[0].fix.contains("by 1"),
        "{}",
        p[0].fix
    );
}

#[test]
fn text_mentions_allow_at_all_in_both_lists() {
    assert_clean(json!({"msgtype":"text","text":{"content":"x",
        "mentioned_list":["wangqing","@all"],"mentioned_mobile_list":["13800001111","@all"]}}));
    let p = problems(json!({"msgtype":"text","text":{"content":"x",
        "mentioned_list":["wang qing"],"mentioned_mobile_list":["not-a-phone"]}}));
    assert_eq!(
        at(&p, "text.mentioned_list[0]"),
        vec![(Severity::Warning, Rule::BadMention)]
    );
    assert_eq!(
        at(&p, "text.mentioned_mobile_list[0]"),
        vec![(Severity::Warning, Rule::BadMention)]
    );
}

// ---------------------------------------------------------------- markdown

#[test]
fn markdown_content_is_at_most_4096_bytes_in_both_dialects() {
    for t in ["markdown", "markdown_v2"] {
        assert_clean(json!({"msgtype": t, t: {"content": cjk_bytes(4096)}}));
        let p = problems(json!({"msgtype": t, t: {"content": cjk_bytes(4097)}}));
        assert_eq!(
            at(&p, &format!("{t}.content")),
            vec![(Severity::Error, Rule::TooManyBytes)],
            "{t}"
        );
        let p = problems(json!({"msgtype": t, t: {"content": ""}}));
        assert_eq!(
            at(&p, &format!("{t}.content")),
            vec![(Severity::Error, Rule::Required)],
            "{t}"
        );
    }
}

#[test]
fn mentioned_list_is_ignored_for_markdown_and_says_what_to_do() {
    let p = problems(
        json!({"msgtype":"markdown","markdown":{"content":"hi","mentioned_list":["wangqing"]}}),
    );
    assert_eq!(
        at(&p, "markdown.mentioned_list"),
        vec![(Severity::Warning, Rule::Ignored)]
    );
    assert!(p[0].fix.contains("<@userid>"), "{}", p[0].fix);
    assert!(errors(&p).is_empty());
}

// ---------------------------------------------------------------- image

/// A real 1×1 PNG (from the PNG specification's minimal example).
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn image_needs_base64_and_md5_of_the_raw_bytes() {
    let good = media::image_message(PNG_1X1);
    assert!(
        errors(&validate(&good)).is_empty(),
        "{:#?}",
        validate(&good)
    );
    // md5 of the raw bytes, computed outside this crate (Python hashlib).
    let Message::Image(img) = &good else {
        panic!("not an image")
    };
    assert_eq!(img.md5, "93ca32a536da1698ea979f183679af29");
    // The common mistake: the md5 of the base64 text instead of the bytes.
    let wrong = json!({"msgtype":"image","image":{"base64": b64(PNG_1X1), "md5": media::md5_hex(b64(PNG_1X1).as_bytes())}});
    assert_eq!(
        at(&problems(wrong), "image.md5"),
        vec![(Severity::Error, Rule::Md5Mismatch)]
    );
    // Upper-case hex is the same digest.
    let upper = json!({"msgtype":"image","image":{"base64": b64(PNG_1X1), "md5": media::md5_hex(PNG_1X1).to_uppercase()}});
    assert_clean(upper);
    let bad_hex = json!({"msgtype":"image","image":{"base64": b64(PNG_1X1), "md5": "MD5"}});
    assert_eq!(
        at(&problems(bad_hex), "image.md5"),
        vec![(Severity::Error, Rule::Md5Format)]
    );
    let missing = json!({"msgtype":"image","image":{"base64": b64(PNG_1X1)}});
    assert_eq!(
        at(&problems(missing), "image.md5"),
        vec![(Severity::Error, Rule::Required)]
    );
    let not_b64 =
        json!({"msgtype":"image","image":{"base64": "DATA!", "md5": media::md5_hex(b"x")}});
    assert_eq!(
        at(&problems(not_b64), "image.base64"),
        vec![(Severity::Error, Rule::InvalidBase64)]
    );
}

#[test]
fn image_is_at_most_2_mib_before_base64() {
    let mut exact = PNG_1X1.to_vec();
    exact.resize(2 * 1024 * 1024, 0);
    assert!(errors(&validate(&media::image_message(&exact))).is_empty());
    exact.push(0);
    let p = validate(&media::image_message(&exact));
    assert_eq!(
        at(&p, "image.base64"),
        vec![(Severity::Error, Rule::ImageTooLarge)]
    );
}

#[test]
fn image_is_jpg_or_png_by_magic_bytes() {
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    assert!(errors(&validate(&media::image_message(&jpeg))).is_empty());
    for (bytes, name) in [
        (b"GIF89a\x01\x00\x01\x00".to_vec(), "GIF"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ".to_vec(), "WebP"),
        (b"BM\x3a\x00\x00\x00".to_vec(), "BMP"),
        (b"hello, not a picture".to_vec(), "not a JPG or PNG"),
    ] {
        let p = validate(&media::image_message(&bytes));
        assert_eq!(
            at(&p, "image.base64"),
            vec![(Severity::Error, Rule::ImageFormat)],
            "{name}"
        );
        assert!(p[0].message.contains(name), "{}", p[0].message);
    }
}

// ---------------------------------------------------------------- news

fn article(i: usize) -> Value {
    json!({"title": format!("标题 {i}"), "url": "https://example.com/a"})
}

#[test]
fn news_has_1_to_8_articles() {
    let p = problems(json!({"msgtype":"news","news":{"articles":[]}}));
    assert_eq!(
        at(&p, "news.articles"),
        vec![(Severity::Error, Rule::TooFewItems)]
    );
    assert_clean(json!({"msgtype":"news","news":{"articles":[article(1)]}}));
    let eight: Vec<Value> = (0..8).map(article).collect();
    assert_clean(json!({"msgtype":"news","news":{"articles": eight}}));
    let nine: Vec<Value> = (0..9).map(article).collect();
    let p = problems(json!({"msgtype":"news","news":{"articles": nine}}));
    assert_eq!(
        at(&p, "news.articles"),
        vec![(Severity::Error, Rule::TooManyItems)]
    );
}

#[test]
fn news_article_title_and_url_are_required() {
    let p =
        problems(json!({"msgtype":"news","news":{"articles":[article(0), {"description":"d"}]}}));
    assert_eq!(
        at(&p, "news.articles[1].title"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "news.articles[1].url"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert!(at(&p, "news.articles[0].title").is_empty());
}

#[test]
fn news_title_over_128_and_description_over_512_bytes_are_cut_not_refused() {
    assert_clean(
        json!({"msgtype":"news","news":{"articles":[{"title": cjk_bytes(128), "description": cjk_bytes(512), "url":"https://x.cn"}]}}),
    );
    let p = problems(
        json!({"msgtype":"news","news":{"articles":[{"title": cjk_bytes(129), "description": cjk_bytes(513), "url":"https://x.cn"}]}}),
    );
    assert_eq!(
        at(&p, "news.articles[0].title"),
        vec![(Severity::Warning, Rule::Truncated)]
    );
    assert_eq!(
        at(&p, "news.articles[0].description"),
        vec![(Severity::Warning, Rule::Truncated)]
    );
    assert!(errors(&p).is_empty());
}

// ---------------------------------------------------------------- file, voice

#[test]
fn file_and_voice_need_a_media_id() {
    for t in ["file", "voice"] {
        assert_clean(json!({"msgtype": t, t: {"media_id": "3a8asd892asd8asd"}}));
        let p = problems(json!({"msgtype": t, t: {}}));
        assert_eq!(
            at(&p, &format!("{t}.media_id")),
            vec![(Severity::Error, Rule::Required)]
        );
    }
}

#[test]
fn uploads_are_larger_than_5_bytes_and_files_at_most_20_mib() {
    let facts = |size| UploadFacts {
        size,
        voice_seconds: None,
    };
    let rule = |p: Vec<Problem>| p.into_iter().map(|p| p.rule).collect::<Vec<_>>();
    assert_eq!(
        rule(check_upload(MediaKind::File, &facts(5), b"hello")),
        vec![Rule::UploadSize]
    );
    assert!(check_upload(MediaKind::File, &facts(6), b"hello!").is_empty());
    assert!(check_upload(MediaKind::File, &facts(20 * 1024 * 1024), b"PK").is_empty());
    assert_eq!(
        rule(check_upload(
            MediaKind::File,
            &facts(20 * 1024 * 1024 + 1),
            b"PK"
        )),
        vec![Rule::UploadSize]
    );
}

#[test]
fn voice_is_amr_at_most_2_mib_and_60_seconds() {
    let amr = b"#!AMR\n\x3c";
    let voice = |size, secs| UploadFacts {
        size,
        voice_seconds: Some(secs),
    };
    assert!(check_upload(MediaKind::Voice, &voice(1000, 60.0), amr).is_empty());
    let rules = |p: Vec<Problem>| p.into_iter().map(|p| p.rule).collect::<Vec<_>>();
    assert_eq!(
        rules(check_upload(MediaKind::Voice, &voice(1000, 60.02), amr)),
        vec![Rule::VoiceTooLong]
    );
    assert_eq!(
        rules(check_upload(
            MediaKind::Voice,
            &voice(2 * 1024 * 1024 + 1, 10.0),
            amr
        )),
        vec![Rule::UploadSize]
    );
    assert!(check_upload(MediaKind::Voice, &voice(2 * 1024 * 1024, 10.0), amr).is_empty());
    assert_eq!(
        rules(check_upload(
            MediaKind::Voice,
            &voice(1000, 1.0),
            b"RIFF....WAVE"
        )),
        vec![Rule::UploadFormat]
    );
}

#[test]
fn inspect_upload_times_a_real_amr_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clip.amr");
    let mut clip = b"#!AMR\n".to_vec();
    for _ in 0..(61 * 50) {
        clip.push(0x3C);
        clip.extend([0u8; 31]);
    }
    std::fs::write(&path, &clip).expect("write");
    let (facts, p) = media::inspect_upload(&path, MediaKind::Voice).expect("inspect");
    assert_eq!(facts.voice_seconds, Some(61.0));
    assert_eq!(
        p.iter().map(|p| p.rule).collect::<Vec<_>>(),
        vec![Rule::VoiceTooLong]
    );
}

// ---------------------------------------------------------------- template cards

fn text_notice(extra: Value) -> Value {
    let mut card = json!({
        "card_type": "text_notice",
        "main_title": {"title": "部署完成"},
        "card_action": {"type": 1, "url": "https://example.com"}
    });
    merge(&mut card, extra);
    json!({"msgtype":"template_card","template_card": card})
}

fn news_notice(extra: Value) -> Value {
    let mut card = json!({
        "card_type": "news_notice",
        "main_title": {"title": "周报"},
        "card_image": {"url": "https://example.com/a.png"},
        "card_action": {"type": 1, "url": "https://example.com"}
    });
    merge(&mut card, extra);
    json!({"msgtype":"template_card","template_card": card})
}

fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            if v.is_null() {
                b.remove(&k);
            } else {
                b.insert(k, v);
            }
        }
    }
}

#[test]
fn card_type_must_be_text_notice_or_news_notice() {
    let bad = json!({"msgtype":"template_card","template_card":{"card_type":"button_interaction"}});
    let err = Message::from_value(bad).unwrap_err().to_string();
    assert!(
        err.contains("template_card.card_type") && err.contains("text_notice"),
        "{err}"
    );
    let missing = json!({"msgtype":"template_card","template_card":{}});
    assert!(Message::from_value(missing).is_err());
}

#[test]
fn card_action_is_required_on_both_cards() {
    for card in [
        text_notice(json!({"card_action": null})),
        news_notice(json!({"card_action": null})),
    ] {
        let p = problems(card);
        assert_eq!(
            at(&p, "template_card.card_action"),
            vec![(Severity::Error, Rule::Required)]
        );
    }
    assert_clean(text_notice(json!({})));
    assert_clean(news_notice(json!({})));
}

#[test]
fn card_action_type_1_needs_url_and_type_2_needs_appid() {
    let p = problems(text_notice(json!({"card_action": {"type": 1}})));
    assert_eq!(
        at(&p, "template_card.card_action.url"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert!(p[0].message.contains("type is 1"), "{}", p[0].message);
    let p = problems(text_notice(
        json!({"card_action": {"type": 2, "url": "https://x.cn"}}),
    ));
    assert_eq!(
        at(&p, "template_card.card_action.appid"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert!(at(&p, "template_card.card_action.url").is_empty());
    assert_clean(text_notice(
        json!({"card_action": {"type": 2, "appid": "wx123"}}),
    ));
    assert_clean(text_notice(
        json!({"card_action": {"type": 2, "appid": "wx123", "pagepath": "pages/index"}}),
    ));
    let p = problems(text_notice(
        json!({"card_action": {"type": 3, "url": "https://x.cn"}}),
    ));
    assert_eq!(
        at(&p, "template_card.card_action.type"),
        vec![(Severity::Error, Rule::NotAChoice)]
    );
    let p = problems(text_notice(json!({"card_action": {"url": "https://x.cn"}})));
    assert_eq!(
        at(&p, "template_card.card_action.type"),
        vec![(Severity::Error, Rule::Required)]
    );
}

#[test]
fn text_notice_needs_main_title_or_sub_title_text() {
    let p = problems(text_notice(json!({"main_title": null})));
    assert_eq!(
        at(&p, "template_card.main_title.title"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_clean(text_notice(
        json!({"main_title": null, "sub_title_text": "正文"}),
    ));
    assert_clean(text_notice(json!({"main_title": {"title": "标题"}})));
}

#[test]
fn news_notice_needs_main_title_and_card_image_with_url() {
    let p = problems(news_notice(json!({"main_title": null, "card_image": null})));
    assert_eq!(
        at(&p, "template_card.main_title"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.card_image"),
        vec![(Severity::Error, Rule::Required)]
    );
    let p = problems(news_notice(
        json!({"main_title": {"desc": "only a desc"}, "card_image": {"aspect_ratio": 1.5}}),
    ));
    assert_eq!(
        at(&p, "template_card.main_title.title"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.card_image.url"),
        vec![(Severity::Error, Rule::Required)]
    );
}

#[test]
fn aspect_ratio_is_within_1_3_and_2_25() {
    for ok in [1.31, 1.78, 2.24] {
        let p = problems(news_notice(
            json!({"card_image": {"url": "https://x.cn/a.png", "aspect_ratio": ok}}),
        ));
        assert!(
            at(&p, "template_card.card_image.aspect_ratio").is_empty(),
            "{ok}: {p:#?}"
        );
    }
    for bad in [1.29, 2.26, 0.0, -1.5] {
        let p = problems(news_notice(
            json!({"card_image": {"url": "https://x.cn/a.png", "aspect_ratio": bad}}),
        ));
        assert_eq!(
            at(&p, "template_card.card_image.aspect_ratio"),
            vec![(Severity::Error, Rule::OutOfRange)],
            "{bad}"
        );
    }
}

/// Seed 001: "宽高比要小于 2.25,大于 1.3,不填该参数默认 1.3", and its example
/// uses 2.25. The ends are accepted, with a warning in the page's words.
#[test]
fn aspect_ratio_at_exactly_1_3_or_2_25_is_a_warning_quoting_the_page() {
    for end in [1.3, 2.25] {
        let p = problems(news_notice(
            json!({"card_image": {"url": "https://x.cn/a.png", "aspect_ratio": end}}),
        ));
        assert_eq!(
            at(&p, "template_card.card_image.aspect_ratio"),
            vec![(Severity::Warning, Rule::OutOfRange)],
            "{end}: {p:#?}"
        );
        assert!(errors(&p).is_empty(), "{p:#?}");
        let warning = &p[0];
        assert!(
            warning
                .message
                .contains("宽高比要小于 2.25,大于 1.3,不填该参数默认 1.3"),
            "{}",
            warning.message
        );
        assert!(
            warning.message.contains(&format!("exactly {end}")),
            "{}",
            warning.message
        );
    }
    // Left out, the default applies and nothing is said.
    let p = problems(news_notice(json!({})));
    assert!(at(&p, "template_card.card_image.aspect_ratio").is_empty());
}

#[test]
fn counts_of_one_are_singular() {
    // One byte over the 2048-byte limit of text.content.
    let p = problems(json!({"msgtype":"text","text":{"content": "a".repeat(2049)}}));
    let over = p
        .iter()
        .find(|p| p.path == "text.content")
        .unwrap_or_else(|| panic!("no problem on text.content: {p:#?}"));
    assert!(over.fix.contains("by 1 byte "), "{}", over.fix);
    assert!(!over.fix.contains("1 bytes"), "{}", over.fix);
    // Two bytes over: plural.
    let p = problems(json!({"msgtype":"text","text":{"content": "a".repeat(2050)}}));
    assert!(p[0].fix.contains("by 2 bytes "), "{}", p[0].fix);
    // A news title 1 byte over what the server keeps.
    let p = problems(json!({"msgtype":"news","news":{"articles":[
        {"title": "a".repeat(129), "url": "https://x.cn"}]}}));
    let cut = p
        .iter()
        .find(|p| p.path == "news.articles[0].title")
        .unwrap_or_else(|| panic!("no problem on the title: {p:#?}"));
    assert!(cut.fix.contains("by 1 byte "), "{}", cut.fix);
    // No articles: "at least 1 item is required".
    let p = problems(json!({"msgtype":"news","news":{"articles":[]}}));
    let few = p
        .iter()
        .find(|p| p.rule == Rule::TooFewItems)
        .unwrap_or_else(|| panic!("no TooFewItems: {p:#?}"));
    assert!(
        few.message
            .ends_with("has 0 items; at least 1 item is required."),
        "{}",
        few.message
    );
}

/// Seed 001: image_text_area.type and jump_list.type are 0 (or absent), 1 or
/// 2; horizontal_content_list.type is 1, 2 or 3; card_action.type is 1 or 2.
#[test]
fn undocumented_type_values_are_refused() {
    let p = problems(news_notice(
        json!({"image_text_area": {"type": 3, "image_url": "https://x.cn/p.png"}}),
    ));
    assert_eq!(
        at(&p, "template_card.image_text_area.type"),
        vec![(Severity::Error, Rule::NotAChoice)]
    );
    for bad in [-1, 3, 7] {
        let p = problems(text_notice(
            json!({"jump_list": [{"type": bad, "title": "链接"}]}),
        ));
        assert_eq!(
            at(&p, "template_card.jump_list[0].type"),
            vec![(Severity::Error, Rule::NotAChoice)],
            "jump_list type {bad}"
        );
    }
    for bad in [4, 9, -2] {
        let p = problems(text_notice(
            json!({"horizontal_content_list": [{"keyname": "键", "value": "值", "type": bad}]}),
        ));
        assert_eq!(
            at(&p, "template_card.horizontal_content_list[0].type"),
            vec![(Severity::Error, Rule::NotAChoice)],
            "horizontal_content_list type {bad}"
        );
    }
    for bad in [0, 3] {
        let p = problems(news_notice(
            json!({"card_action": {"type": bad, "url": "https://x.cn", "appid": "wx1"}}),
        ));
        assert_eq!(
            at(&p, "template_card.card_action.type"),
            vec![(Severity::Error, Rule::NotAChoice)],
            "news_notice card_action type {bad}"
        );
    }
    for good in [1, 2] {
        assert_clean(news_notice(
            json!({"card_action": {"type": good, "url": "https://x.cn", "appid": "wx1"}}),
        ));
    }
}

#[test]
fn image_text_area_needs_image_url_and_its_type_fields() {
    assert_clean(news_notice(
        json!({"image_text_area": {"image_url": "https://x.cn/p.png"}}),
    ));
    let p = problems(news_notice(
        json!({"image_text_area": {"type": 1, "title": "t"}}),
    ));
    assert_eq!(
        at(&p, "template_card.image_text_area.image_url"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.image_text_area.url"),
        vec![(Severity::Error, Rule::Required)]
    );
    let p = problems(news_notice(
        json!({"image_text_area": {"type": 2, "image_url": "https://x.cn/p.png"}}),
    ));
    assert_eq!(
        at(&p, "template_card.image_text_area.appid"),
        vec![(Severity::Error, Rule::Required)]
    );
}

#[test]
fn quote_area_type_decides_url_or_appid() {
    assert_clean(text_notice(
        json!({"quote_area": {"type": 0, "quote_text": "引用"}}),
    ));
    assert_clean(text_notice(json!({"quote_area": {"quote_text": "引用"}})));
    let p = problems(text_notice(json!({"quote_area": {"type": 1}})));
    assert_eq!(
        at(&p, "template_card.quote_area.url"),
        vec![(Severity::Error, Rule::Required)]
    );
    let p = problems(text_notice(json!({"quote_area": {"type": 2}})));
    assert_eq!(
        at(&p, "template_card.quote_area.appid"),
        vec![(Severity::Error, Rule::Required)]
    );
    let p = problems(text_notice(json!({"quote_area": {"type": 5}})));
    assert_eq!(
        at(&p, "template_card.quote_area.type"),
        vec![(Severity::Error, Rule::NotAChoice)]
    );
}

#[test]
fn horizontal_content_list_has_at_most_6_rows_each_with_its_type_field() {
    let row = json!({"keyname": "邀请人", "value": "张三"});
    assert_clean(text_notice(
        json!({"horizontal_content_list": vec![row.clone(); 6]}),
    ));
    let p = problems(text_notice(
        json!({"horizontal_content_list": vec![row.clone(); 7]}),
    ));
    assert_eq!(
        at(&p, "template_card.horizontal_content_list"),
        vec![(Severity::Error, Rule::TooManyItems)]
    );
    let p = problems(text_notice(json!({"horizontal_content_list": [
        {"value": "no key"},
        {"keyname": "官网", "type": 1},
        {"keyname": "下载", "type": 2, "value": "a.apk"},
        {"keyname": "成员", "type": 3},
        {"keyname": "好", "type": 1, "url": "https://x.cn"},
    ]})));
    assert_eq!(
        at(&p, "template_card.horizontal_content_list[0].keyname"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.horizontal_content_list[1].url"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.horizontal_content_list[2].media_id"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.horizontal_content_list[3].userid"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert!(at(&p, "template_card.horizontal_content_list[4].url").is_empty());
}

#[test]
fn jump_list_has_at_most_3_links_with_title_and_type_fields() {
    let link = json!({"type": 1, "url": "https://x.cn", "title": "官网"});
    assert_clean(text_notice(json!({"jump_list": vec![link.clone(); 3]})));
    let p = problems(text_notice(json!({"jump_list": vec![link.clone(); 4]})));
    assert_eq!(
        at(&p, "template_card.jump_list"),
        vec![(Severity::Error, Rule::TooManyItems)]
    );
    let p = problems(text_notice(
        json!({"jump_list": [link, {"type": 1, "title": "x"}, {"type": 2, "title": "小程序"}, {"type": 0}]}),
    ));
    assert_eq!(
        at(&p, "template_card.jump_list[1].url"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.jump_list[2].appid"),
        vec![(Severity::Error, Rule::Required)]
    );
    assert_eq!(
        at(&p, "template_card.jump_list[3].title"),
        vec![(Severity::Error, Rule::Required)]
    );
}

#[test]
fn vertical_content_list_has_at_most_4_rows_with_a_title() {
    let row = json!({"title": "惊喜红包等你来拿"});
    assert_clean(news_notice(
        json!({"vertical_content_list": vec![row.clone(); 4]}),
    ));
    let p = problems(news_notice(json!({"vertical_content_list": vec![row; 5]})));
    assert_eq!(
        at(&p, "template_card.vertical_content_list"),
        vec![(Severity::Error, Rule::TooManyItems)]
    );
    let p = problems(news_notice(
        json!({"vertical_content_list": [{"desc": "no title"}]}),
    ));
    assert_eq!(
        at(&p, "template_card.vertical_content_list[0].title"),
        vec![(Severity::Error, Rule::Required)]
    );
}

#[test]
fn source_desc_color_is_0_to_3() {
    for c in 0..=3 {
        assert_clean(text_notice(
            json!({"source": {"desc": "企业微信", "desc_color": c}}),
        ));
    }
    let p = problems(text_notice(json!({"source": {"desc_color": 4}})));
    assert_eq!(
        at(&p, "template_card.source.desc_color"),
        vec![(Severity::Error, Rule::NotAChoice)]
    );
    assert!(
        p[0].fix.contains("0 (grey)") && p[0].fix.contains("3 (green)"),
        "{}",
        p[0].fix
    );
}

#[test]
fn recommended_lengths_are_warnings_counted_in_characters() {
    // (field, recommended characters) as written in seed 001: 建议不超过 N 个字.
    let cases = [
        ("main_title", "title", 26),
        ("main_title", "desc", 30),
        ("emphasis_content", "title", 10),
        ("emphasis_content", "desc", 15),
        ("source", "desc", 13),
    ];
    for (obj, key, n) in cases {
        let ok = text_notice(json!({obj: {key: "字".repeat(n)}, "sub_title_text": "x"}));
        assert!(problems(ok).is_empty(), "{obj}.{key} at {n}");
        let long = text_notice(json!({obj: {key: "字".repeat(n + 1)}, "sub_title_text": "x"}));
        let p = problems(long);
        assert_eq!(
            at(&p, &format!("template_card.{obj}.{key}")),
            vec![(Severity::Warning, Rule::LongerThanRecommended)],
            "{obj}.{key}"
        );
        assert!(
            p.iter()
                .any(|p| p.message.contains(&format!("建议不超过 {n} 个字")))
        );
    }
    let p = problems(text_notice(json!({"sub_title_text": "字".repeat(113)})));
    assert_eq!(
        at(&p, "template_card.sub_title_text"),
        vec![(Severity::Warning, Rule::LongerThanRecommended)]
    );
    let p = problems(text_notice(
        json!({"jump_list": [{"title": "字".repeat(14)}]}),
    ));
    assert_eq!(
        at(&p, "template_card.jump_list[0].title"),
        vec![(Severity::Warning, Rule::LongerThanRecommended)]
    );
    let p = problems(text_notice(
        json!({"horizontal_content_list": [{"keyname": "字".repeat(6)}]}),
    ));
    assert_eq!(
        at(&p, "template_card.horizontal_content_list[0].keyname"),
        vec![(Severity::Warning, Rule::LongerThanRecommended)]
    );
    let p = problems(news_notice(
        json!({"vertical_content_list": [{"title": "字".repeat(27), "desc": "字".repeat(113)}]}),
    ));
    assert_eq!(
        at(&p, "template_card.vertical_content_list[0].title"),
        vec![(Severity::Warning, Rule::LongerThanRecommended)]
    );
    assert_eq!(
        at(&p, "template_card.vertical_content_list[0].desc"),
        vec![(Severity::Warning, Rule::LongerThanRecommended)]
    );
}

#[test]
fn all_problems_come_back_at_once_errors_first() {
    let p = problems(text_notice(json!({
        "main_title": {"desc": "字".repeat(31)},
        "card_action": {"type": 1},
        "jump_list": [{"type": 2, "title": "a"}, {"type": 1, "title": "b"}],
    })));
    let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "template_card.main_title.title",
        "template_card.main_title.desc",
        "template_card.card_action.url",
        "template_card.jump_list[0].appid",
        "template_card.jump_list[1].url",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    let first_warning = p.iter().position(|p| !p.is_error()).expect("a warning");
    assert!(
        p[first_warning..].iter().all(|p| !p.is_error()),
        "errors must come first"
    );
    assert!(
        p.iter().all(|p| !p.fix.is_empty()),
        "every problem says how to fix it"
    );
}

#[test]
fn unknown_fields_and_wrong_types_name_their_path() {
    // An unknown field is accepted (WeCom does not say it refuses them) and
    // named in a warning at its path.
    let parsed = Message::parse(json!({"msgtype":"template_card","template_card":{
        "card_type":"text_notice","main_title":{"titel":"typo"}}}))
    .expect("undocumented fields are accepted");
    let problems = wecom_composer::wecom::validate::validate_parsed(&parsed);
    let typo = problems
        .iter()
        .find(|p| p.path == "template_card.main_title.titel")
        .unwrap_or_else(|| panic!("no warning for the typo: {problems:?}"));
    assert!(!typo.is_error(), "{typo}");
    assert!(typo.message.contains("`titel`"), "{typo}");
    let err = Message::from_value(json!({"msgtype":"news","news":{"articles":[{"title":1}]}}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("news.articles[0].title"), "{err}");
    let err = Message::from_value(json!({"msgtype":"TEXT","TEXT":{"content":"x"}}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"TEXT\" is not a WeCom message type"),
        "{err}"
    );
}

#[test]
fn absent_optional_fields_are_omitted_not_null() {
    let m = msg(json!({"msgtype":"text","text":{"content":"hi"}}));
    assert_eq!(m.to_json(), r#"{"msgtype":"text","text":{"content":"hi"}}"#);
    let card = msg(text_notice(json!({})));
    assert!(!card.to_json().contains("null"), "{}", card.to_json());
}

#[test]
fn the_sample_voice_clip_plays_for_three_seconds() {
    // ffmpeg decodes assets/sample.amr to 24,000 samples at 8 kHz: 3.0 s.
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.amr")).expect("asset");
    assert_eq!(media::amr_duration_seconds(&bytes), Some(3.0));
}
