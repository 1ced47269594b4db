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
