//! `wecom`: the terminal composer and its subcommands.

use std::process::ExitCode;

use wecom_composer::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse_with_paths();
    run(cli)
}
