//! The robots config: named robots and the sandbox's extra keys, kept as TOML
//! in `config.toml`. Webhook keys are secrets, so the file is readable by its
//! owner only, `Debug` masks them, and no error message ever quotes them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use super::atomic::write_atomic_with;
use crate::paths;
use crate::wecom::webhook::{Key, Webhook, WebhookError, default_base};

/// The longest robot name, in characters: names share a line with other
/// things on an 80-column screen.
pub const NAME_MAX_CHARS: usize = 40;
/// The name of the built-in sandbox robot, which no saved robot may take.
pub const RESERVED_NAME: &str = "sandbox";
/// What an unreadable webhook or key is shown as.
const INVALID: &str = "<invalid>";

/// Everything the app saves in `config.toml`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The saved robots, in the order the user added them.
    #[serde(default)]
    pub robots: Vec<RobotEntry>,
    /// Where bare keys are sent: WeCom itself unless set, e.g. to a
    /// corporate proxy (`https://proxy.example.com/wecom`). Robots saved as
    /// whole URLs keep their own host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Settings of the built-in sandbox endpoint.
    #[serde(default)]
    pub sandbox: SandboxSection,
    /// The notify relay's codes (`wecom serve`); absent until one is made.
    #[serde(default, skip_serializing_if = "RelaySection::is_empty")]
    pub relay: RelaySection,
    /// Named groups of robots (`[[groups]]`), for broadcasts: `wecom send
    /// -g NAME` and the composer's robot list send to every member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupEntry>,
    /// How long retries go on and how much history is kept (`[delivery]`);
    /// absent: the defaults.
    #[serde(default, skip_serializing_if = "DeliverySection::is_default")]
    pub delivery: DeliverySection,
    /// `language = "auto" | "zh-CN" | "en"`: the language of the app
    /// (`--lang` overrides it); absent is `auto`, which follows the locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<crate::i18n::Setting>,
}

/// `[delivery]` in config.toml: settings of the delivery engine that every
/// `wecom` process reads when it opens the store. Whole numbers, so a typo
/// is a parse error with its line rather than a silent default.
#[derive(Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct DeliverySection {
    /// Retries of a message that failed without being delivered (45009,
    /// -1, a refused connection, HTTP 5xx) stop this many minutes after its
    /// first attempt; then it is `failed` in the outbox. Default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub give_up_after_minutes: Option<u64>,
    /// The history keeps entries younger than this many days … (default 90)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_days: Option<u32>,
    /// … or the newest this many entries, whichever keeps more (default
    /// 10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_entries: Option<u32>,
}

impl DeliverySection {
    pub fn is_default(&self) -> bool {
        *self == DeliverySection::default()
    }
}

/// A named group of saved robots: one message to all of them at once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct GroupEntry {
    pub name: String,
    /// The members' saved names, in the order given, each once.
    pub robots: Vec<String>,
}

/// Why a group could not be found, made or changed. Like [`RobotError`],
/// the `Display` never quotes a name the user typed that is not a saved
/// name (a key may have been pasted there); saved names are fine to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("{}", crate::tr!("store.group.empty_name"))]
    EmptyName,
    #[error("{}", crate::tr!("store.group.too_long", max = NAME_MAX_CHARS))]
    NameTooLong,
    #[error("{}", crate::tr!("store.group.control"))]
    NameHasControlCharacter,
    #[error("{}", crate::tr!("store.group.name_of_a_robot"))]
    NameOfARobot,
    #[error("{}", crate::tr!("store.group.no_robots"))]
    NoRobots,
    #[error("{}", crate::tr!("store.group.not_found"))]
    NotFound,
    #[error("{}", unknown_robots_sentence(.positions, .known))]
    UnknownRobots {
        /// 1-based positions of the names given that are not saved robots.
        positions: Vec<usize>,
        /// The saved robots' names, to choose from.
        known: Vec<String>,
    },
}

fn unknown_robots_sentence(positions: &[usize], known: &[String]) -> String {
    let which = positions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let choose = if known.is_empty() {
        crate::tr!("store.group.no_saved_robots")
    } else {
        crate::tr!("store.group.saved_robots", names = known.join(", "))
    };
    crate::tr!(
        "store.group.unknown_robots",
        positions = which,
        choose = choose
    )
    .into_owned()
}

/// A saved robot: a name the user chose and its webhook.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct RobotEntry {
    pub name: String,
    /// What [`Webhook::to_config_string`] gives: a bare key for the default
    /// host, the full send URL otherwise. Secret.
    pub webhook: String,
}

/// The `[sandbox]` table.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SandboxSection {
    /// Extra keys the sandbox accepts besides its own, so a script written
    /// against a real robot's key can be tried offline. Secret.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// The `[relay]` table: the codes that `wecom serve` accepts in
/// `POST /api/notify/{code}`, each sending to one robot.
///
/// A code is a bearer secret (whoever knows it can post to the robot), so
/// only its sha256 is kept: the config, which may be backed up or shared
/// with a dotfiles repository, never holds a usable code, and `wecom robots
/// code NAME` shows a new code once. A code has 256 random bits, so its hash
/// cannot be reversed by trying codes.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, Debug)]
pub struct RelaySection {
    #[serde(default)]
    pub codes: Vec<RelayCode>,
    /// The batch API's access tokens (`wecom tokens add LABEL`), kept like
    /// codes: only their hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<ApiToken>,
}

impl RelaySection {
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty() && self.tokens.is_empty()
    }
}

/// One access token of the relay's batch API (seed 002's `access_token`),
/// as saved: not tied to a robot (the request names its robot's link).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct ApiToken {
    /// The first [`CODE_ID_CHARS`] hex digits of its hash, to list and revoke it.
    pub id: String,
    /// What the user called it (`wecom tokens add LABEL`).
    pub label: String,
    /// sha256 of the token, hexadecimal ([`relay_code_hash`]).
    pub sha256: String,
    /// When it was made (RFC 3339, local time).
    #[serde(default)]
    pub created_at: String,
}

/// One relay code, as saved.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct RelayCode {
    /// A short name for the code, to list and revoke it: the first
    /// [`CODE_ID_CHARS`] hex digits of its hash, which say nothing usable
    /// about the code.
    pub id: String,
    /// The robot the code sends to (its saved name).
    pub robot: String,
    /// sha256 of the code, hexadecimal.
    pub sha256: String,
    /// When the code was made (RFC 3339, local time).
    #[serde(default)]
    pub created_at: String,
}

/// Random bytes in a relay code: 256 bits, well above the 128 asked for
/// an unguessable code.
pub const CODE_BYTES: usize = 32;
/// Hex digits of the hash that name a code.
pub const CODE_ID_CHARS: usize = 8;

/// A new relay code: [`CODE_BYTES`] random bytes, URL-safe base64 (it goes
/// in a URL path as it is). Not saved anywhere; only its hash is kept.
pub fn fresh_relay_code() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; CODE_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hexadecimal sha256 of a relay code.
pub fn relay_code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Why a robot could not be found, added or changed. The `Display` is a
/// sentence saying what to do, and never contains a webhook, a key or the
/// name typed (someone may paste a key into the name field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RobotError {
    #[error("{}", crate::tr!("store.robot.empty_name"))]
    EmptyName,
    #[error("{}", crate::tr!("store.robot.too_long", max = NAME_MAX_CHARS))]
    NameTooLong,
    #[error("{}", crate::tr!("store.robot.control"))]
    NameHasControlCharacter,
    #[error("{}", crate::tr!("store.robot.reserved", name = RESERVED_NAME))]
    ReservedName,
    #[error("{}", crate::tr!("store.robot.duplicate"))]
    DuplicateName,
    #[error("{}", crate::tr!("store.robot.not_found"))]
    NotFound { name: String },
    #[error("{}", crate::tr!("store.robot.bad_webhook", error = .0))]
    BadWebhook(WebhookError),
    #[error("{}", crate::tr!("store.robot.bad_saved_webhook", error = .source))]
    BadSavedWebhook { name: String, source: WebhookError },
    #[error("{}", crate::tr!("store.robot.code_not_found"))]
    CodeNotFound,
}

/// A rename as carried out: the names exactly as saved before and after
/// (trimmed, in the saved case), so the caller can move the robot's drafts
/// and history under the same names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub old: String,
    pub new: String,
}

impl RobotEntry {
    /// The robot's webhook; a bare key is addressed to `base` (see
    /// [`Config::base`]).
    pub fn parsed_webhook(&self, base: &Url) -> Result<Webhook, WebhookError> {
        Webhook::parse(&self.webhook, base)
    }

    /// The webhook with its key masked, safe to show on screen and in logs;
    /// `<invalid>` if the saved text is not a webhook.
    pub fn masked_webhook(&self, base: &Url) -> String {
        self.parsed_webhook(base)
            .map(|w| w.to_string())
            .unwrap_or_else(|_| INVALID.to_owned())
    }
}

impl Config {
    /// Applies to `self` (the config on disk now) what changed from `base`
    /// (what a process read) to `mine` (what it wants): robots added,
    /// edited or removed by name; sandbox keys and relay codes added or
    /// removed; `base_url` if it changed. Everything else on disk (another
    /// process's changes) stays.
    pub fn merge_changes(&mut self, base: &Config, mine: &Config) {
        merge_by_name(&mut self.robots, &base.robots, &mine.robots, |r| &r.name);
        if mine.base_url != base.base_url {
            self.base_url = mine.base_url.clone();
        }
        if mine.language != base.language {
            self.language = mine.language;
        }
        merge_list(
            &mut self.sandbox.keys,
            &base.sandbox.keys,
            &mine.sandbox.keys,
        );
        merge_list(&mut self.relay.codes, &base.relay.codes, &mine.relay.codes);
        merge_by_name(&mut self.groups, &base.groups, &mine.groups, |g| &g.name);
        merge_list(
            &mut self.relay.tokens,
            &base.relay.tokens,
            &mine.relay.tokens,
        );
    }

    /// Where bare keys are sent: `base_url`, or WeCom itself when it is unset
    /// or not a URL (loading reports the latter).
    pub fn base(&self) -> Url {
        self.base_url
            .as_deref()
            .and_then(|b| Url::parse(b).ok())
            .unwrap_or_else(default_base)
    }

    /// The robot called `name` (trimmed, case-insensitive, as names are
    /// unique ignoring case).
    pub fn robot(&self, name: &str) -> Option<&RobotEntry> {
        self.index_of(name).map(|i| &self.robots[i])
    }

    /// The webhook of the robot called `name`, ready to send to. The
    /// built-in sandbox robot is not saved here: the app provides it.
    pub fn webhook_of(&self, name: &str) -> Result<Webhook, RobotError> {
        let entry = self.robot(name).ok_or_else(|| not_found(name))?;
        entry
            .parsed_webhook(&self.base())
            .map_err(|source| RobotError::BadSavedWebhook {
                name: entry.name.clone(),
                source,
            })
    }

    /// Saves a new robot. `url_or_key` is a webhook URL or a bare key, stored
    /// normalised (a bare key for the default host, the full URL otherwise).
    pub fn add_robot(&mut self, name: &str, url_or_key: &str) -> Result<(), RobotError> {
        let name = self.check_new_name(name, None)?;
        let webhook = normalise_webhook(url_or_key, &self.base())?;
        self.robots.push(RobotEntry { name, webhook });
        Ok(())
    }

    /// Changes the webhook of the robot called `name`.
    pub fn edit_robot(&mut self, name: &str, url_or_key: &str) -> Result<(), RobotError> {
        let index = self.index_of(name).ok_or_else(|| not_found(name))?;
        self.robots[index].webhook = normalise_webhook(url_or_key, &self.base())?;
        Ok(())
    }

    /// Renames a robot; changing only the case of its name is allowed.
    pub fn rename_robot(&mut self, old: &str, new: &str) -> Result<Renamed, RobotError> {
        let index = self.index_of(old).ok_or_else(|| not_found(old))?;
        let new = self.check_new_name(new, Some(index))?;
        let old = std::mem::replace(&mut self.robots[index].name, new.clone());
        // Relay codes and group memberships follow their robot.
        for code in &mut self.relay.codes {
            if code.robot == old {
                code.robot.clone_from(&new);
            }
        }
        for member in self.groups.iter_mut().flat_map(|g| g.robots.iter_mut()) {
            if fold(member) == fold(&old) {
                member.clone_from(&new);
            }
        }
        Ok(Renamed { old, new })
    }

    /// Deletes a robot and gives it back (for an undo). Its relay codes are
    /// revoked and it leaves its groups too (a group left empty goes): a
    /// robot added later under the same name must not receive what was
    /// meant for this one.
    pub fn remove_robot(&mut self, name: &str) -> Result<RobotEntry, RobotError> {
        let index = self.index_of(name).ok_or_else(|| not_found(name))?;
        let removed = self.robots.remove(index);
        self.relay.codes.retain(|c| c.robot != removed.name);
        let gone = fold(&removed.name);
        for group in &mut self.groups {
            group.robots.retain(|m| fold(m) != gone);
        }
        self.groups.retain(|g| !g.robots.is_empty());
        Ok(removed)
    }

    /// The groups the robot called `name` belongs to.
    pub fn groups_of(&self, name: &str) -> Vec<&GroupEntry> {
        let wanted = fold(name.trim());
        self.groups
            .iter()
            .filter(|g| g.robots.iter().any(|m| fold(m) == wanted))
            .collect()
    }

    /// The group called `name` (trimmed, case-insensitive).
    pub fn group(&self, name: &str) -> Option<&GroupEntry> {
        let wanted = fold(name.trim());
        self.groups.iter().find(|g| fold(&g.name) == wanted)
    }

    /// Makes group `name` with `robots`, or adds `robots` to it if it
    /// exists. Every robot must be saved (the error lists the saved ones);
    /// members are kept under their saved names, each once. Returns the
    /// group as saved and whether it is new.
    pub fn add_to_group(
        &mut self,
        name: &str,
        robots: &[String],
    ) -> Result<(GroupEntry, bool), GroupError> {
        let members = self.saved_names(robots)?;
        if let Some(group) = self
            .groups
            .iter_mut()
            .find(|g| fold(&g.name) == fold(name.trim()))
        {
            for m in members {
                if !group.robots.contains(&m) {
                    group.robots.push(m);
                }
            }
            return Ok((group.clone(), false));
        }
        let name = check_group_name(name)?;
        if self.index_of(&name).is_some() {
            return Err(GroupError::NameOfARobot);
        }
        let group = GroupEntry {
            name,
            robots: members,
        };
        self.groups.push(group.clone());
        Ok((group, true))
    }

    /// Takes `robots` out of group `name`, or deletes the group when
    /// `robots` is empty (or when it is left with no member). Returns the
    /// group as it was before, and whether it was deleted.
    pub fn remove_from_group(
        &mut self,
        name: &str,
        robots: &[String],
    ) -> Result<(GroupEntry, bool), GroupError> {
        let wanted = fold(name.trim());
        let index = self
            .groups
            .iter()
            .position(|g| fold(&g.name) == wanted)
            .ok_or(GroupError::NotFound)?;
        let before = self.groups[index].clone();
        if !robots.is_empty() {
            let positions: Vec<usize> = robots
                .iter()
                .enumerate()
                .filter(|(_, r)| !before.robots.iter().any(|m| fold(m) == fold(r.trim())))
                .map(|(i, _)| i + 1)
                .collect();
            if !positions.is_empty() {
                return Err(GroupError::UnknownRobots {
                    positions,
                    known: before.robots.clone(),
                });
            }
            let out: Vec<String> = robots.iter().map(|r| fold(r.trim())).collect();
            self.groups[index]
                .robots
                .retain(|m| !out.contains(&fold(m)));
        }
        let deleted = robots.is_empty() || self.groups[index].robots.is_empty();
        if deleted {
            self.groups.remove(index);
        }
        Ok((before, deleted))
    }

    /// The members of group `name` that are saved robots, and the
    /// positions (1-based) of those that are not (a hand-edited file).
    pub fn group_members(&self, name: &str) -> Result<(Vec<&RobotEntry>, Vec<usize>), GroupError> {
        let group = self.group(name).ok_or(GroupError::NotFound)?;
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for (i, m) in group.robots.iter().enumerate() {
            match self.robot(m) {
                Some(r) => found.push(r),
                None => missing.push(i + 1),
            }
        }
        Ok((found, missing))
    }

    /// The saved names of `robots`, each once, or which of them are not
    /// saved robots.
    fn saved_names(&self, robots: &[String]) -> Result<Vec<String>, GroupError> {
        if robots.iter().all(|r| r.trim().is_empty()) {
            return Err(GroupError::NoRobots);
        }
        let mut names = Vec::new();
        let mut positions = Vec::new();
        for (i, r) in robots.iter().enumerate() {
            match self.robot(r) {
                Some(entry) if !names.contains(&entry.name) => names.push(entry.name.clone()),
                Some(_) => {}
                None => positions.push(i + 1),
            }
        }
        if positions.is_empty() {
            Ok(names)
        } else {
            Err(GroupError::UnknownRobots {
                positions,
                known: self.robots.iter().map(|r| r.name.clone()).collect(),
            })
        }
    }

    /// Makes a relay code for the robot called `name` and returns the code
    /// itself, which is not saved anywhere (only its hash is), and its entry.
    pub fn new_relay_code(&mut self, name: &str) -> Result<(String, RelayCode), RobotError> {
        let code = fresh_relay_code();
        let entry = self.add_relay_code(name, &code)?;
        Ok((code, entry))
    }

    /// Keeps the hash of `code` (one of [`fresh_relay_code`]) as a relay
    /// code of the robot called `name`, and returns its entry. The
    /// composer draws the code apart from this, so a test can hand it one.
    pub fn add_relay_code(&mut self, name: &str, code: &str) -> Result<RelayCode, RobotError> {
        let index = self.index_of(name).ok_or_else(|| not_found(name))?;
        let sha256 = relay_code_hash(code);
        let entry = RelayCode {
            id: sha256[..CODE_ID_CHARS].to_owned(),
            robot: self.robots[index].name.clone(),
            sha256,
            created_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        };
        self.relay.codes.push(entry.clone());
        Ok(entry)
    }

    /// The saved entry of a relay code, if the code is one.
    pub fn relay_code(&self, code: &str) -> Option<&RelayCode> {
        let hash = relay_code_hash(code);
        self.relay.codes.iter().find(|c| c.sha256 == hash)
    }

    /// The relay codes of the robot called `name`.
    pub fn relay_codes_of(&self, name: &str) -> Result<Vec<&RelayCode>, RobotError> {
        let index = self.index_of(name).ok_or_else(|| not_found(name))?;
        let robot = &self.robots[index].name;
        Ok(self
            .relay
            .codes
            .iter()
            .filter(|c| &c.robot == robot)
            .collect())
    }

    /// Revokes the code of robot `name` whose id is `id`.
    pub fn revoke_relay_code(&mut self, name: &str, id: &str) -> Result<RelayCode, RobotError> {
        let index = self.index_of(name).ok_or_else(|| not_found(name))?;
        let robot = self.robots[index].name.clone();
        let id = id.trim().to_ascii_lowercase();
        let at = self
            .relay
            .codes
            .iter()
            .position(|c| c.robot == robot && c.id == id)
            .ok_or(RobotError::CodeNotFound)?;
        Ok(self.relay.codes.remove(at))
    }

    /// Revokes every code of robot `name`; returns how many there were.
    pub fn revoke_all_relay_codes(&mut self, name: &str) -> Result<usize, RobotError> {
        let index = self.index_of(name).ok_or_else(|| not_found(name))?;
        let robot = self.robots[index].name.clone();
        let before = self.relay.codes.len();
        self.relay.codes.retain(|c| c.robot != robot);
        Ok(before - self.relay.codes.len())
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        let wanted = fold(name.trim());
        self.robots.iter().position(|r| fold(&r.name) == wanted)
    }

    /// The trimmed name, if it may be given to a robot; `keep` is the robot
    /// being renamed, which does not clash with itself.
    fn check_new_name(&self, name: &str, keep: Option<usize>) -> Result<String, RobotError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(RobotError::EmptyName);
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(RobotError::NameTooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(RobotError::NameHasControlCharacter);
        }
        if fold(name) == RESERVED_NAME {
            return Err(RobotError::ReservedName);
        }
        if self.index_of(name).is_some_and(|i| Some(i) != keep) {
            return Err(RobotError::DuplicateName);
        }
        Ok(name.to_owned())
    }
}

fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// The trimmed group name, if it may be one (the rules of robot names).
fn check_group_name(name: &str) -> Result<String, GroupError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(GroupError::EmptyName);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(GroupError::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(GroupError::NameHasControlCharacter);
    }
    Ok(name.to_owned())
}

fn not_found(name: &str) -> RobotError {
    RobotError::not_found(name)
}

impl RobotError {
    /// No saved robot is called `name` (kept trimmed, for the UI to show).
    pub fn not_found(name: &str) -> RobotError {
        RobotError::NotFound {
            name: name.trim().to_owned(),
        }
    }
}

fn normalise_webhook(url_or_key: &str, base: &Url) -> Result<String, RobotError> {
    Webhook::parse(url_or_key, base)
        .map(|w| w.to_config_string(base))
        .map_err(RobotError::BadWebhook)
}

fn masked_key(key: &str) -> String {
    Key::new(key)
        .map(|k| k.masked())
        .unwrap_or_else(|_| INVALID.to_owned())
}

impl fmt::Debug for RobotEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RobotEntry")
            .field("name", &self.name)
            .field("webhook", &self.masked_webhook(&default_base()))
            .finish()
    }
}

impl fmt::Debug for SandboxSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self.keys.iter().map(|k| masked_key(k)).collect();
        f.debug_struct("SandboxSection")
            .field("keys", &keys)
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("robots", &self.robots)
            .field("sandbox", &self.sandbox)
            .field("relay", &self.relay)
            .field("groups", &self.groups)
            .finish()
    }
}

// ---------------------------------------------------------------- the file

/// Why the config file could not be read or written. The `Display` says what
/// to do and never quotes the file's content, which holds keys.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{}",
        crate::tr!("store.config.read", path = .path.display(), message = .message)
    )]
    Read { path: PathBuf, message: String },
    #[error(
        "{}",
        crate::tr!(
            "store.config.parse",
            path = .path.display(),
            at = line_suffix(*.line),
            message = .message
        )
    )]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error(
        "{}",
        crate::tr!("store.config.save", path = .path.display(), message = .message)
    )]
    Save { path: PathBuf, message: String },
}

/// Applies to `disk` the entries `mine` removed, changed or added compared
/// with `base`, matching entries by name (trimmed, ignoring case); what
/// `mine` left as it was keeps its state on disk.
fn merge_by_name<T: PartialEq + Clone>(
    disk: &mut Vec<T>,
    base: &[T],
    mine: &[T],
    name: impl Fn(&T) -> &String,
) {
    let same = |a: &T, b: &T| name(a).trim().eq_ignore_ascii_case(name(b).trim());
    for old in base {
        if !mine.iter().any(|m| same(m, old)) {
            disk.retain(|d| !same(d, old));
        }
    }
    for entry in mine {
        if base.iter().find(|b| same(b, entry)) == Some(entry) {
            continue;
        }
        match disk.iter_mut().find(|d| same(d, entry)) {
            Some(slot) => *slot = entry.clone(),
            None => disk.push(entry.clone()),
        }
    }
}

/// Removes from `disk` what `mine` dropped from `base`, and adds what it
/// added.
fn merge_list<T: PartialEq + Clone>(disk: &mut Vec<T>, base: &[T], mine: &[T]) {
    disk.retain(|x| !base.contains(x) || mine.contains(x));
    for x in mine {
        if !base.contains(x) && !disk.contains(x) {
            disk.push(x.clone());
        }
    }
}

fn line_suffix(line: Option<usize>) -> String {
    line.map(|n| crate::tr!("store.config.line", n = n).into_owned())
        .unwrap_or_default()
}

/// Reads and writes `config.toml` through confy, the project's config crate.
///
/// Two of confy's habits are worked around. Its `load_path` creates a missing
/// file, so [`ConfigStore::load`] checks first: merely starting the app must
/// not write anything. Its `store_path_perms` truncates and rewrites the file
/// in place (a crash would leave half a config), so [`ConfigStore::save`] has
/// confy write a fresh temporary file beside the config, already `0600`, which
/// is then synced and renamed over the config.
///
/// The app must refuse to save over a config it could not parse (the TUI
/// enforces this): the user's robots are in that file, and saving the empty
/// config the app started with would erase them.
///
/// Several processes change the file (the composer, `wecom robots` in
/// another shell), so a change is applied under a lock on a sibling file
/// (`config.toml.lock`) to the config as it is on disk then: [`ConfigStore::update`]
/// re-reads it and applies one change; [`ConfigStore::save`] applies only
/// the difference between what this store last read or wrote and the config
/// given, so a composer that saves never drops the robot another process
/// added meanwhile. [`ConfigStore::changed_on_disk`] tells a long-running
/// process that the file changed under it.
#[derive(Debug, Clone)]
pub struct ConfigStore {
    path: PathBuf,
    /// What this store (and its clones) last read or wrote, and the file's
    /// stamp then.
    seen: std::sync::Arc<std::sync::Mutex<Option<Seen>>>,
}

#[derive(Debug, Clone)]
struct Seen {
    config: Config,
    stamp: Option<Stamp>,
}

/// What tells a file changed: modification time and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
}

impl PartialEq for ConfigStore {
    fn eq(&self, other: &ConfigStore) -> bool {
        self.path == other.path
    }
}

impl Eq for ConfigStore {}

impl ConfigStore {
    /// `config.toml` in the config directory (`WECOM_CONFIG_DIR` overrides it).
    pub fn default_path() -> PathBuf {
        paths::config_dir().join("config.toml")
    }

    /// A store for the config at `path` (tests, `--config`).
    pub fn new(path: impl Into<PathBuf>) -> ConfigStore {
        ConfigStore {
            path: path.into(),
            seen: std::sync::Arc::default(),
        }
    }

    fn stamp(&self) -> Option<Stamp> {
        let meta = std::fs::metadata(&self.path).ok()?;
        Some(Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        })
    }

    fn remember(&self, config: &Config) {
        let seen = Seen {
            config: config.clone(),
            stamp: self.stamp(),
        };
        *self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(seen);
    }

    /// Whether the file changed since this store last read or wrote it
    /// (another process saved it): the composer then loads it again to show
    /// the new robots.
    pub fn changed_on_disk(&self) -> bool {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|s| s.stamp);
        match seen {
            Some(stamp) => stamp != self.stamp(),
            None => false,
        }
    }

    /// Holds the config's lock (a sibling `.lock` file) while `f` runs, so
    /// read-change-write steps of several processes never interleave.
    fn locked<T>(&self, f: impl FnOnce() -> Result<T, ConfigError>) -> Result<T, ConfigError> {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".lock");
        let lock_path = PathBuf::from(name);
        let save_error = |e: std::io::Error| ConfigError::Save {
            path: self.path.clone(),
            message: format!("cannot lock {} ({e})", lock_path.display()),
        };
        if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            paths::create_private_dir(dir).map_err(save_error)?;
        }
        let file = paths::private_file_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(save_error)?;
        file.lock().map_err(save_error)?;
        let result = f();
        let _ = file.unlock();
        result
    }

    /// Applies `change` to the config as it is on disk now, under the
    /// lock, and saves it: nothing another process wrote is lost. Returns
    /// what `change` returned.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Config) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        self.locked(|| {
            let mut config = self.load()?;
            let value = change(&mut config)?;
            self.write(&config)?;
            Ok(value)
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved config; a missing file is an empty config and is not
    /// created.
    pub fn load(&self) -> Result<Config, ConfigError> {
        let config = self.read()?;
        self.remember(&config);
        Ok(config)
    }

    /// A config found readable by others is made owner-only at once, and
    /// the log says so (keys are in it).
    fn tighten(&self) {
        match paths::tighten_file(&self.path) {
            Ok(true) => {
                tracing::warn!(
                    "{} was readable by other users; it is now readable by its owner only (it holds webhook keys)",
                    self.path.display()
                );
                eprintln!(
                    "wecom: {} was readable by other users; made it owner-only (0600), since it holds webhook keys.",
                    self.path.display()
                );
            }
            Ok(false) => {}
            Err(e) => tracing::warn!("cannot tighten {}: {e}", self.path.display()),
        }
    }

    fn read(&self) -> Result<Config, ConfigError> {
        match self.path.try_exists() {
            Ok(false) => return Ok(Config::default()),
            Ok(true) => {}
            Err(e) => return Err(self.read_error(&e)),
        }
        self.tighten();
        let config: Config = confy::load_path(&self.path).map_err(|e| self.load_error(e))?;
        if let Some(base) = &config.base_url
            && let Err(e) = Url::parse(base)
        {
            return Err(ConfigError::Parse {
                path: self.path.clone(),
                line: None,
                message: format!(
                    "base_url is not a URL ({e}); write it like https://qyapi.weixin.qq.com"
                ),
            });
        }
        Ok(config)
    }

    /// Saves this process's changes in `cfg`, atomically, readable by its
    /// owner only. Under the lock, the file is read again and only what
    /// changed between this store's last read (or write) and `cfg` is
    /// applied to it ([`Config::merge_changes`]); a store that read nothing
    /// writes `cfg` as it is.
    pub fn save(&self, cfg: &Config) -> Result<(), ConfigError> {
        let base = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|s| s.config.clone());
        self.locked(|| {
            let merged = match &base {
                Some(base) if self.path.exists() => {
                    let mut disk = self.read()?;
                    disk.merge_changes(base, cfg);
                    disk
                }
                _ => cfg.clone(),
            };
            self.write(&merged)
        })
    }

    fn write(&self, cfg: &Config) -> Result<(), ConfigError> {
        write_atomic_with(&self.path, 0o600, |_, temp| store_with_confy(temp, cfg)).map_err(
            |e| ConfigError::Save {
                path: self.path.clone(),
                message: e.to_string(),
            },
        )?;
        self.remember(cfg);
        Ok(())
    }

    fn read_error(&self, e: &dyn std::error::Error) -> ConfigError {
        ConfigError::Read {
            path: self.path.clone(),
            message: error_chain(e),
        }
    }

    fn load_error(&self, e: confy::ConfyError) -> ConfigError {
        match e {
            confy::ConfyError::BadTomlData(toml) => {
                // Read again only to turn the error's byte offset into a line.
                let text = std::fs::read_to_string(&self.path).unwrap_or_default();
                ConfigError::Parse {
                    path: self.path.clone(),
                    line: toml.span().map(|s| line_of(&text, s.start)),
                    message: scrub(toml.message(), &text),
                }
            }
            other => self.read_error(&other),
        }
    }
}

fn store_with_confy(temp: &Path, cfg: &Config) -> std::io::Result<()> {
    #[cfg(unix)]
    let stored = {
        use std::os::unix::fs::PermissionsExt;
        confy::store_path_perms(temp, cfg, std::fs::Permissions::from_mode(0o600))
    };
    #[cfg(not(unix))]
    let stored = confy::store_path(temp, cfg);
    stored.map_err(|e| std::io::Error::other(error_chain(&e)))
}

/// An error and its causes as one line: confy's own messages ("Failed to
/// write configuration file") say little without the I/O error beneath.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// toml's message on one line, trimmed of its final full stop, with every
/// word of eight or more characters that appears in the file replaced by
/// `…`. Serde's messages quote values ("invalid type: string \"…\"") and a
/// value may be a key; a key has at least eight characters, so none survive.
fn scrub(message: &str, file_text: &str) -> String {
    let one_line = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::with_capacity(one_line.len());
    let mut word = String::new();
    for c in one_line.chars() {
        if is_key_char(c) {
            word.push(c);
        } else {
            flush_word(&mut out, &mut word, file_text);
            out.push(c);
        }
    }
    flush_word(&mut out, &mut word, file_text);
    out.trim_end_matches('.').to_owned()
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn flush_word(out: &mut String, word: &mut String, file_text: &str) {
    if word.len() >= 8 && file_text.contains(word.as_str()) {
        out.push('…');
    } else {
        out.push_str(word);
    }
    word.clear();
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: &str = "00000000-fake-4bc4-0000-storetest0a5a";
    const OTHER_KEY: &str = "11111111-fake-4bc4-0000-storetest1b6b";

    fn url(key: &str) -> String {
        format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}")
    }

    fn local(key: &str) -> String {
        format!("http://127.0.0.1:8787/cgi-bin/webhook/send?key={key}")
    }

    fn with_robot(name: &str, webhook: &str) -> Config {
        let mut cfg = Config::default();
        cfg.add_robot(name, webhook).unwrap();
        cfg
    }

    #[test]
    fn add_accepts_url_and_bare_key_and_stores_them_normalised() {
        let mut cfg = Config::default();
        cfg.add_robot("  deploy ", &url(KEY)).unwrap();
        cfg.add_robot("bare", &format!(" key={OTHER_KEY} "))
            .unwrap();
        cfg.add_robot("local", &local(KEY)).unwrap();
        assert_eq!(cfg.robots[0].name, "deploy");
        assert_eq!(cfg.robots[0].webhook, KEY);
        assert_eq!(cfg.robots[1].webhook, OTHER_KEY);
        assert_eq!(cfg.robots[2].webhook, local(KEY));
        assert_eq!(
            cfg.webhook_of("DEPLOY").unwrap().send_url().as_str(),
            url(KEY)
        );
        assert_eq!(cfg.webhook_of("local").unwrap().host(), "127.0.0.1:8787");
    }

    #[test]
    fn add_refuses_bad_names_without_echoing_them() {
        let mut cfg = with_robot("Deploy", KEY);
        let long = "x".repeat(NAME_MAX_CHARS + 1);
        let cases = [
            ("   ", RobotError::EmptyName),
            (long.as_str(), RobotError::NameTooLong),
            ("two\nlines", RobotError::NameHasControlCharacter),
            ("Sandbox", RobotError::ReservedName),
            (" deploy", RobotError::DuplicateName),
        ];
        for (name, expected) in cases {
            let err = cfg.add_robot(name, OTHER_KEY).unwrap_err();
            assert_eq!(err, expected, "{name:?}");
            let text = err.to_string();
            assert!(!text.contains(OTHER_KEY), "{text}");
            if name.trim().len() > 8 {
                assert!(!text.contains(name.trim()), "{text}");
            }
        }
        // A key pasted into the name field is not echoed either.
        cfg.add_robot(KEY, OTHER_KEY).unwrap();
        let err = cfg.add_robot(KEY, OTHER_KEY).unwrap_err();
        assert!(!err.to_string().contains(KEY));
        // Exactly the maximum is fine, counted in characters not bytes.
        cfg.add_robot(&"机".repeat(NAME_MAX_CHARS), OTHER_KEY)
            .unwrap();
        assert_eq!(cfg.robots.len(), 3);
    }

    #[test]
    fn add_refuses_bad_webhooks_without_echoing_them() {
        let mut cfg = Config::default();
        for bad in [
            "",
            "fake key with spaces 0000",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "https://qyapi.weixin.qq.com/other?key=fake-key-0000-store-test",
            "ftp://host/cgi-bin/webhook/send?key=fake-key-0000-store-test",
        ] {
            let err = cfg.add_robot("r", bad).unwrap_err();
            assert!(matches!(err, RobotError::BadWebhook(_)), "{bad:?}");
            let text = err.to_string();
            assert!(text.starts_with("That webhook cannot be used: "), "{text}");
            // Every input with a key-like part has "fake" in it.
            assert!(!text.contains("fake"), "{text}");
        }
        assert!(cfg.robots.is_empty());
    }

    #[test]
    fn edit_rename_and_remove() {
        let mut cfg = with_robot("deploy", KEY);
        cfg.add_robot("alerts", OTHER_KEY).unwrap();

        cfg.edit_robot("Deploy", &local(OTHER_KEY)).unwrap();
        assert_eq!(cfg.robot("deploy").unwrap().webhook, local(OTHER_KEY));
        assert!(matches!(
            cfg.edit_robot("deploy", "nope"),
            Err(RobotError::BadWebhook(_))
        ));
        assert_eq!(cfg.robot("deploy").unwrap().webhook, local(OTHER_KEY));

        let renamed = cfg.rename_robot("DEPLOY", " releases ").unwrap();
        assert_eq!(
            renamed,
            Renamed {
                old: "deploy".into(),
                new: "releases".into()
            }
        );
        assert!(cfg.robot("deploy").is_none());
        assert_eq!(cfg.robot("releases").unwrap().webhook, local(OTHER_KEY));
        // Only the case changes: not a clash with itself.
        cfg.rename_robot("releases", "Releases").unwrap();
        assert_eq!(cfg.robots[0].name, "Releases");
        assert_eq!(
            cfg.rename_robot("releases", "ALERTS"),
            Err(RobotError::DuplicateName)
        );
        assert_eq!(
            cfg.rename_robot("releases", "sandbox"),
            Err(RobotError::ReservedName)
        );
        assert!(matches!(
            cfg.rename_robot("missing", "x"),
            Err(RobotError::NotFound { .. })
        ));

        let removed = cfg.remove_robot("alerts").unwrap();
        assert_eq!(removed.webhook, OTHER_KEY);
        assert_eq!(cfg.robots.len(), 1);
        assert!(matches!(
            cfg.remove_robot("alerts"),
            Err(RobotError::NotFound { .. })
        ));
    }

    #[test]
    fn unreadable_saved_webhook_is_reported_without_its_text() {
        let cfg = Config {
            robots: vec![RobotEntry {
                name: "broken".into(),
                webhook: "fake key 0000 store test".into(),
            }],
            ..Config::default()
        };
        let err = cfg.webhook_of("broken").unwrap_err();
        assert!(matches!(err, RobotError::BadSavedWebhook { .. }));
        assert!(!err.to_string().contains("fake key"), "{err}");
        assert_eq!(cfg.robots[0].masked_webhook(&default_base()), "<invalid>");
        assert!(matches!(
            cfg.webhook_of("sandbox"),
            Err(RobotError::NotFound { .. })
        ));
    }

    #[test]
    fn debug_masks_every_key() {
        let mut cfg = with_robot("deploy", KEY);
        cfg.add_robot("local", &local(OTHER_KEY)).unwrap();
        cfg.sandbox.keys = vec![KEY.into(), "bad key!".into()];
        let shown = format!("{cfg:?} {cfg:#?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains(OTHER_KEY), "{shown}");
        assert!(!shown.contains("bad key!"), "{shown}");
        assert!(shown.contains("****0a5a"), "{shown}");
        assert!(shown.contains("127.0.0.1:8787"), "{shown}");
        assert!(shown.contains("<invalid>"), "{shown}");
        assert_eq!(
            cfg.robots[0].masked_webhook(&default_base()),
            format!("{}", cfg.webhook_of("deploy").unwrap())
        );
    }

    #[test]
    fn relay_codes_are_random_hashed_and_follow_their_robot() {
        let mut cfg = with_robot("deploy", KEY);
        cfg.add_robot("alerts", OTHER_KEY).unwrap();
        let (code, entry) = cfg.new_relay_code("Deploy").unwrap();
        let (other, _) = cfg.new_relay_code("deploy").unwrap();
        assert_ne!(code, other);
        // 256 bits in URL-safe base64, safe in a URL path.
        assert_eq!(code.len(), 43);
        assert!(
            code.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(entry.robot, "deploy");
        assert_eq!(entry.sha256, relay_code_hash(&code));
        assert_eq!(entry.id, &entry.sha256[..CODE_ID_CHARS]);
        assert_eq!(cfg.relay_code(&code), Some(&entry));
        assert_eq!(cfg.relay_code("not-a-code"), None);
        assert!(matches!(
            cfg.new_relay_code("missing"),
            Err(RobotError::NotFound { .. })
        ));

        // The code itself is never in the saved file, only its hash.
        let dir = tempfile::tempdir().unwrap();
        let store = ConfigStore::new(dir.path().join("config.toml"));
        store.save(&cfg).unwrap();
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(!text.contains(&code), "{text}");
        assert!(text.contains(&entry.sha256), "{text}");
        assert_eq!(store.load().unwrap(), cfg);

        cfg.rename_robot("deploy", "releases").unwrap();
        assert_eq!(cfg.relay_code(&code).unwrap().robot, "releases");
        assert_eq!(cfg.relay_codes_of("releases").unwrap().len(), 2);
        assert_eq!(
            cfg.revoke_relay_code("releases", &entry.id.to_uppercase()),
            Ok(RelayCode {
                robot: "releases".into(),
                ..entry.clone()
            })
        );
        assert_eq!(cfg.relay_code(&code), None);
        assert_eq!(
            cfg.revoke_relay_code("releases", &entry.id),
            Err(RobotError::CodeNotFound)
        );
        assert!(cfg.relay_code(&other).is_some());
        cfg.remove_robot("releases").unwrap();
        assert_eq!(cfg.relay_code(&other), None);
        let (third, _) = cfg.new_relay_code("alerts").unwrap();
        assert_eq!(cfg.revoke_all_relay_codes("alerts"), Ok(1));
        assert_eq!(cfg.relay_code(&third), None);
        assert!(cfg.relay.is_empty());
    }

    fn three_robots() -> Config {
        let mut cfg = with_robot("ops", KEY);
        cfg.add_robot("qa", OTHER_KEY).unwrap();
        cfg.add_robot("beijing", &local(KEY)).unwrap();
        cfg
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn groups_take_saved_robots_only_and_list_them_when_refusing() {
        let mut cfg = three_robots();
        let (group, new) = cfg
            .add_to_group(" All ", &names(&["OPS", "qa", "ops"]))
            .unwrap();
        assert!(new);
        assert_eq!(group.name, "All");
        // Saved names, in the saved case, each once.
        assert_eq!(group.robots, names(&["ops", "qa"]));
        let err = cfg
            .add_to_group("all", &names(&["beijing", "typo", "nope"]))
            .unwrap_err();
        assert_eq!(
            err,
            GroupError::UnknownRobots {
                positions: vec![2, 3],
                known: names(&["ops", "qa", "beijing"]),
            }
        );
        let text = err.to_string();
        assert!(text.contains("ops, qa, beijing"), "{text}");
        assert!(text.contains("position 2, 3"), "{text}");
        assert!(!text.contains("typo"), "{text}");
        // Nothing was added by the refused call.
        assert_eq!(cfg.group("ALL").unwrap().robots, names(&["ops", "qa"]));
        let (group, new) = cfg.add_to_group("all", &names(&["beijing"])).unwrap();
        assert!(!new);
        assert_eq!(group.robots, names(&["ops", "qa", "beijing"]));
        assert_eq!(cfg.add_to_group("x", &[]), Err(GroupError::NoRobots));
        assert_eq!(
            cfg.add_to_group("qa", &names(&["ops"])),
            Err(GroupError::NameOfARobot)
        );
        assert_eq!(
            cfg.add_to_group("a\tb", &names(&["ops"])),
            Err(GroupError::NameHasControlCharacter)
        );
    }

    #[test]
    fn a_renamed_or_removed_robot_is_renamed_or_removed_in_its_groups() {
        let mut cfg = three_robots();
        cfg.add_to_group("all", &names(&["ops", "qa"])).unwrap();
        cfg.add_to_group("solo", &names(&["qa"])).unwrap();
        cfg.rename_robot("QA", "testers").unwrap();
        assert_eq!(cfg.group("all").unwrap().robots, names(&["ops", "testers"]));
        assert_eq!(cfg.groups_of("testers").len(), 2);
        cfg.remove_robot("testers").unwrap();
        assert_eq!(cfg.group("all").unwrap().robots, names(&["ops"]));
        // A group left with no member goes.
        assert!(cfg.group("solo").is_none());
        let (before, deleted) = cfg.remove_from_group("all", &names(&["ops"])).unwrap();
        assert!(deleted);
        assert_eq!(before.robots, names(&["ops"]));
        assert_eq!(cfg.remove_from_group("all", &[]), Err(GroupError::NotFound));
    }

    #[test]
    fn group_changes_of_two_processes_merge() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let first = ConfigStore::new(&path);
        first.save(&three_robots()).unwrap();
        let mut a = first.load().unwrap();
        let other = ConfigStore::new(&path);
        let mut b = other.load().unwrap();
        a.add_to_group("ab", &names(&["ops", "qa"])).unwrap();
        first.save(&a).unwrap();
        b.add_to_group("bj", &names(&["beijing"])).unwrap();
        other.save(&b).unwrap();
        let disk = ConfigStore::new(&path).load().unwrap();
        assert_eq!(disk.group("ab").unwrap().robots, names(&["ops", "qa"]));
        assert_eq!(disk.group("bj").unwrap().robots, names(&["beijing"]));
        // A removal by one process leaves the other's group alone.
        let mut a = first.load().unwrap();
        a.remove_from_group("ab", &[]).unwrap();
        first.save(&a).unwrap();
        let disk = ConfigStore::new(&path).load().unwrap();
        assert!(disk.group("ab").is_none());
        assert!(disk.group("bj").is_some());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[[groups]]"), "{text}");
    }

    #[test]
    fn line_of_counts_from_one() {
        let text = "a = 1\nb = 2\nc = ";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 6), 2);
        assert_eq!(line_of(text, 14), 3);
        assert_eq!(line_of(text, 999), 3);
    }

    #[test]
    fn scrub_removes_long_words_found_in_the_file() {
        let file = "webhook = 12\nkeys = \"fake-key-0000-store-test\"";
        let message = "invalid type: string \"fake-key-0000-store-test\", expected a sequence.";
        assert_eq!(
            scrub(message, file),
            "invalid type: string \"…\", expected a sequence"
        );
        assert_eq!(
            scrub("invalid string\nexpected `\"`", file),
            "invalid string; expected `\"`"
        );
    }
}
