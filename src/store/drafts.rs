//! Drafts: what the user was writing, per robot and message kind, saved as
//! they type so that quitting or a crash loses nothing, plus where they were
//! (robot and kind) so the app reopens there.
//!
//! Drafts are keyed by robot name, never by webhook, so the file holds no
//! keys; it may hold confidential text, so it is readable by its owner only.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use crate::paths;
use crate::wecom::MessageKind;

/// The text of one message being written: each editor's content by editor
/// name (`"content"`, `"mentioned_list"`, `"raw_json"`, …), so a draft can
/// hold any message kind's form without this module knowing its fields.
#[derive(Clone, Default, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// Where the cursor was in each editor (row, column in characters), by
    /// the same names as `texts`, so typing after a restart goes where it
    /// was left. Absent in drafts written before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cursors: BTreeMap<String, (usize, usize)>,
}

impl Draft {
    /// Whether there is nothing to keep: every editor is empty.
    pub fn is_empty(&self) -> bool {
        self.texts.values().all(String::is_empty)
    }
}

/// The robot and message kind the user was last on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    pub robot: String,
    pub kind: MessageKind,
}

/// Every draft, by robot name and message kind.
#[derive(Clone, Default, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drafts {
    #[serde(default)]
    pub robots: BTreeMap<String, BTreeMap<MessageKind, Draft>>,
    #[serde(default)]
    pub last: Option<LastUsed>,
}

impl Drafts {
    /// The draft of `kind` for `robot`, if one was kept.
    pub fn get(&self, robot: &str, kind: MessageKind) -> Option<&Draft> {
        self.robots.get(robot)?.get(&kind)
    }

    /// Keeps `draft`, or forgets the slot when the draft is empty, so that
    /// clearing an editor leaves no stale entry behind.
    pub fn set(&mut self, robot: &str, kind: MessageKind, draft: Draft) {
        if draft.is_empty() {
            self.clear(robot, kind);
        } else {
            self.robots
                .entry(robot.to_owned())
                .or_default()
                .insert(kind, draft);
        }
    }

    /// Moves a robot's drafts (and the last-used place) to its new name,
    /// after the robot was renamed in the config. Where both names have a
    /// draft of the same kind, the renamed robot's draft wins.
    pub fn rename_robot(&mut self, old: &str, new: &str) {
        if old == new {
            return;
        }
        if let Some(moved) = self.robots.remove(old) {
            self.robots.entry(new.to_owned()).or_default().extend(moved);
        }
        if let Some(last) = self.last.as_mut().filter(|l| l.robot == old) {
            last.robot = new.to_owned();
        }
    }

    /// Forgets a deleted robot's drafts, and the last-used place if it was
    /// that robot.
    pub fn remove_robot(&mut self, name: &str) {
        self.robots.remove(name);
        if self.last.as_ref().is_some_and(|l| l.robot == name) {
            self.last = None;
        }
    }

    fn clear(&mut self, robot: &str, kind: MessageKind) {
        if let Some(kinds) = self.robots.get_mut(robot) {
            kinds.remove(&kind);
            if kinds.is_empty() {
                self.robots.remove(robot);
            }
        }
    }
}

/// Reads and writes `drafts.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftStore {
    path: PathBuf,
}

impl DraftStore {
    /// `drafts.json` in the data directory (`WECOM_DATA_DIR` overrides it).
    pub fn default_path() -> PathBuf {
        paths::data_dir().join("drafts.json")
    }

    /// A store for the drafts at `path` (tests, portable setups).
    pub fn new(path: impl Into<PathBuf>) -> DraftStore {
        DraftStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved drafts, and a warning to show if the file could not be used.
    ///
    /// A missing file means no drafts. A file that cannot be read or parsed
    /// is moved aside (to `drafts.json.corrupt-<unix seconds>`) rather than
    /// overwritten by the next autosave, and the warning says where it went:
    /// the user's text is never lost silently. Never fails, so that a bad
    /// drafts file cannot keep the app from starting.
    pub fn load(&self) -> (Drafts, Option<String>) {
        let problem = match fs::read(&self.path) {
            Ok(bytes) => match serde_json::from_slice::<Drafts>(&bytes) {
                Ok(drafts) => return (drafts, None),
                Err(e) => describe_json_error(&e),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (Drafts::default(), None),
            Err(e) => format!("it could not be read ({e})"),
        };
        (Drafts::default(), Some(self.set_aside(&problem)))
    }

    /// Writes `drafts` atomically, readable by its owner only.
    pub fn save(&self, drafts: &Drafts) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(drafts).map_err(io::Error::other)?;
        write_atomic(&self.path, &json, 0o600)
    }

    /// Moves the unusable file aside and says so in a sentence.
    fn set_aside(&self, problem: &str) -> String {
        let shown = self.path.display();
        match self.move_aside() {
            Ok(aside) => format!(
                "The drafts file {shown} could not be used: {problem}. It was moved to {} with your earlier text in it, and the app starts with no drafts.",
                aside.display()
            ),
            Err(e) => format!(
                "The drafts file {shown} could not be used: {problem}, and it could not be moved aside ({e}). Copy it somewhere safe now: the next autosave will replace it."
            ),
        }
    }

    fn move_aside(&self) -> io::Result<PathBuf> {
        let aside = self.free_aside_path();
        fs::rename(&self.path, &aside)?;
        Ok(aside)
    }

    /// `drafts.json.corrupt-<secs>`, with `-2`, `-3`… appended if that name
    /// is taken, so an earlier bad file is never overwritten.
    fn free_aside_path(&self) -> PathBuf {
        let secs = crate::clock::now_unix();
        let base = format!("{}.corrupt-{secs}", self.path.display());
        let mut candidate = PathBuf::from(&base);
        let mut n = 2;
        while candidate.exists() {
            candidate = PathBuf::from(format!("{base}-{n}"));
            n += 1;
        }
        candidate
    }
}

/// Where the JSON went wrong, without quoting it: serde's messages may quote
/// the user's text.
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "it ends too early, as if cut off",
        Category::Syntax => "it is not valid JSON",
        Category::Data => "it does not have the expected layout",
        Category::Io => "it could not be read",
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn draft(content: &str) -> Draft {
        Draft {
            texts: BTreeMap::from([("content".to_owned(), content.to_owned())]),
            ..Draft::default()
        }
    }

    fn sample() -> Drafts {
        let mut d = Drafts::default();
        d.set("deploy", MessageKind::Markdown, draft("# 发布完成\n- ok"));
        d.set("deploy", MessageKind::TextNotice, draft("card"));
        d.set("alerts", MessageKind::Text, draft("incident"));
        d.last = Some(LastUsed {
            robot: "deploy".into(),
            kind: MessageKind::Markdown,
        });
        d
    }

    #[test]
    fn round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("data/drafts.json"));
        let drafts = sample();
        store.save(&drafts).unwrap();
        let (loaded, warning) = store.load();
        assert_eq!(warning, None);
        assert_eq!(loaded, drafts);
        let json = fs::read_to_string(store.path()).unwrap();
        assert!(json.contains("\"text_notice\""), "{json}");
    }

    #[cfg(unix)]
    #[test]
    fn saved_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        store.save(&sample()).unwrap();
        let mode = fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn missing_file_is_no_drafts_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        assert_eq!(store.load(), (Drafts::default(), None));
        assert!(!store.path().exists());
    }

    #[test]
    fn corrupt_file_is_moved_aside_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        let bad = "{\"robots\": {\"deploy\": {\"text\": {\"texts\": {\"content\": \"secret plan";
        fs::write(store.path(), bad).unwrap();
        let (drafts, warning) = store.load();
        assert_eq!(drafts, Drafts::default());
        let warning = warning.unwrap();
        assert!(!store.path().exists());
        let aside: Vec<PathBuf> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(aside.len(), 1);
        let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("drafts.json.corrupt-"), "{name}");
        assert_eq!(fs::read_to_string(&aside[0]).unwrap(), bad);
        assert!(
            warning.contains(&aside[0].display().to_string()),
            "{warning}"
        );
        assert!(!warning.contains("secret plan"), "{warning}");

        // A second bad file in the same second does not overwrite the first.
        fs::write(store.path(), "[1, 2").unwrap();
        let (_, again) = store.load();
        assert!(again.is_some());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn wrong_layout_is_also_set_aside_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        fs::write(store.path(), "{\"robots\": \"confidential words\"}").unwrap();
        let (drafts, warning) = store.load();
        assert_eq!(drafts, Drafts::default());
        let warning = warning.unwrap();
        assert!(warning.contains("expected layout"), "{warning}");
        assert!(!warning.contains("confidential"), "{warning}");
    }

    #[test]
    fn empty_drafts_are_forgotten() {
        let mut d = sample();
        d.set("alerts", MessageKind::Text, Draft::default());
        assert!(!d.robots.contains_key("alerts"));
        let mut blank = draft("");
        blank.texts.insert("mentioned_list".into(), String::new());
        assert!(blank.is_empty());
        d.set("deploy", MessageKind::Markdown, blank);
        assert!(d.get("deploy", MessageKind::Markdown).is_none());
        assert!(d.get("deploy", MessageKind::TextNotice).is_some());
    }

    #[test]
    fn rename_moves_drafts_and_last_used() {
        let mut d = sample();
        d.set("releases", MessageKind::Markdown, draft("stale"));
        d.set("releases", MessageKind::News, draft("news"));
        d.rename_robot("deploy", "releases");
        assert!(!d.robots.contains_key("deploy"));
        assert_eq!(
            d.get("releases", MessageKind::Markdown),
            Some(&draft("# 发布完成\n- ok"))
        );
        assert_eq!(
            d.get("releases", MessageKind::TextNotice),
            Some(&draft("card"))
        );
        assert_eq!(d.get("releases", MessageKind::News), Some(&draft("news")));
        assert_eq!(d.last.as_ref().unwrap().robot, "releases");
    }

    #[test]
    fn remove_forgets_drafts_and_last_used() {
        let mut d = sample();
        d.remove_robot("alerts");
        assert!(d.get("alerts", MessageKind::Text).is_none());
        assert!(d.last.is_some());
        d.remove_robot("deploy");
        assert!(d.robots.is_empty());
        assert_eq!(d.last, None);
    }
}
