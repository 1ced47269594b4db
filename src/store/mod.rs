//! The app's persistent files: the robots config (`config.toml`, secrets
//! inside) and the drafts (`drafts.json`). Both are written atomically and
//! readable by their owner only, so neither a crash nor another user on the
//! machine can cost the user their robots or their text.

pub mod atomic;
pub mod config;
pub mod drafts;
pub mod media_cache;
pub mod templates;

pub use atomic::write_atomic;
pub use config::{
    Config, ConfigError, ConfigStore, RelayCode, RelaySection, Renamed, RobotEntry, RobotError,
    SandboxSection,
};
pub use drafts::{Draft, DraftStore, Drafts, LastUsed};
