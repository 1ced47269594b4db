//! The composer defects of issue 17 (and 18 items 5–6), each kept fixed by a
//! test that failed before its fix.

mod common;

use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use wecom_composer::store::config::Config;
use wecom_composer::store::drafts::{Draft, Drafts};
use wecom_composer::tui::app::App;
use wecom_composer::tui::compose::FieldId;
use wecom_composer::tui::msg::{Effect, Msg, SendOutcome, UploadProgress};
use wecom_composer::tui::popup::Popup;
use wecom_composer::tui::{theme, update, view};
use wecom_composer::wecom::MessageKind;

fn chord(code: KeyCode, mods: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, mods))
}

fn draft(texts: &[(&str, &str)]) -> Draft {
    let mut d = Draft::default();
    for (k, v) in texts {
        d.texts.insert((*k).to_owned(), (*v).to_owned());
    }
    d
}

fn started(drafts: Drafts) -> (App, Vec<Effect>) {
    let mut app = App::new(startup(Config::default(), drafts));
    let fx = update(&mut app, Msg::Started);
    (app, fx)
}

fn content(app: &App) -> String {
    app.composition()
        .map(|c| c.text(FieldId::Content))
        .unwrap_or_default()
}

fn cursor(app: &App) -> (usize, usize) {
    app.composition()
        .map(|c| {
            let at = c.content.cursor();
            (at.0, at.1)
        })
        .unwrap_or_default()
}

/// The screen as text, without the key-leak check (for revealing a key).
fn raw_screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::render(app, f)).expect("draw");
    terminal.backend().to_string()
}

// ---------------------------------------------------------------- item 2

#[test]
fn the_key_typed_in_the_robot_dialog_is_masked_until_revealed() {
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(2)));
    type_text(&mut app, "lab");
    update(&mut app, key(KeyCode::Tab));
    let url = format!("http://127.0.0.1:40003/cgi-bin/webhook/send?key={FAKE_KEY}");
    update(&mut app, Msg::Paste(url.clone()));
    // `screen` fails if the key shows anywhere.
    let shown = screen(&app, 120, 35);
    assert!(
        shown.contains("•••••"),
        "the field shows mask characters:\n{shown}"
    );
    assert!(shown.contains("F3 show/hide key"), "{shown}");
    update(&mut app, key(KeyCode::F(3)));
    let revealed = raw_screen(&app, 120, 35);
    assert!(revealed.contains(FAKE_KEY), "F3 shows it:\n{revealed}");
    update(&mut app, key(KeyCode::F(3)));
    screen(&app, 120, 35);
    // The dialog still saves what was pasted.
    let fx = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(fx.first(), Some(Effect::SaveConfig(c)) if c.robots[0].webhook == url),
        "{fx:?}"
    );
}

#[test]
fn ctrl_q_quits_from_the_robot_dialog() {
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(2)));
    let fx = update(&mut app, ctrl('q'));
    assert!(matches!(fx.as_slice(), [Effect::SaveDrafts]), "{fx:?}");
    assert!(app.quitting);
}

#[test]
fn the_edit_dialog_shows_the_masked_key_whole() {
    let mut app = app(config_with_robots());
    // The robot list, then `e` on ops-alerts.
    update(&mut app, chord(KeyCode::BackTab, KeyModifiers::SHIFT));
    update(&mut app, chord(KeyCode::BackTab, KeyModifiers::SHIFT));
    update(&mut app, key(KeyCode::Char('e')));
    assert!(matches!(app.popup, Some(Popup::Robot(_))));
    let shown = screen(&app, 120, 35);
    let masked = app
        .config
        .robot("ops-alerts")
        .map(|r| r.masked_webhook(&app.config.base()))
        .expect("robot");
    assert!(shown.contains(&masked), "{masked} shown uncut:\n{shown}");
}

// ---------------------------------------------------------------- item 3

#[cfg(unix)]
#[test]
fn the_composer_log_and_its_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let _log = wecom_composer::tui::open_log(&dir).expect("log");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let log = dir.join(wecom_composer::tui::LOG_FILE_NAME);
    assert_eq!(mode(&log), 0o600);
    // One left 0644 by an older version is tightened.
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let _log = wecom_composer::tui::open_log(&dir).expect("log");
    assert_eq!(mode(&log), 0o600);
}

// ---------------------------------------------------------------- item 5

#[test]
fn a_slow_autosave_never_overwrites_the_save_at_quit() {
    use std::sync::{Arc, Mutex};
    use wecom_composer::tui::autosave::NumberedWrites;
    let file = Arc::new(Mutex::new(String::new()));
    let mut writes = NumberedWrites::new();
    let write = |text: &'static str| {
        let file = file.clone();
        move || -> Result<(), String> {
            *file.lock().map_err(|e| e.to_string())? = text.to_owned();
            Ok(())
        }
    };
    // The autosave is asked for first but runs last (a slow disk).
    let autosave = writes.job(write("older text"));
    let at_quit = writes.job(write("newer text"));
    at_quit().expect("quit save");
    autosave().expect("skipped, not failed");
    assert_eq!(*file.lock().expect("lock"), "newer text");

    // In order, both are written.
    let first = writes.job(write("one"));
    first().expect("write");
    assert_eq!(*file.lock().expect("lock"), "one");
    let second = writes.job(write("two"));
    second().expect("write");
    assert_eq!(*file.lock().expect("lock"), "two");
}

#[test]
fn drafts_are_saved_within_half_a_second() {
    assert!(wecom_composer::tui::AUTOSAVE_DELAY <= std::time::Duration::from_millis(500));
}

// ---------------------------------------------------------------- item 6

#[tokio::test]
async fn the_end_of_terminal_input_means_save_and_quit() {
    for end in [
        vec![Ok(Event::FocusGained)],
        vec![
            Ok(Event::FocusGained),
            Err(std::io::Error::other("EIO: the pty is gone")),
            Ok(Event::FocusLost),
        ],
    ] {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        wecom_composer::tui::forward_input(futures_util::stream::iter(end), tx).await;
        let mut got = Vec::new();
        while let Ok(msg) = rx.try_recv() {
            got.push(msg);
        }
        assert!(matches!(got.as_slice(), [Msg::Terminate]), "{got:?}");
    }
    let mut app = app(Config::default());
    type_text(&mut app, "unsent");
    let fx = update(&mut app, Msg::Terminate);
    assert!(matches!(fx.as_slice(), [Effect::SaveDrafts]), "{fx:?}");
}

#[test]
fn terminate_saves_then_quits_even_when_saving_fails() {
    let mut app = app(Config::default());
    type_text(&mut app, "unsent");
    let fx = update(&mut app, Msg::Terminate);
    assert!(matches!(fx.as_slice(), [Effect::SaveDrafts]), "{fx:?}");
    let fx = update(&mut app, Msg::DraftsSaved(Ok(())));
    assert!(matches!(fx.as_slice(), [Effect::Quit]), "{fx:?}");

    let mut app = common::app(Config::default());
    type_text(&mut app, "unsent");
    update(&mut app, Msg::Terminate);
    let fx = update(&mut app, Msg::DraftsSaved(Err("disk full".into())));
    assert!(
        matches!(fx.as_slice(), [Effect::Quit]),
        "no one is there to answer a question: {fx:?}"
    );
    assert!(app.popup.is_none());
}

// ---------------------------------------------------------------- items 9, 10

#[test]
fn a_restored_draft_has_its_preview_at_once() {
    let mut drafts = Drafts::default();
    drafts.set(
        "sandbox",
        MessageKind::Markdown,
        draft(&[("content", "# Quarterly numbers")]),
    );
    let (app, _) = started(drafts);
    let shown = screen(&app, 120, 35);
    assert_eq!(
        shown.matches("Quarterly numbers").count(),
        2,
        "in the editor and in the preview:\n{shown}"
    );
}

#[test]
fn a_restored_file_draft_is_checked_on_restore() {
    let mut drafts = Drafts::default();
    drafts.set(
        "sandbox",
        MessageKind::File,
        draft(&[("path", "assets/sample.txt")]),
    );
    drafts.last = Some(wecom_composer::store::drafts::LastUsed {
        robot: "sandbox".into(),
        kind: MessageKind::File,
    });
    let (_, fx) = started(drafts);
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::CheckAttachment { path, .. } if path == "assets/sample.txt")
        ),
        "{fx:?}"
    );
}

// ---------------------------------------------------------------- item 11

fn file_send(app: &mut App) -> u64 {
    while app.kind != MessageKind::File {
        update(app, ctrl('t'));
    }
    update(app, Msg::Paste("assets/sample.txt".into()));
    let fx = update(app, key(KeyCode::Enter));
    for e in fx {
        if let Effect::CheckAttachment { key, path, convert } = e {
            let state = if convert {
                wecom_composer::tui::attach::convert(&path)
            } else {
                wecom_composer::tui::attach::inspect(&path, key.kind)
            };
            update(app, Msg::AttachmentChecked { key, path, state });
        }
    }
    let fx = update(app, ctrl('s'));
    match fx.first() {
        Some(Effect::SendMedia { id, .. }) => *id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_upload_bar_goes_when_the_upload_ends_and_a_reuse_shows_none() {
    let mut app = app(Config::default());
    let id = file_send(&mut app);
    let shown = screen(&app, 120, 35);
    assert!(
        !shown.contains("0%") && !shown.contains("Esc cancels the upload"),
        "no bar before any byte is sent (a reused media_id sends none):\n{shown}"
    );
    update(
        &mut app,
        Msg::UploadAdvanced {
            id,
            progress: UploadProgress {
                sent_bytes: 512,
                total_bytes: 512,
                bytes_per_second: 1024.0,
            },
        },
    );
    assert!(screen(&app, 120, 35).contains("Esc cancels the upload"));
    update(
        &mut app,
        Msg::SendFinished {
            id,
            outcome: SendOutcome::Sent {
                elapsed_ms: 12,
                note: None,
            },
            at: "10:00:00".into(),
        },
    );
    let shown = screen(&app, 120, 35);
    assert!(!shown.contains("Esc cancels the upload"), "{shown}");
    assert!(!shown.contains("100%"), "{shown}");
}

// ---------------------------------------------------------------- item 12

#[test]
fn a_send_error_is_cleared_when_the_robot_or_type_changes_and_is_escaped() {
    let mut app = app(Config::default());
    type_text(&mut app, "hello");
    let fx = update(&mut app, ctrl('s'));
    let Some(Effect::Send { id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    update(
        &mut app,
        Msg::SendFinished {
            id: *id,
            outcome: SendOutcome::Failed {
                title: "Refused by WeCom".into(),
                detail: "errcode 93000: \u{1b}]0;PWNED\u{7}\u{1b}[2Jbad robot".into(),
            },
            at: "10:00:00".into(),
        },
    );
    let shown = screen(&app, 120, 35);
    assert!(shown.contains("bad robot"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "escape shown escaped:\n{shown}");
    assert!(
        shown.contains("\\u{1b}") || shown.contains("\\x1b") || shown.contains("\\e"),
        "{shown}"
    );
    update(&mut app, ctrl('t'));
    let shown = screen(&app, 120, 35);
    assert!(
        !shown.contains("bad robot") && !shown.contains("Refused by WeCom"),
        "another type's draft does not carry the old error:\n{shown}"
    );
}

// ---------------------------------------------------------------- item 14

#[test]
fn the_cursor_stays_with_the_draft_across_ctrl_d_and_a_restart() {
    let mut app = app(Config::default());
    type_text(&mut app, "hello world");
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Left));
    }
    assert_eq!(cursor(&app), (0, 8));
    update(&mut app, ctrl('d'));
    assert_eq!(app.kind, MessageKind::MarkdownV2);
    assert_eq!(cursor(&app), (0, 8), "Ctrl-D keeps the cursor");
    // Restart from the saved drafts.
    let drafts = app.drafts_snapshot();
    let json = serde_json::to_string(&drafts).expect("json");
    let drafts: Drafts = serde_json::from_str(&json).expect("back");
    let mut app = App::new(startup(Config::default(), drafts));
    assert_eq!(cursor(&app), (0, 8), "a restart keeps the cursor");
    type_text(&mut app, "X");
    assert_eq!(content(&app), "hello woXrld");
}

#[test]
fn after_a_resize_the_editor_shows_its_first_lines_again() {
    let mut app = app(Config::default());
    let text: Vec<String> = (1..=30).map(|i| format!("L{i:02}")).collect();
    update(&mut app, Msg::Paste(text.join("\n")));
    let small = screen(&app, 100, 30);
    assert!(!small.contains("L01"), "scrolled to the cursor:\n{small}");
    update(&mut app, ctrl('t'));
    while app.kind != MessageKind::Markdown {
        update(&mut app, ctrl('t'));
    }
    update(
        &mut app,
        Msg::Resized {
            width: 120,
            height: 60,
        },
    );
    let big = screen(&app, 120, 60);
    assert!(big.contains("L01") && big.contains("L30"), "{big}");
}

// ---------------------------------------------------------------- item 16

#[test]
fn select_all_clears_with_delete_and_ctrl_home_end_move_through_the_text() {
    let mut app = app(Config::default());
    type_text(&mut app, "one\ntwo\nthree");
    update(&mut app, chord(KeyCode::Home, KeyModifiers::CONTROL));
    assert_eq!(cursor(&app), (0, 0));
    update(&mut app, chord(KeyCode::End, KeyModifiers::CONTROL));
    assert_eq!(cursor(&app), (2, 5));
    update(&mut app, ctrl('a'));
    update(&mut app, key(KeyCode::Delete));
    assert_eq!(content(&app), "", "select all, then Del clears the message");
    update(&mut app, ctrl('u'));
    assert_eq!(
        content(&app),
        "one\ntwo\nthree",
        "and Ctrl-U brings it back"
    );
}

#[test]
fn an_external_editor_that_changed_nothing_says_so() {
    let mut app = app(Config::default());
    type_text(&mut app, "kept");
    update(&mut app, Msg::EditorClosed(Ok("kept\n".into())));
    assert!(app.status.text.contains("unchanged"), "{}", app.status.text);
    update(&mut app, Msg::EditorClosed(Ok("changed\n".into())));
    assert!(app.status.text.contains("updated"), "{}", app.status.text);
    assert_eq!(content(&app), "changed");
}

// ---------------------------------------------------------------- issue 18 item 6

#[test]
fn a_dumb_terminal_is_refused_with_a_way_forward() {
    let refusal = wecom_composer::tui::refuse_terminal(Some("dumb")).expect("refused");
    assert!(refusal.contains("TERM=dumb") && refusal.contains("wecom send"));
    assert_eq!(
        wecom_composer::tui::refuse_terminal(Some("xterm-256color")),
        None
    );
    assert_eq!(wecom_composer::tui::refuse_terminal(Some("linux")), None);
}

#[test]
fn a_terminal_without_256_colours_gets_the_basic_sixteen() {
    let mut drafts = Drafts::default();
    drafts.set(
        "sandbox",
        MessageKind::Markdown,
        draft(&[("content", "<font color=\"warning\">late</font> shipment")]),
    );
    let (app, _) = started(drafts);
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    let extended = |c: Color| matches!(c, Color::Indexed(16..) | Color::Rgb(..));
    terminal.draw(|f| view::render(&app, f)).expect("draw");
    assert!(
        terminal
            .backend()
            .buffer()
            .content
            .iter()
            .any(|c| extended(c.fg)),
        "the preview's orange is an xterm-256 colour"
    );
    terminal
        .draw(|f| {
            view::render(&app, f);
            theme::to_basic_colors(f.buffer_mut());
        })
        .expect("draw");
    assert!(
        !terminal
            .backend()
            .buffer()
            .content
            .iter()
            .any(|c| extended(c.fg) || extended(c.bg))
    );
    assert!(!theme::Theme::rich_colors(Some("linux"), None));
}

// ---------------------------------------------------------------- item 8

fn own_template() -> wecom_composer::store::templates::Template {
    wecom_composer::store::templates::Template {
        name: "standup".into(),
        message: wecom_composer::wecom::Message::markdown("# Standup".to_owned()),
        builtin: false,
    }
}

#[test]
fn loading_a_template_can_be_undone_and_deleting_one_asks_first() {
    let mut app = app(Config::default());
    type_text(&mut app, "my own words");
    update(&mut app, ctrl('o'));
    update(&mut app, Msg::TemplatesListed(vec![own_template()], vec![]));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(content(&app), "# Standup");
    assert!(app.status.text.contains("Ctrl-Z"), "{}", app.status.text);
    update(&mut app, ctrl('z'));
    assert_eq!(content(&app), "my own words", "Ctrl-Z puts the draft back");

    update(&mut app, ctrl('o'));
    update(&mut app, Msg::TemplatesListed(vec![own_template()], vec![]));
    let fx = update(&mut app, key(KeyCode::Char('d')));
    assert!(fx.is_empty(), "nothing deleted before the answer: {fx:?}");
    assert!(matches!(
        app.popup,
        Some(Popup::ConfirmDeleteTemplate { .. })
    ));
    assert!(screen(&app, 120, 35).contains("Delete your template standup?"));
    let fx = update(&mut app, key(KeyCode::Char('n')));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::DeleteTemplate(_))),
        "{fx:?}"
    );
    assert!(matches!(app.popup, Some(Popup::Templates(_))));
    update(&mut app, Msg::TemplatesListed(vec![own_template()], vec![]));
    update(&mut app, key(KeyCode::Char('d')));
    let fx = update(&mut app, key(KeyCode::Char('y')));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::DeleteTemplate(n) if n == "standup")),
        "{fx:?}"
    );
}

// ---------------------------------------------------------------- issue 11 symptoms

#[test]
fn j_and_k_move_in_the_template_list() {
    use wecom_composer::store::templates::builtin;
    let mut app = app(Config::default());
    update(&mut app, ctrl('o'));
    update(&mut app, Msg::TemplatesListed(builtin(), vec![]));
    let selected = |app: &App| match &app.popup {
        Some(Popup::Templates(p)) => p.selected,
        _ => usize::MAX,
    };
    update(&mut app, key(KeyCode::Char('j')));
    assert_eq!(selected(&app), 1);
    update(&mut app, key(KeyCode::Char('j')));
    assert_eq!(selected(&app), 2);
    update(&mut app, key(KeyCode::Char('k')));
    assert_eq!(selected(&app), 1);
}

#[test]
fn help_scrolls_to_its_last_line_and_no_further_and_home_goes_back() {
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(1)));
    let scroll = |app: &App| match &app.popup {
        Some(Popup::Help { scroll }) => Some(*scroll),
        _ => None,
    };
    for _ in 0..500 {
        update(&mut app, key(KeyCode::Down));
    }
    let last = scroll(&app).expect("help open");
    assert!(last > 0, "the help is longer than 30 rows");
    let shown = screen(&app, 100, 30);
    assert!(
        shown.contains("Esc closes this help"),
        "the last line is in view, not a blank page:\n{shown}"
    );
    update(&mut app, key(KeyCode::Up));
    assert_eq!(scroll(&app), Some(last - 1), "one Up moves up at once");
    update(&mut app, key(KeyCode::Home));
    assert_eq!(scroll(&app), Some(0), "Home goes to the top, not closes");
    update(&mut app, key(KeyCode::End));
    assert_eq!(scroll(&app), Some(last));
}

#[test]
fn the_robot_list_footer_names_rename() {
    let mut app = app(config_with_robots());
    update(&mut app, chord(KeyCode::BackTab, KeyModifiers::SHIFT));
    update(&mut app, chord(KeyCode::BackTab, KeyModifiers::SHIFT));
    let shown = screen(&app, 120, 35);
    let footer = shown.lines().last().unwrap_or_default();
    assert!(footer.contains("r rename"), "{footer}");
}

// ---------------------------------------------------------------- item 15

#[test]
fn every_hint_can_be_read_whole() {
    let mut drafts = Drafts::default();
    let text: Vec<String> = (1..=10)
        .map(|i| format!("<font color=\"info\">line {i}</font>"))
        .collect();
    drafts.set(
        "sandbox",
        MessageKind::MarkdownV2,
        draft(&[("content", &text.join("\n"))]),
    );
    drafts.last = Some(wecom_composer::store::drafts::LastUsed {
        robot: "sandbox".into(),
        kind: MessageKind::MarkdownV2,
    });
    let (mut app, _) = started(drafts);
    let hints = app
        .preview_state
        .shown
        .as_ref()
        .map(|(_, r)| r.hints.len())
        .unwrap_or(0);
    assert!(hints >= 10, "one hint a line: {hints}");
    update(
        &mut app,
        Msg::Resized {
            width: 200,
            height: 60,
        },
    );
    let big = screen(&app, 200, 60);
    for i in 1..=10 {
        assert!(
            big.contains(&format!("line {i}: ")),
            "hint {i} shown:\n{big}"
        );
    }
    assert!(!big.contains("more hints"), "{big}");
    // On a small screen the rest follows the text, reached by scrolling.
    update(
        &mut app,
        Msg::Resized {
            width: 100,
            height: 30,
        },
    );
    let small = screen(&app, 100, 30);
    assert!(
        small.contains("more rows of hints after the text"),
        "{small}"
    );
    assert!(!small.contains("line 10: "), "{small}");
    while app.focus != wecom_composer::tui::app::Focus::Preview {
        update(&mut app, key(KeyCode::Tab));
    }
    for _ in 0..10 {
        update(&mut app, key(KeyCode::PageDown));
    }
    let scrolled = screen(&app, 100, 30);
    assert!(scrolled.contains("line 10: "), "{scrolled}");
}

#[test]
fn a_70000_line_paste_is_kept_whole_and_the_user_is_told_what_the_editor_cannot_show() {
    let mut h = Harness::new(Config::default());
    assert_eq!(
        h.app.focus,
        wecom_composer::tui::app::Focus::Editor(FieldId::Content)
    );
    let pasted: String = (1..=70_000)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    h.send(Msg::Paste(pasted.clone()));
    // Nothing is lost: every line is in the draft, in order.
    assert_eq!(content(&h.app), pasted);
    // The editor (ratatui-textarea scrolls by a u16) cannot draw row
    // 70,000: the status line says so and what to do instead.
    let said = h.app.status.text.clone();
    assert!(said.contains("70,000 lines"), "{said}");
    assert!(said.contains("65,535 rows"), "{said}");
    // Read whole in the status line at 120 columns, the way out in Checks.
    assert!(said.chars().count() <= 118, "{said}");
    let detail = h.app.status.detail.clone().unwrap_or_default();
    assert!(
        detail.contains("Ctrl-E") && detail.contains("--split"),
        "{detail}"
    );
    h.assert_screen_contains(&said);
    h.assert_screen_contains("--split`: send in parts.");

    // Typing goes on at the cursor, at the end, and is kept; the warning is
    // not repeated at every key.
    h.app.status.text = String::new();
    h.send_text("!");
    assert_eq!(content(&h.app), format!("{pasted}!"));
    assert_eq!(h.app.status.text, "");

    // Below the limit again (Ctrl-U undoes the paste): quiet, and warned
    // again if it comes back.
    h.send_ctrl('u').send_ctrl('u');
    assert!(
        content(&h.app).len() < 100,
        "undo did not take the paste out"
    );
    h.send(Msg::Paste(pasted.clone()));
    assert!(
        h.app.status.text.contains("70,000 lines"),
        "{}",
        h.app.status.text
    );
}

#[test]
fn the_path_fields_placeholder_reads_whole_at_120_columns() {
    let mut h = Harness::new(Config::default());
    h.choose_kind(MessageKind::Voice);
    let shown = h.screen();
    let row = shown
        .lines()
        .find(|l| l.contains("File "))
        .unwrap_or_else(|| panic!("no file field:\n{shown}"));
    // The whole placeholder, then the field's own border: nothing cut.
    assert!(row.contains("path of the file to send "), "{row}");
}

#[test]
fn the_raw_json_editors_help_reads_inside_its_box_and_f9_goes_back_to_the_file() {
    use wecom_composer::tui::app::Focus;
    let mut h = Harness::new(Config::default());
    h.choose_kind(MessageKind::Image)
        .tab_to(Focus::Editor(FieldId::Path))
        .send_key(KeyCode::F(9));
    let shown = h.screen();
    let lines: Vec<&str> = shown.lines().collect();
    let title = lines
        .iter()
        .position(|l| l.contains(" image JSON → "))
        .unwrap_or_else(|| panic!("no JSON box:\n{shown}"));
    let hint = lines
        .iter()
        .position(|l| l.contains("image: base64"))
        .unwrap_or_else(|| panic!("no hint:\n{shown}"));
    // Below the box's title, between its side borders: the box's own text.
    assert!(hint > title, "the hint sits above its box:\n{shown}");
    let row = lines[hint];
    let at = row.find("image: base64").expect("hint");
    assert!(row[..at].ends_with('┃'), "not inside the box: {row}");
    // The JSON itself still starts on the box's first row.
    assert!(lines[title + 1].contains('{'), "{shown}");
    h.assert_screen_contains("goes back to choosing a file");

    h.send_key(KeyCode::F(9))
        .assert_app("the file field has the focus again", |app| {
            app.focus == Focus::Editor(FieldId::Path)
        })
        .assert_screen_contains("Back to choosing a file.");
}
