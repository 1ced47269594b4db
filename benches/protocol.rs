//! Validation and serialisation of the heaviest messages: a full news_notice
//! card (every field, lists at their maximum) and a 4096-byte markdown message.
//!
//! Run with `cargo bench --bench protocol`.

use divan::{Bencher, black_box};
use serde_json::json;
use wecom_composer::wecom::{Message, validate};

fn main() {
    divan::main();
}

fn full_news_notice() -> Message {
    let horizontal: Vec<_> = (0..6)
        .map(|i| json!({"keyname": format!("键{i}"), "value": "值", "type": 1, "url": "https://work.weixin.qq.com/?from=openApi"}))
        .collect();
    let jumps: Vec<_> = (0..3)
        .map(|i| json!({"type": 1, "url": "https://work.weixin.qq.com/?from=openApi", "title": format!("链接{i}")}))
        .collect();
    let vertical: Vec<_> = (0..4)
        .map(|i| json!({"title": format!("惊喜红包等你来拿 {i}"), "desc": "下载企业微信还能抢红包!"}))
        .collect();
    Message::from_value(json!({
        "msgtype": "template_card",
        "template_card": {
            "card_type": "news_notice",
            "source": {"icon_url": "https://wework.qpic.cn/wwpic/252813_jOfDHtcISzuodLa_1629280209/0", "desc": "企业微信", "desc_color": 0},
            "main_title": {"title": "欢迎使用企业微信", "desc": "您的好友正在邀请您加入企业微信"},
            "card_image": {"url": "https://wework.qpic.cn/wwpic/354393_4zpkKXd7SrGMvfg_1629280616/0", "aspect_ratio": 2.25},
            "image_text_area": {"type": 1, "url": "https://work.weixin.qq.com", "title": "欢迎使用企业微信", "desc": "您的好友正在邀请您加入企业微信", "image_url": "https://wework.qpic.cn/wwpic/354393_4zpkKXd7SrGMvfg_1629280616/0"},
            "quote_area": {"type": 1, "url": "https://work.weixin.qq.com/?from=openApi", "title": "引用文本标题", "quote_text": "Jack:企业微信真的很好用~\nBalian:超级好的一款软件!"},
            "vertical_content_list": vertical,
            "horizontal_content_list": horizontal,
            "jump_list": jumps,
            "card_action": {"type": 1, "url": "https://work.weixin.qq.com/?from=openApi"}
        }
    }))
    .expect("bench card parses")
}

fn markdown_4096() -> Message {
    let line = "> 类型:<font color=\"comment\">用户反馈</font> **加粗** [链接](https://work.weixin.qq.com)\n";
    let mut content = String::new();
    while content.len() + line.len() <= 4096 {
        content.push_str(line);
    }
    while content.len() < 4096 {
        content.push('x');
    }
    Message::markdown(content)
}

#[divan::bench]
fn validate_news_notice(b: Bencher) {
    let m = full_news_notice();
    b.bench(|| validate(black_box(&m)));
}

#[divan::bench]
fn serialise_news_notice(b: Bencher) {
    let m = full_news_notice();
    b.bench(|| black_box(&m).to_json());
}

#[divan::bench]
fn parse_news_notice(b: Bencher) {
    let json = full_news_notice().to_json();
    b.bench(|| Message::from_json_str(black_box(&json)));
}

#[divan::bench]
fn validate_markdown_4096(b: Bencher) {
    let m = markdown_4096();
    assert_eq!(
        m.to_value()["markdown"]["content"].as_str().map(str::len),
        Some(4096)
    );
    b.bench(|| validate(black_box(&m)));
}

#[divan::bench]
fn serialise_markdown_4096(b: Bencher) {
    let m = markdown_4096();
    b.bench(|| black_box(&m).to_json());
}

/// base64 + md5 of a 2 MiB picture: what choosing an image costs.
#[divan::bench]
fn image_message_2mib(b: Bencher) {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(2 * 1024 * 1024, 0x5a);
    b.counter(divan::counter::BytesCount::new(bytes.len()))
        .bench(|| wecom_composer::wecom::media::image_message(black_box(&bytes)));
}

/// A long report as `wecom send --split` meets it: paragraphs of prose, a
/// code block every few paragraphs, Chinese text, and one very long line.
fn long_report(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 256);
    let mut i = 0usize;
    while text.len() < bytes {
        match i % 7 {
            3 => text.push_str("```rust\nfn main() {\n    println!(\"企业微信\");\n}\n```\n\n"),
            5 => text.push_str(&"长行没有换行的中文文本".repeat(20)),
            _ => text.push_str(
                "A paragraph of an incident report, long enough to wrap twice on a phone.\nIts second line.\n\n",
            ),
        }
        i += 1;
    }
    text
}

/// Splitting is linear in the text: 8 MB at the 4096-byte markdown limit
/// must take well under 0.2 s (issue 17, item 20; it was 3.9 s).
#[divan::bench(args = [4 << 20, 8 << 20], sample_count = 5, sample_size = 1)]
fn split_at_markdown_limit(b: Bencher, bytes: usize) {
    use wecom_composer::wecom::split;
    let text = long_report(bytes);
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| split::split(black_box(&text), 4096));
}

/// Rejoining the parts of an 8 MB split (it was 7.9 s).
#[divan::bench(args = [4 << 20, 8 << 20], sample_count = 5, sample_size = 1)]
fn rejoin_markdown_parts(b: Bencher, bytes: usize) {
    use wecom_composer::wecom::split;
    let text = long_report(bytes);
    let parts = split::split(&text, 4096).unwrap_or_default();
    assert!(parts.len() > 1000);
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| split::rejoin(black_box(&parts)));
}
