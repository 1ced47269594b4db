//! The relay's view of the config: which code sends to which robot. Read
//! again whenever the file changes, so that `wecom robots code NAME` and
//! `--revoke` take effect without restarting the relay.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use crate::store::config::{Config, ConfigError, ConfigStore};

/// What identifies a version of the file without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            // The config is replaced by a rename, which changes the inode
            // even when the size and the second are the same.
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        })
    }
}

/// The config as last read, and the file's stamp then.
#[derive(Debug)]
pub struct Book {
    store: ConfigStore,
    cached: Mutex<(Option<Stamp>, Arc<Config>)>,
}

impl Book {
    /// Reads the config once; a file that cannot be read is an error here,
    /// so that `wecom serve` refuses to start on a broken config.
    pub fn open(store: ConfigStore) -> Result<Book, ConfigError> {
        let stamp = Stamp::of(store.path());
        let config = store.load()?;
        Ok(Book {
            store,
            cached: Mutex::new((stamp, Arc::new(config))),
        })
    }

    /// The config now: read again if the file changed. A file that became
    /// unreadable keeps the last good config (and says so in the log).
    pub fn current(&self) -> Arc<Config> {
        let stamp = Stamp::of(self.store.path());
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.0 != stamp {
            match self.store.load() {
                Ok(config) => {
                    tracing::info!("relay: config changed, codes read again");
                    *cached = (stamp, Arc::new(config));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "relay: keeping the codes read before");
                    cached.0 = stamp;
                }
            }
        }
        Arc::clone(&cached.1)
    }
}
