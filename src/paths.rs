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

/// Creates `dir` and its missing parents for the app's own files, readable
/// by their owner only (0700 on Unix): drafts, the store and logs may hold
/// confidential text, and another user on the machine must not list them.
/// A directory that already exists keeps its mode: it may be shared on
/// purpose (`WECOM_DATA_DIR=/tmp/...` in tests).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options that create a file readable and writable by its owner only
/// (0600 on Unix): logs, records and the store may hold what users wrote.
/// The mode applies when the file is created; see [`tighten_file`] for one
/// that already exists.
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Makes an existing file readable by its owner only; returns whether its
/// mode was wider before (so the caller can say it tightened it).
pub fn tighten_file(path: &std::path::Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
            return Ok(true);
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn private_dirs_and_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("a/b");
        create_private_dir(&dir).expect("dir");
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        let file = dir.join("f.log");
        private_file_options()
            .create(true)
            .append(true)
            .open(&file)
            .expect("open");
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(tighten_file(&file).expect("tighten"));
        assert_eq!(mode(&file), 0o600);
        assert!(!tighten_file(&file).expect("again"));
    }
}
