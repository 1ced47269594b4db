//! The exit codes of the subcommands, in one place: scripts branch on them,
//! so each kind of failure has its own, and `wecom send --help` prints
//! [`TABLE`].

use std::process::ExitCode;

use crate::wecom::client::SendError;

/// Sent; with `--dry-run`, valid.
pub const OK: u8 = 0;
/// Something unexpected inside the program (it could not start its runtime).
pub const INTERNAL: u8 = 1;
/// A usage or validation error: nothing was sent. (clap uses 2 for usage too.)
pub const USAGE: u8 = 2;
/// WeCom refused a message (a non-zero errcode).
pub const REFUSED: u8 = 3;
/// The network failed: no connection, a timeout, a connection closed, an
/// HTTP error, or an answer that is not WeCom's.
pub const NETWORK: u8 = 4;
/// A local file could not be read or written: content, attachment, config.
pub const IO: u8 = 5;

/// The table shown in `--help` and the README.
pub const TABLE: &str = "\
Exit codes:
  0  sent (with --dry-run: valid, nothing sent)
  1  unexpected internal error
  2  usage or validation error: nothing was sent
  3  WeCom refused a message (its errcode is explained)
  4  network failure, timeout, or an answer that is not WeCom's
  5  a local file could not be read or written (content, attachment, config)";

pub fn code(n: u8) -> ExitCode {
    ExitCode::from(n)
}

/// The exit code for a failed send or upload.
pub fn for_send_error(e: &SendError) -> u8 {
    match e {
        SendError::Invalid(_) | SendError::UploadRejected(_) => USAGE,
        SendError::File { .. } => IO,
        SendError::Refused { .. } => REFUSED,
        SendError::Connect { .. }
        | SendError::Timeout { .. }
        | SendError::ConnectionClosed { .. }
        | SendError::Http { .. }
        | SendError::NotJson { .. } => NETWORK,
        SendError::Cancelled | SendError::Other(_) => INTERNAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_the_table_once() {
        for n in [OK, INTERNAL, USAGE, REFUSED, NETWORK, IO] {
            let line = format!("\n  {n}  ");
            assert_eq!(TABLE.matches(&line).count(), 1, "{n}");
        }
        assert_eq!(
            for_send_error(&SendError::Refused {
                errcode: 93000,
                errmsg: String::new()
            }),
            REFUSED
        );
    }
}
