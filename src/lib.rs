//! wecom-composer: compose, preview and send messages to WeCom group robots.
//!
//! The protocol layer ([`wecom`]) is a library that the terminal app, the
//! command line ([`cli`]) and the local WeCom-compatible endpoint
//! ([`sandbox`]) all call.

pub mod cli;
pub mod clock;
pub mod delivery;
pub mod http_server;
pub mod i18n;
pub mod paths;
pub mod picture;
pub mod preview;
pub mod relay;
pub mod sandbox;
pub mod signals;
pub mod store;
pub mod tui;
pub mod untrusted;
pub mod wecom;

// The strings of both languages, compiled in; a key missing in Chinese
// falls back to English (tests/i18n_keys.rs keeps the files complete).
rust_i18n::i18n!("locales", fallback = "en");
