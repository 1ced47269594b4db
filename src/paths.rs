//! Where the app keeps its files. `WECOM_CONFIG_DIR` and `WECOM_DATA_DIR`
//! override the platform directories (tests, portable setups).

use std::path::PathBuf;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "wecom-composer")
}

/// The directory for drafts, history, the media cache and sandbox records.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WECOM_DATA_DIR") {
        return PathBuf::from(dir);
    }
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("wecom-composer"))
}

/// The directory of the config file.
pub fn config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WECOM_CONFIG_DIR") {
        return PathBuf::from(dir);
    }
    project_dirs()
        .map(|d| d.config_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("wecom-composer"))
}
