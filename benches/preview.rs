//! Rendering the preview: a 4096-byte document (the server's limit for the
//! markdown types) in each dialect, as on every keystroke, and a 1 MiB
//! document in each markdown dialect, to show the renderer stays linear.
//!
//! Run with `cargo bench --bench preview`.

use divan::{Bencher, black_box};
use wecom_composer::preview::{Dialect, RenderOptions, render};

fn main() {
    divan::main();
}

/// A block using every construct of the dialect (and, for markdown, the
/// v2-only ones it shows as typed).
fn block(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Text => {
            "广州今日天气:29度,大部分多云,降雨概率:60% <@wangqing> please check the forecast\n"
        }
        Dialect::Markdown => {
            "## 部署通知\n实时新增用户反馈<font color=\"warning\">132例</font>,请 <@wangqing> 注意。\n>类型:<font color=\"comment\">用户反馈</font> **加粗** [链接](https://work.weixin.qq.com) `code`\n- 列表 *斜体*\n\n"
        }
        Dialect::MarkdownV2 => {
            "# 一、标题\n*斜体* **加粗** [链接](https://work.weixin.qq.com) `行内代码`\n- 无序列表 1\n  - 无序列表 2.1\n1. 有序列表\n> 一级引用\n>>二级引用\n![图](https://res.mail.qq.com/p.png)\n\n---\n```\n代码块\n```\n\n| 姓名 | 文化衫尺寸 | 收货地址 |\n| :----- | :----: | -------: |\n| 张三 | S | 广州 |\n\n"
        }
    }
}

/// `bytes` bytes (at most, on a character boundary) of repeated blocks.
fn document(dialect: Dialect, bytes: usize) -> String {
    let block = block(dialect);
    let mut s = block.repeat(bytes / block.len() + 1);
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s
}

const OPTS: RenderOptions<'static> = RenderOptions {
    width: 80,
    color: true,
    link_urls: true,
    mentioned_list: &[],
    mentioned_mobile_list: &[],
};

#[divan::bench(args = [Dialect::Text, Dialect::Markdown, Dialect::MarkdownV2])]
fn render_4_kib(b: Bencher, dialect: Dialect) {
    let doc = document(dialect, 4096);
    b.bench(|| render(black_box(&doc), dialect, &OPTS));
}

#[divan::bench(args = [Dialect::Markdown, Dialect::MarkdownV2], sample_count = 10, sample_size = 1)]
fn render_1_mib(b: Bencher, dialect: Dialect) {
    let doc = document(dialect, 1 << 20);
    b.bench(|| render(black_box(&doc), dialect, &OPTS));
}
