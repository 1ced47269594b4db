//! A local endpoint that behaves like WeCom. (Being written.)

use std::process::ExitCode;

/// `wecom sandbox` arguments.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
}

/// Runs `wecom sandbox`.
pub fn run_cli(_args: SandboxArgs) -> ExitCode {
    ExitCode::FAILURE
}
