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
            let key = match spec.label_key {
                Some(key) => key.to_owned(),
                None => text_key(spec.label),
            };
            wanted.push((format!("field.{key}"), spec.label.to_owned()));
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

/// Where a Chinese label comes from: the seed's own words for the field
/// (the label must be a part of the quoted 说明), or our shortening where
/// the seed only writes the JSON name (`url`, `appid`, `media_id`).
enum Label {
    Seed(&'static str),
    Ours(&'static str),
}

/// One row of a seed table: the field's path, its 说明, and our label.
type Row = (&'static str, &'static str, Label);

/// Every form label, in Chinese, against the seed 001 tables: the field's
/// path, the seed's 说明 for it (quoted, spaces as in the seed), and the
/// label. A user who knows the official page recognises each one, and two
/// fields the seed names differently (一级标题 and 卡片二级标题, both
/// `title`) no longer share one word.
#[test]
fn every_label_is_the_seeds_word_for_its_field() {
    use Label::{Ours, Seed};
    use wecom_composer::wecom::MessageKind;
    use wecom_composer::wecom::schema::{FieldKind, FieldSpec};
    let card_common: &[Row] = &[
        ("source", "卡片来源样式信息", Seed("来源")),
        ("source.icon_url", "来源图片的 url", Seed("来源图片")),
        ("source.desc", "来源图片的描述", Seed("描述")),
        ("source.desc_color", "来源文字的颜色", Seed("颜色")),
        (
            "main_title",
            "模版卡片的主要内容,包括一级标题和标题辅助信息",
            Seed("一级标题"),
        ),
        (
            "main_title.title",
            "一级标题,建议不超过 26 个字",
            Seed("一级标题"),
        ),
        (
            "main_title.desc",
            "标题辅助信息,建议不超过 30 个字",
            Seed("标题辅助信息"),
        ),
        (
            "quote_area",
            "引用文献样式,建议不与关键数据共用",
            Seed("引用文献样式"),
        ),
        (
            "quote_area.type",
            "引用文献样式区域点击事件",
            Seed("点击事件"),
        ),
        ("quote_area.url", "点击跳转的 url", Ours("链接")),
        (
            "quote_area.appid",
            "点击跳转的小程序的 appid",
            Ours("小程序 appid"),
        ),
        (
            "quote_area.pagepath",
            "点击跳转的小程序的 pagepath",
            Ours("小程序 pagepath"),
        ),
        ("quote_area.title", "引用文献样式的标题", Seed("标题")),
        (
            "quote_area.quote_text",
            "引用文献样式的引用文案",
            Seed("引用文案"),
        ),
        (
            "horizontal_content_list",
            "二级标题+文本列表",
            Seed("二级标题+文本列表"),
        ),
        (
            "horizontal_content_list.type",
            "模版卡片的二级标题信息内容支持的类型",
            Seed("类型"),
        ),
        (
            "horizontal_content_list.keyname",
            "二级标题,建议不超过 5 个字",
            Seed("二级标题"),
        ),
        (
            "horizontal_content_list.value",
            "二级文本",
            Seed("二级文本"),
        ),
        (
            "horizontal_content_list.url",
            "链接跳转的 url",
            Seed("链接"),
        ),
        (
            "horizontal_content_list.media_id",
            "附件的 media_id",
            Ours("附件 media_id"),
        ),
        (
            "horizontal_content_list.userid",
            "成员详情的 userid",
            Ours("成员 userid"),
        ),
        ("jump_list", "跳转指引样式的列表", Seed("跳转指引")),
        ("jump_list.type", "跳转链接类型", Seed("类型")),
        (
            "jump_list.title",
            "跳转链接样式的文案内容,建议不超过 13 个字",
            Seed("文案内容"),
        ),
        ("jump_list.url", "跳转链接的 url", Seed("链接")),
        (
            "jump_list.appid",
            "跳转链接的小程序的 appid",
            Ours("小程序 appid"),
        ),
        (
            "jump_list.pagepath",
            "跳转链接的小程序的 pagepath",
            Ours("小程序 pagepath"),
        ),
        // The seed names the object by its click (整体卡片的点击跳转事件)
        // and its type 卡片跳转类型; the term is 卡片跳转.
        ("card_action", "整体卡片的点击跳转事件", Ours("卡片跳转")),
        ("card_action.type", "卡片跳转类型", Seed("卡片跳转类型")),
        ("card_action.url", "跳转事件的 url", Ours("链接")),
        (
            "card_action.appid",
            "跳转事件的小程序的 appid",
            Ours("小程序 appid"),
        ),
        (
            "card_action.pagepath",
            "跳转事件的小程序的 pagepath",
            Ours("小程序 pagepath"),
        ),
    ];
    let text_notice: &[Row] = &[
        ("emphasis_content", "关键数据样式", Seed("关键数据")),
        (
            "emphasis_content.title",
            "关键数据样式的数据内容",
            Seed("数据内容"),
        ),
        (
            "emphasis_content.desc",
            "关键数据样式的数据描述内容",
            Seed("数据描述"),
        ),
        (
            "sub_title_text",
            "二级普通文本,建议不超过 112 个字",
            Seed("二级普通文本"),
        ),
    ];
    let news_notice: &[Row] = &[
        ("card_image", "图片样式", Seed("图片样式")),
        ("card_image.url", "图片的 url", Ours("图片链接")),
        ("card_image.aspect_ratio", "图片的宽高比", Seed("宽高比")),
        ("image_text_area", "左图右文样式", Seed("左图右文")),
        (
            "image_text_area.type",
            "左图右文样式区域点击事件",
            Seed("点击事件"),
        ),
        ("image_text_area.url", "点击跳转的 url", Ours("链接")),
        (
            "image_text_area.appid",
            "点击跳转的小程序的 appid",
            Ours("小程序 appid"),
        ),
        (
            "image_text_area.pagepath",
            "点击跳转的小程序的 pagepath",
            Ours("小程序 pagepath"),
        ),
        ("image_text_area.title", "左图右文样式的标题", Seed("标题")),
        ("image_text_area.desc", "左图右文样式的描述", Seed("描述")),
        (
            "image_text_area.image_url",
            "左图右文样式的图片 url",
            Ours("图片链接"),
        ),
        (
            "vertical_content_list",
            "卡片二级垂直内容",
            Seed("卡片二级垂直内容"),
        ),
        (
            "vertical_content_list.title",
            "卡片二级标题,建议不超过 26 个字",
            Seed("卡片二级标题"),
        ),
        (
            "vertical_content_list.desc",
            "二级普通文本,建议不超过 112 个字",
            Seed("二级普通文本"),
        ),
    ];
    let news: &[Row] = &[
        (
            "articles",
            "图文消息,一个图文消息支持 1 到 8 条图文",
            Seed("图文"),
        ),
        ("articles.title", "标题,不超过 128 个字节", Seed("标题")),
        (
            "articles.description",
            "描述,不超过 512 个字节",
            Seed("描述"),
        ),
        ("articles.url", "点击后跳转的链接", Seed("链接")),
        ("articles.picurl", "图文消息的图片链接", Seed("图片链接")),
    ];
    let text: &[Row] = &[
        ("content", "文本内容,最长不超过 2048 个字节", Seed("内容")),
        (
            "mentioned_list",
            "userid 的列表,提醒群中的指定成员",
            Ours("提醒成员 userid"),
        ),
        (
            "mentioned_mobile_list",
            "手机号列表,提醒手机号对应的群成员",
            Seed("提醒手机号"),
        ),
    ];
    let tables: Vec<(MessageKind, Vec<&Row>)> = vec![
        (
            MessageKind::TextNotice,
            card_common.iter().chain(text_notice).collect(),
        ),
        (
            MessageKind::NewsNotice,
            card_common.iter().chain(news_notice).collect(),
        ),
        (MessageKind::News, news.iter().collect()),
        (MessageKind::Text, text.iter().collect()),
    ];
    fn find(specs: &'static [FieldSpec], path: &str) -> Option<&'static FieldSpec> {
        let (head, rest) = path
            .split_once('.')
            .map_or((path, None), |(h, r)| (h, Some(r)));
        let spec = specs.iter().find(|s| s.key == head)?;
        match (rest, spec.kind) {
            (None, _) => Some(spec),
            (Some(rest), FieldKind::Object(inner) | FieldKind::List { items: inner, .. }) => {
                find(inner, rest)
            }
            (Some(_), _) => None,
        }
    }
    fn count(specs: &[FieldSpec]) -> usize {
        specs
            .iter()
            .map(|s| match s.kind {
                FieldKind::Object(inner) | FieldKind::List { items: inner, .. } => 1 + count(inner),
                _ => 1,
            })
            .sum()
    }
    use wecom_composer::i18n::{Lang, in_language};
    for (kind, table) in tables {
        // Every field of the kind is in its table: a new field needs its
        // seed word here too.
        assert_eq!(
            table.len(),
            count(kind.fields()),
            "{kind:?}: fields without a row here"
        );
        for (path, seed, label) in table {
            let spec =
                find(kind.fields(), path).unwrap_or_else(|| panic!("{kind:?} has no {path}"));
            let shown = in_language(Lang::ZhCn, || spec.shown_label().into_owned());
            let expected = match label {
                Seed(word) => {
                    assert!(
                        seed.contains(word),
                        "{path}: {word} is not in the seed's {seed}"
                    );
                    word
                }
                Ours(word) => word,
            };
            assert_eq!(&shown, expected, "{kind:?} {path}");
        }
    }
}
