//! Stopping on request: the long-running subcommands (`sandbox`, `serve`)
//! stop on Ctrl-C or SIGTERM alike, so a terminal and a service manager end
//! them the same way.

/// Resolves on Ctrl-C, or on SIGTERM on Unix.
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
