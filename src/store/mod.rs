//! The app's persistent state: the robots config (`config.toml`, secrets
//! inside, written atomically under a lock) and, in one SQLite file shared by
//! every process ([`db`]), the drafts, the media cache, the outbox, the
//! history and the rate ledger. All readable by their owner only, so neither
//! a crash, another process nor another user on the machine can cost the
//! user their robots or their text.

pub mod atomic;
pub mod config;
pub mod db;
pub mod drafts;
pub mod history;
pub mod ledger;
pub mod media_cache;
pub mod outbox;
pub mod schedule;
pub mod templates;

pub use atomic::write_atomic;
pub use config::{
    Config, ConfigError, ConfigStore, RelayCode, RelaySection, Renamed, RobotEntry, RobotError,
    SandboxSection,
};
pub use db::{Db, StoreError};
pub use drafts::{Draft, DraftStore, Drafts, LastUsed};
