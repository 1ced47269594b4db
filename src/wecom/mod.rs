//! The WeCom group-robot webhook protocol: message model, rules, webhook
//! addresses, the HTTP client and errcode explanations. Knows nothing of
//! terminals; the TUI, the CLI, the relay and the sandbox all stand on it.

pub mod attach;
pub mod batch;
pub mod client;
pub mod convert;
pub mod errcode;
pub mod json_words;
pub mod limits;
pub mod media;
pub mod message;
pub mod problem;
pub mod schema;
pub mod split;
pub mod validate;
pub mod webhook;

pub use message::{Message, MessageKind, ParseError};
pub use validate::{Problem, Rule, Severity, validate};
pub use webhook::{Key, Webhook, WebhookError};
