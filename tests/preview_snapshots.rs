//! The preview as it looks in a bordered pane, drawn into a `TestBackend`
//! and compared with reviewed snapshots (tests/snapshots/). The font-colour
//! snapshot is the buffer's Debug form, which lists the styles too.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Text;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use wecom_composer::preview::{Dialect, RenderOptions, hint_lines, render};

fn seed_content(file: &str, msgtype: &str) -> String {
    let path = format!("{}/tests/fixtures/seeds/{file}", env!("CARGO_MANIFEST_DIR"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("seed fixture")).expect("json");
    json[msgtype]["content"]
        .as_str()
        .expect("content")
        .to_owned()
}

/// The content in a bordered pane `width` × `height`, and the hints in a
/// pane `hint_rows` tall below it, as the composer would lay them out.
fn draw(
    src: &str,
    dialect: Dialect,
    users: &[String],
    (width, height): (u16, u16),
    hint_rows: u16,
) -> Terminal<TestBackend> {
    let rendered = render(
        src,
        dialect,
        &RenderOptions {
            // Inside the border.
            width: width - 2,
            mentioned_list: users,
            ..RenderOptions::default()
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| {
            let [preview, hints] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(hint_rows)])
                    .areas(f.area());
            f.render_widget(
                Paragraph::new(rendered.text.clone())
                    .wrap(Wrap { trim: false })
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(format!(" {} ", dialect.name())),
                    ),
                preview,
            );
            if hint_rows > 0 {
                f.render_widget(
                    Paragraph::new(Text::from(hint_lines(&rendered.hints, true)))
                        .wrap(Wrap { trim: false })
                        .block(Block::default().borders(Borders::ALL).title(" hints ")),
                    hints,
                );
            }
        })
        .expect("draw");
    terminal
}

fn screen(src: &str, dialect: Dialect, size: (u16, u16)) -> String {
    draw(src, dialect, &[], size, 0).backend().to_string()
}

#[test]
fn seed_v2_example_in_markdown_v2() {
    let src = seed_content("001_04_markdown_v2.json", "markdown_v2");
    insta::assert_snapshot!(
        "preview_seed_v2_in_v2",
        screen(&src, Dialect::MarkdownV2, (60, 42))
    );
}

#[test]
fn seed_v2_example_in_markdown() {
    let src = seed_content("001_04_markdown_v2.json", "markdown_v2");
    insta::assert_snapshot!(
        "preview_seed_v2_in_markdown",
        screen(&src, Dialect::Markdown, (60, 42))
    );
}

#[test]
fn cjk_table() {
    let src = "| 项目 | 负责人 | 进度 | 备注 |\n| :--- | :---: | ---: | --- |\n| 发布 v2.1 | 张三 | 80% | 周五上线 🚀 |\n| 数据迁移 | Li | 5% | 等待 DBA 确认，可能延期到下周 |\n| 压测 | 王五六 | 100% | |";
    insta::assert_snapshot!(
        "preview_cjk_table",
        screen(src, Dialect::MarkdownV2, (60, 12))
    );
    // The same table in a narrow pane: columns shrink, cells wrap.
    insta::assert_snapshot!(
        "preview_cjk_table_narrow",
        screen(src, Dialect::MarkdownV2, (36, 16))
    );
}

#[test]
fn three_font_colours() {
    let src = "<font color=\"info\">绿色 info</font>\n<font color=\"comment\">灰色 comment</font>\n<font color=\"warning\">橙红色 warning</font>";
    let terminal = draw(src, Dialect::Markdown, &[], (30, 5), 0);
    insta::assert_debug_snapshot!("preview_font_colours", terminal.backend().buffer());
}

#[test]
fn message_with_hints() {
    let src = "#部署通知\n请 <@zhangsan> 确认 *今晚* 的发布:\n- 后端\n- 前端\n\n| 服务 | 状态 |\n|---|---|\n| api | ok |";
    let users = ["lisi".to_owned()];
    let screen = draw(src, Dialect::Markdown, &users, (60, 30), 16)
        .backend()
        .to_string();
    insta::assert_snapshot!("preview_with_hints", screen);
}
