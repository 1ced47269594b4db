//! End to end, as a person would: the real `wecom` binary in tmux, against a
//! real sandbox process on 127.0.0.1, with temporary config and data
//! directories. Needs tmux (`.ci/run` installs it).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wecom");
const KEY: &str = "e2e-fake-key-0000-7c1d";

/// A tmux server of its own (`-L`), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is required for the end-to-end test: apt-get install tmux"
        );
        Tmux {
            socket: format!("wecom-e2e-{name}-{}", std::process::id()),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-u", "-L", &self.socket]);
        c
    }

    /// Starts the composer in a 100×30 window.
    fn start_app(&self, dirs: &Dirs) {
        self.start_app_with(dirs, "");
    }

    /// Starts the composer with extra `NAME='value'` environment settings.
    fn start_app_with(&self, dirs: &Dirs, env: &str) {
        self.start_app_with_args(dirs, env, "");
    }

    /// Starts the composer with extra environment settings and arguments.
    fn start_app_with_args(&self, dirs: &Dirs, env: &str, args: &str) {
        let command = format!(
            "env -u VISUAL -u LC_ALL -u LC_MESSAGES WECOM_CONFIG_DIR='{}' WECOM_DATA_DIR='{}' LANG=C.UTF-8 {env} '{BIN}' {args}",
            dirs.config.display(),
            dirs.data.display()
        );
        let status = self
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "app",
                "-x",
                "100",
                "-y",
                "30",
                &command,
            ])
            .status()
            .expect("tmux new-session");
        assert!(status.success());
    }

    fn keys(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "app"])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    fn type_text(&self, text: &str) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "app", "-l", text])
            .status()
            .expect("send-keys -l");
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "app"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn pid(&self) -> String {
        let out = self
            .cmd()
            .args(["display-message", "-p", "-t", "app", "#{pane_pid}"])
            .output()
            .expect("display-message");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn running(&self) -> bool {
        self.cmd()
            .args(["has-session", "-t", "app"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// Waits until the screen shows `text`; fails with the screen otherwise.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                assert!(!screen.contains(KEY), "the key is on screen:\n{screen}");
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {text:?}; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_exit(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.running() {
            assert!(
                Instant::now() < deadline,
                "the app did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").stderr(Stdio::null()).status();
    }
}

struct Dirs {
    _root: tempfile::TempDir,
    config: PathBuf,
    data: PathBuf,
    record: PathBuf,
}

fn dirs() -> Dirs {
    let root = tempfile::tempdir().expect("tempdir");
    let config = root.path().join("config");
    let data = root.path().join("data");
    let record = root.path().join("sandbox.jsonl");
    Dirs {
        _root: root,
        config,
        data,
        record,
    }
}

/// A `wecom sandbox` process allowing one message a minute, killed on drop.
struct SandboxProcess {
    child: Child,
    port: u16,
}

impl SandboxProcess {
    fn start(record: &Path) -> SandboxProcess {
        SandboxProcess::start_with_limit(record, 1)
    }

    /// A sandbox allowing `per_minute` messages a minute.
    fn start_with_limit(record: &Path, per_minute: u32) -> SandboxProcess {
        let limit = per_minute.to_string();
        let mut child = Command::new(BIN)
            .args([
                "sandbox",
                "--port",
                "0",
                "--rate-limit",
                &limit,
                "--key",
                KEY,
                "--record",
            ])
            .arg(record)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sandbox");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a line").expect("utf-8");
        let port = first
            .rsplit(':')
            .next()
            .and_then(|p| p.trim().trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        // Keep reading so the sandbox never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        SandboxProcess { child, port }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn compose_send_quit_and_come_back_then_a_refusal_is_explained() {
    let dirs = dirs();
    let sandbox = SandboxProcess::start(&dirs.record);
    let tmux = Tmux::new("main");

    // First run: no robot, the built-in sandbox is offered.
    tmux.start_app(&dirs);
    tmux.wait_for("No robot yet");

    // Add a robot by URL, pointing at the sandbox process.
    tmux.keys(&["F2"]);
    tmux.wait_for("Add robot");
    tmux.type_text("e2e-lab");
    tmux.keys(&["Tab"]);
    tmux.type_text(&format!(
        "http://127.0.0.1:{}/cgi-bin/webhook/send?key={KEY}",
        sandbox.port
    ));
    tmux.keys(&["Tab"]);
    tmux.wait_for("key=****7c1d");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Robot e2e-lab saved.");

    // Type markdown with CJK text and send it.
    tmux.type_text("# 部署完成");
    tmux.keys(&["Enter"]);
    tmux.type_text("**已上线** v1.2.3");
    tmux.wait_for("已上线");
    tmux.keys(&["C-s"]);
    tmux.wait_for("✓ Sent markdown to e2e-lab");
    let recorded = std::fs::read_to_string(&dirs.record).expect("record file");
    assert!(
        recorded.contains(r##""content":"# 部署完成\n**已上线** v1.2.3""##),
        "the sandbox did not record the message: {recorded}"
    );
    assert!(!recorded.contains(KEY));

    // Quit, and the robot is saved as typed, readable by its owner only.
    tmux.keys(&["C-q"]);
    tmux.wait_exit();
    let config_file = dirs.config.join("config.toml");
    let config = std::fs::read_to_string(&config_file).expect("config saved");
    assert!(
        config.contains("e2e-lab") && config.contains(&format!("127.0.0.1:{}", sandbox.port)),
        "{config}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config_file)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Restart: the same robot, type and draft come back.
    tmux.start_app(&dirs);
    let screen = tmux.wait_for("**已上线** v1.2.3");
    assert!(screen.contains("› e2e-lab"), "{screen}");
    assert!(screen.contains("markdown → e2e-lab"), "{screen}");

    // The sandbox allows one message a minute: the second send is not an
    // error but waits in the outbox for the window, and Esc takes it back.
    tmux.keys(&["C-s"]);
    tmux.wait_for("Waiting for a rate-limit slot");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Send cancelled");
    tmux.keys(&["C-q"]);
    tmux.wait_exit();
    let recorded = std::fs::read_to_string(&dirs.record).expect("record file");
    assert_eq!(
        recorded.lines().count(),
        1,
        "only the first was sent: {recorded}"
    );
    let outbox = Command::new(BIN)
        .args(["outbox"])
        .env("WECOM_CONFIG_DIR", &dirs.config)
        .env("WECOM_DATA_DIR", &dirs.data)
        .output()
        .expect("wecom outbox");
    let listed = String::from_utf8_lossy(&outbox.stdout);
    assert!(listed.contains("The outbox is empty."), "{listed}");
    let history = Command::new(BIN)
        .args(["history", "--output", "json"])
        .env("WECOM_CONFIG_DIR", &dirs.config)
        .env("WECOM_DATA_DIR", &dirs.data)
        .output()
        .expect("wecom history");
    let entries: serde_json::Value =
        serde_json::from_slice(&history.stdout).expect("history is JSON");
    let statuses: Vec<&str> = entries
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert!(
        statuses.contains(&"sent") && statuses.contains(&"cancelled"),
        "the composer's sends are in the history: {statuses:?}"
    );

    // Nothing the app wrote holds the key but the config itself.
    for file in ["wecom.log", "wecom.db", "wecom.db-wal"] {
        let bytes = std::fs::read(dirs.data.join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(KEY), "{file} holds the key");
    }
    assert!(
        dirs.data.join("wecom.db").exists(),
        "the drafts went to the store"
    );
}

/// What the store holds of the drafts: they live in wecom.db (its WAL holds
/// the latest writes).
fn saved_drafts(dirs: &Dirs) -> String {
    ["wecom.db", "wecom.db-wal"]
        .iter()
        .filter_map(|f| std::fs::read(dirs.data.join(f)).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

#[test]
fn external_editor_round_trip_and_sigterm_keep_the_text() {
    let dirs = dirs();
    let tmux = Tmux::new("editor");
    // An "editor" that edits the file in place and exits, as vi would. The
    // autosave waits ten minutes, so only the terminate path can save.
    tmux.start_app_with(
        &dirs,
        "WECOM_AUTOSAVE_DELAY_MS=600000 EDITOR='sed -i s/hello/edited-in-editor/'",
    );
    tmux.wait_for("No robot yet");
    tmux.type_text("hello world");
    tmux.wait_for("hello world");
    tmux.keys(&["C-e"]);
    tmux.wait_for("Text updated from the external editor");
    tmux.wait_for("edited-in-editor world");
    assert!(
        !saved_drafts(&dirs).contains("edited-in-editor world"),
        "saved before SIGTERM: the test would not see the terminate path"
    );

    // SIGTERM ends the app cleanly, with the draft saved.
    let status = Command::new("kill")
        .args(["-TERM", &tmux.pid()])
        .status()
        .expect("kill");
    assert!(status.success());
    tmux.wait_exit();
    assert!(
        saved_drafts(&dirs).contains("edited-in-editor world"),
        "drafts saved"
    );

    // And it is there again at the next start.
    tmux.start_app(&dirs);
    tmux.wait_for("edited-in-editor world");
    tmux.keys(&["C-q"]);
    tmux.wait_exit();
}

#[test]
fn a_text_notice_card_filled_in_the_form_reaches_the_sandbox() {
    let dirs = dirs();
    let tmux = Tmux::new("card");
    tmux.start_app(&dirs);
    tmux.wait_for("No robot yet");
    // markdown → markdown_v2 → image → news → file → voice → text_notice
    for _ in 0..6 {
        tmux.keys(&["C-t"]);
    }
    tmux.wait_for("card: text_notice form → sandbox");
    // Icon URL, Description, Colour, then the main title.
    tmux.keys(&["Down", "Down", "Down"]);
    tmux.type_text("部署完成");
    tmux.keys(&["Down"]);
    tmux.type_text("v1.2.3 已上线");
    // The card's click URL is the last field.
    for _ in 0..30 {
        tmux.keys(&["Down"]);
    }
    tmux.type_text("https://example.com/deploys/42");
    tmux.wait_for("ready to send");
    tmux.keys(&["C-s"]);
    tmux.wait_for("✓ Sent card: text_notice to sandbox");
    let recorded =
        std::fs::read_to_string(dirs.data.join("sandbox-messages.jsonl")).expect("records");
    let line = recorded.lines().last().expect("a record");
    let record: serde_json::Value = serde_json::from_str(line).expect("json");
    assert_eq!(
        record["message"],
        serde_json::json!({
            "msgtype": "template_card",
            "template_card": {
                "card_type": "text_notice",
                "main_title": {"title": "部署完成", "desc": "v1.2.3 已上线"},
                "card_action": {"type": 1, "url": "https://example.com/deploys/42"}
            }
        })
    );
    tmux.keys(&["C-q"]);
    tmux.wait_exit();
}

#[test]
fn copying_the_json_view_puts_the_payload_in_tmux_buffer_without_the_key() {
    let dirs = dirs();
    // A robot of its own, so a key exists that must not be copied. Given on
    // standard input, as `--help` advises.
    let mut add = Command::new(BIN)
        .args(["robots", "add", "e2e-copy", "-"])
        .env("WECOM_CONFIG_DIR", &dirs.config)
        .env("WECOM_DATA_DIR", &dirs.data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("wecom robots add");
    {
        use std::io::Write;
        let mut stdin = add.stdin.take().expect("stdin");
        writeln!(stdin, "http://127.0.0.1:9/cgi-bin/webhook/send?key={KEY}").expect("write");
    }
    assert!(add.wait().expect("robots add").success());

    let tmux = Tmux::new("copy");
    tmux.start_app(&dirs);
    tmux.wait_for("e2e-copy");
    let status = tmux
        .cmd()
        .args(["set-option", "-g", "set-clipboard", "on"])
        .status()
        .expect("set-option");
    assert!(status.success());
    // The composer opens in the editor.
    tmux.type_text("hello clipboard");
    tmux.wait_for("hello clipboard");
    // F3 shows the JSON view; Alt-C then copies the payload from there.
    tmux.keys(&["F3"]);
    tmux.wait_for("JSON payload");
    tmux.keys(&["M-c"]);
    tmux.wait_for("Copied the JSON payload (");
    let deadline = Instant::now() + Duration::from_secs(10);
    let buffer = loop {
        let out = tmux
            .cmd()
            .args(["show-buffer"])
            .output()
            .expect("show-buffer");
        let buffer = String::from_utf8_lossy(&out.stdout).into_owned();
        if !buffer.is_empty() || Instant::now() > deadline {
            break buffer;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // The compact payload of the API: msgtype, and its object with the
    // content (the type is the one the composer opens with).
    let payload: serde_json::Value = serde_json::from_str(&buffer)
        .unwrap_or_else(|e| panic!("not the JSON payload ({e}): {buffer:?}"));
    let msgtype = payload["msgtype"].as_str().expect("msgtype");
    assert_eq!(
        buffer,
        format!(r#"{{"msgtype":"{msgtype}","{msgtype}":{{"content":"hello clipboard"}}}}"#)
    );
    assert!(!buffer.contains(KEY));
    tmux.keys(&["C-q"]);
    tmux.wait_exit();
}

/// Issue 10: a message waiting in the outbox when the composer is killed
/// (kill -9, no quit prompt) is there afterwards, and the composer's next
/// start sends it, once. The composer's own ledger allows one message per
/// 12 s so the second send waits; the sandbox itself would take 20.
#[test]
fn a_message_waiting_when_the_composer_is_killed_is_sent_at_its_next_start() {
    let dirs = dirs();
    let sandbox = SandboxProcess::start_with_limit(&dirs.record, 20);
    std::fs::create_dir_all(&dirs.config).expect("config dir");
    std::fs::write(
        dirs.config.join("config.toml"),
        format!(
            "[[robots]]\nname = \"lab\"\nwebhook = \"http://127.0.0.1:{}/cgi-bin/webhook/send?key={KEY}\"\n",
            sandbox.port
        ),
    )
    .expect("config");
    let slow = "WECOM_RATE_LIMIT=1 WECOM_RATE_WINDOW_MS=12000";
    let tmux = Tmux::new("killed");
    tmux.start_app_with(&dirs, slow);
    tmux.wait_for("markdown → lab");
    tmux.type_text("first");
    tmux.keys(&["C-s"]);
    tmux.wait_for("✓ Sent markdown to lab");
    tmux.type_text(" and second");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Waiting for a rate-limit slot");
    let pid = tmux.pid();
    let killed = Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    tmux.wait_exit();

    let wecom = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .env("WECOM_CONFIG_DIR", &dirs.config)
            .env("WECOM_DATA_DIR", &dirs.data)
            .output()
            .expect("wecom");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = wecom(&["outbox"]);
    assert!(
        listed.contains("queued"),
        "the waiting message is kept: {listed}"
    );
    let recorded = std::fs::read_to_string(&dirs.record).expect("record");
    assert_eq!(recorded.lines().count(), 1, "{recorded}");

    tmux.start_app_with(&dirs, slow);
    // It waits for its slot: the first message's window of 12 s.
    let deadline = Instant::now() + Duration::from_secs(45);
    while !tmux.screen().contains("Outbox: sent markdown") {
        assert!(
            Instant::now() < deadline,
            "the message left behind was not sent; the screen:\n{}\nthe log:\n{}",
            tmux.screen(),
            std::fs::read_to_string(dirs.data.join("wecom.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let recorded = std::fs::read_to_string(&dirs.record).expect("record");
    let lines: Vec<&str> = recorded.lines().collect();
    assert_eq!(lines.len(), 2, "sent once: {recorded}");
    assert!(lines[1].contains("first and second"), "{recorded}");
    assert!(wecom(&["outbox"]).contains("The outbox is empty."));
    tmux.keys(&["C-q"]);
    tmux.wait_exit();
    let recorded = std::fs::read_to_string(&dirs.record).expect("record");
    assert_eq!(recorded.lines().count(), 2, "never twice: {recorded}");
}

/// The language follows the locale as a terminal program's does: the first
/// screen is Chinese under `LANG=zh_CN.UTF-8`, English under `LANG=C.UTF-8`,
/// and `--lang en` wins over a Chinese locale.
#[test]
fn the_first_screen_speaks_the_locale_and_lang_overrides_it() {
    let dirs = dirs();
    let zh = Tmux::new("lang-zh");
    zh.start_app_with(&dirs, "LANG=zh_CN.UTF-8");
    let shown = zh.wait_for("还没有机器人");
    for word in ["机器人", "消息类型", "预览", "检查"] {
        assert!(shown.contains(word), "{word} missing:\n{shown}");
    }
    assert!(!shown.contains("No robot yet"), "{shown}");
    drop(zh);

    let en = Tmux::new("lang-c");
    en.start_app(&dirs);
    let shown = en.wait_for("No robot yet");
    assert!(
        shown.contains("Robots") && !shown.contains("消息类型"),
        "{shown}"
    );
    drop(en);

    let flag = Tmux::new("lang-flag");
    flag.start_app_with_args(&dirs, "LANG=zh_CN.UTF-8", "--lang en");
    let shown = flag.wait_for("No robot yet");
    assert!(!shown.contains("还没有机器人"), "{shown}");
}
