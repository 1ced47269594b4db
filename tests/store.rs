//! The config file as the app uses it: through `ConfigStore`, on disk.
#![allow(clippy::unwrap_used)]

use std::fs;

use wecom_composer::store::{Config, ConfigError, ConfigStore};

const KEY: &str = "00000000-fake-4bc4-0000-storetest0a5a";
const FAKE_IN_BAD_LINE: &str = "fake-key-0000-store-test";

fn store_in(dir: &tempfile::TempDir) -> ConfigStore {
    ConfigStore::new(dir.path().join("wecom/config.toml"))
}

fn sample() -> Config {
    let mut cfg = Config::default();
    cfg.add_robot("deploy", KEY).unwrap();
    cfg.add_robot(
        "local",
        &format!("http://127.0.0.1:8787/cgi-bin/webhook/send?key={KEY}"),
    )
    .unwrap();
    cfg.sandbox.keys.push("sandbox-extra-key-0001".into());
    cfg
}

#[test]
fn round_trip_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let cfg = sample();
    store.save(&cfg).unwrap();
    assert_eq!(store.load().unwrap(), cfg);
    let text = fs::read_to_string(store.path()).unwrap();
    assert!(text.contains("[[robots]]"), "{text}");
    assert!(text.contains("[sandbox]"), "{text}");
    // Saving again replaces the file and leaves nothing else beside it.
    let mut fewer = cfg.clone();
    fewer.remove_robot("local").unwrap();
    store.save(&fewer).unwrap();
    assert_eq!(store.load().unwrap(), fewer);
    let mut names: Vec<_> = fs::read_dir(store.path().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    // No temporary file is left; the lock file that serialises writers stays.
    assert_eq!(names, vec!["config.toml", "config.toml.lock"]);
}

#[cfg(unix)]
#[test]
fn saved_config_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    fs::create_dir_all(store.path().parent().unwrap()).unwrap();
    fs::write(store.path(), "").unwrap();
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&sample()).unwrap();
    let mode = fs::metadata(store.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn missing_config_is_empty_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert_eq!(store.load().unwrap(), Config::default());
    assert!(!store.path().exists());
    assert!(!store.path().parent().unwrap().exists());
}

#[test]
fn empty_file_and_missing_tables_are_an_empty_config() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path().join("config.toml"));
    fs::write(store.path(), "").unwrap();
    assert_eq!(store.load().unwrap(), Config::default());
    fs::write(store.path(), "[sandbox]\n").unwrap();
    assert_eq!(store.load().unwrap(), Config::default());
}

fn parse_error(text: &str) -> (Option<usize>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path().join("config.toml"));
    fs::write(store.path(), text).unwrap();
    let err = store.load().unwrap_err();
    let shown = err.to_string();
    assert_eq!(fs::read_to_string(store.path()).unwrap(), text, "untouched");
    match err {
        ConfigError::Parse { line, message, .. } => (line, message, shown),
        other => panic!("not a parse error: {other}"),
    }
}

#[test]
fn broken_toml_names_the_line_without_showing_the_key() {
    let text = format!(
        "[[robots]]\nname = \"deploy\"\nwebhook = {FAKE_IN_BAD_LINE}\n\n[sandbox]\nkeys = []\n"
    );
    let (line, _, shown) = parse_error(&text);
    assert_eq!(line, Some(3), "{shown}");
    assert!(shown.contains("(line 3)"), "{shown}");
    assert!(shown.starts_with("Cannot read the config at "), "{shown}");
    assert!(
        shown.ends_with("Fix or move the file; it has not been changed."),
        "{shown}"
    );
    assert!(!shown.contains(FAKE_IN_BAD_LINE), "{shown}");
    assert!(!shown.contains('\n'), "{shown}");
}

#[test]
fn wrong_type_names_the_line_without_quoting_the_value() {
    let text = format!("# robots\n\n[sandbox]\nkeys = \"{FAKE_IN_BAD_LINE}\"\n");
    let (line, message, shown) = parse_error(&text);
    assert_eq!(line, Some(4), "{shown}");
    assert!(message.contains("invalid type"), "{message}");
    assert!(!shown.contains(FAKE_IN_BAD_LINE), "{shown}");
}

#[test]
fn debug_of_a_loaded_config_shows_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    store.save(&sample()).unwrap();
    let cfg = store.load().unwrap();
    let shown = format!("{cfg:#?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("sandbox-extra-key-0001"), "{shown}");
    assert!(shown.contains("deploy"), "{shown}");
}

#[test]
fn save_error_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // The config's folder is a file: nothing can be written there.
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, "").unwrap();
    let store = ConfigStore::new(blocker.join("config.toml"));
    let shown = store.save(&sample()).unwrap_err().to_string();
    assert!(shown.starts_with("Cannot save the config at "), "{shown}");
    assert!(!shown.contains(KEY), "{shown}");
}

#[test]
fn default_path_is_config_toml() {
    assert!(ConfigStore::default_path().ends_with("config.toml"));
    assert!(wecom_composer::store::DraftStore::default_path().ends_with("drafts.json"));
}

#[test]
fn bare_keys_go_to_the_configured_base_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "base_url = \"http://127.0.0.1:9/corp-proxy\"\n[[robots]]\nname = \"ops\"\nwebhook = \"fake-key-0000-base-url\"\n",
    )
    .expect("write");
    let config = wecom_composer::store::config::ConfigStore::new(&path)
        .load()
        .expect("load");
    let webhook = config.webhook_of("ops").expect("webhook");
    assert_eq!(
        webhook.send_url().as_str(),
        "http://127.0.0.1:9/corp-proxy/cgi-bin/webhook/send?key=fake-key-0000-base-url"
    );
    std::fs::write(&path, "base_url = \"not a url\"\n").expect("write");
    let err = wecom_composer::store::config::ConfigStore::new(&path)
        .load()
        .expect_err("bad base_url");
    assert!(err.to_string().contains("base_url is not a URL"), "{err}");
}

#[test]
fn a_composer_saving_its_old_copy_keeps_what_another_process_added() {
    let dir = tempfile::tempdir().unwrap();
    let composer = store_in(&dir);
    composer.save(&sample()).unwrap();
    let mut held = composer.load().unwrap();
    // `wecom robots add` and `wecom robots code` in another shell.
    let shell = store_in(&dir);
    shell
        .update(|c| {
            c.add_robot("alerts", "00000000-fake-0000-0000-storetest0b0b")
                .map_err(|e| ConfigError::Save {
                    path: shell.path().to_path_buf(),
                    message: e.to_string(),
                })?;
            c.new_relay_code("alerts")
                .map(drop)
                .map_err(|e| ConfigError::Save {
                    path: shell.path().to_path_buf(),
                    message: e.to_string(),
                })
        })
        .unwrap();
    assert!(
        composer.changed_on_disk(),
        "the composer can tell the file changed"
    );
    // The composer, unaware, renames one of its robots and saves its copy.
    held.rename_robot("deploy", "deploys").unwrap();
    composer.save(&held).unwrap();
    let now = store_in(&dir).load().unwrap();
    let names: Vec<&str> = now.robots.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["local", "alerts", "deploys"]);
    assert_eq!(
        now.relay.codes.len(),
        1,
        "the relay code made meanwhile is kept"
    );
    assert_eq!(now.relay.codes[0].robot, "alerts");
    // A robot the composer removes goes; the other process's stays.
    let mut held = composer.load().unwrap();
    held.remove_robot("local").unwrap();
    composer.save(&held).unwrap();
    let names: Vec<String> = store_in(&dir)
        .load()
        .unwrap()
        .robots
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["alerts", "deploys"]);
}

#[cfg(unix)]
#[test]
fn a_config_readable_by_others_is_tightened_when_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    store.save(&sample()).unwrap();
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();
    store.load().unwrap();
    let mode = fs::metadata(store.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

// ------------------------------------------------ the history view's queries

mod history_view {
    use std::sync::Arc;

    use wecom_composer::store::Db;
    use wecom_composer::store::history::{
        History, HistoryEntry, HistoryFilter, HistoryStatus, PageStart,
    };

    fn entry(i: i64) -> HistoryEntry {
        let robot = ["ops", "qa", "Beijing"][(i % 3) as usize];
        let (msgtype, payload) = match i % 4 {
            0 => (
                "text",
                format!(r#"{{"msgtype":"text","text":{{"content":"deploy {i} done"}}}}"#),
            ),
            1 => (
                "markdown",
                format!(
                    r#"{{"msgtype":"markdown","markdown":{{"content":"\n# report {i}\nbody"}}}}"#
                ),
            ),
            // An image's base64 holds "deploy": it must not match a text filter.
            2 => (
                "image",
                r#"{"msgtype":"image","image":{"base64":"deploy","md5":"x"}}"#.to_owned(),
            ),
            _ => (
                "file",
                r#"{"msgtype":"file","file":{"media_id":"m"}}"#.to_owned(),
            ),
        };
        HistoryEntry {
            id: 0,
            time_ms: 1_000 + i,
            robot_name: robot.into(),
            robot: "f".repeat(64),
            msgtype: msgtype.into(),
            payload,
            status: if i % 5 == 0 {
                HistoryStatus::Refused
            } else {
                HistoryStatus::Sent
            },
            errcode: Some(if i % 5 == 0 { 93000 } else { 0 }),
            errmsg: None,
            explanation: None,
            error: None,
            elapsed_ms: 1,
            waited_ms: 0,
            attempts: 1,
            batch: Some(format!("b{}", i / 2)),
            part: None,
            label: Some(format!("{msgtype} #{i}")),
        }
    }

    fn filled(n: i64) -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        let history = History::new(db);
        let entries: Vec<HistoryEntry> = (0..n).map(entry).collect();
        history.insert_all(&entries).unwrap();
        (dir, history)
    }

    fn times(rows: &[wecom_composer::store::history::HistoryRow]) -> Vec<i64> {
        rows.iter().map(|r| r.time_ms - 1_000).collect()
    }

    #[test]
    fn pages_come_newest_first_at_an_offset_or_after_an_id() {
        let (_dir, h) = filled(100);
        let all = HistoryFilter::default();
        assert_eq!(h.count(&all, 1_000).unwrap(), 100);
        assert_eq!(h.count(&all, 40).unwrap(), 40, "capped");
        let first = h.page(&all, PageStart::Offset(0), 5).unwrap();
        assert_eq!(times(&first), [99, 98, 97, 96, 95]);
        let third = h.page(&all, PageStart::Offset(10), 5).unwrap();
        assert_eq!(times(&third), [89, 88, 87, 86, 85]);
        // Keyset: after the last row shown, the same rows as the offset.
        let after = h.page(&all, PageStart::After(first[4].id), 5).unwrap();
        assert_eq!(times(&after), [94, 93, 92, 91, 90]);
        let tail = h.page(&all, PageStart::Offset(98), 5).unwrap();
        assert_eq!(times(&tail), [1, 0]);
        assert!(h.page(&all, PageStart::Offset(100), 5).unwrap().is_empty());
        // First lines: the content's first non-empty line, else the label.
        assert_eq!(first[0].first_line, "file #99");
        assert_eq!(first[2].first_line, "# report 97");
        assert_eq!(first[3].first_line, "deploy 96 done");
        assert_eq!(first[1].first_line, "image #98");
    }

    #[test]
    fn filters_by_text_robot_type_and_status_and_count_the_same() {
        let (_dir, h) = filled(100);
        let check = |filter: &HistoryFilter, expected: Vec<i64>| {
            let rows = h.page(filter, PageStart::Offset(0), 1_000).unwrap();
            assert_eq!(times(&rows), expected, "{filter:?}");
            assert_eq!(
                h.count(filter, 1_000).unwrap(),
                expected.len(),
                "{filter:?}"
            );
        };
        let newest_first = |keep: &dyn Fn(i64) -> bool| -> Vec<i64> {
            (0..100).rev().filter(|i| keep(*i)).collect()
        };
        // "deploy" is in text payloads, never matched in an image's base64.
        check(
            &HistoryFilter::parse("DEPLOY"),
            newest_first(&|i| i % 4 == 0),
        );
        check(
            &HistoryFilter::parse("robot:beijing"),
            newest_first(&|i| i % 3 == 2),
        );
        check(
            &HistoryFilter::parse("type:markdown report"),
            newest_first(&|i| i % 4 == 1),
        );
        check(
            &HistoryFilter::parse("status:refused robot:ops"),
            newest_first(&|i| i % 5 == 0 && i % 3 == 0),
        );
        // The text matches robot names and labels too; % is literal.
        check(&HistoryFilter::parse("qa"), newest_first(&|i| i % 3 == 1));
        check(
            &HistoryFilter::parse("#7"),
            vec![79, 78, 77, 76, 75, 74, 73, 72, 71, 70, 7],
        );
        check(&HistoryFilter::parse("100%"), vec![]);
        // Offsets page through the filtered list.
        let f = HistoryFilter::parse("type:file");
        let second = h.page(&f, PageStart::Offset(2), 2).unwrap();
        assert_eq!(times(&second), [91, 87]);
    }

    #[test]
    fn a_batch_and_its_robots() {
        let (_dir, h) = filled(10);
        let rows = h.batch("b2").unwrap();
        assert_eq!(times(&rows), [4, 5]);
        let robots = h.robots_per_batch(&["b2", "nope"]).unwrap();
        assert_eq!(robots.get("b2"), Some(&1), "one fingerprint in these rows");
        assert_eq!(robots.get("nope"), None);
    }
}
