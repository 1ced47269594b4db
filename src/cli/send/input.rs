//! Reading a content argument: the text itself, `@PATH` for a file, `-` for
//! standard input (the curl convention, which scripts already know).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::Failure;
use crate::cli::exit;

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Literal(String),
    File(PathBuf),
    Stdin,
}

impl Source {
    /// `-` is standard input, `@PATH` a file, `@@…` a literal starting with
    /// `@`, anything else the text itself.
    pub fn parse(value: &str) -> Source {
        if value == "-" {
            Source::Stdin
        } else if let Some(rest) = value.strip_prefix("@@") {
            Source::Literal(format!("@{rest}"))
        } else if let Some(path) = value.strip_prefix('@') {
            Source::File(PathBuf::from(path))
        } else {
            Source::Literal(value.to_owned())
        }
    }

    /// The text. From a file or standard input, the final line break is
    /// dropped, as the shell's `$(…)` does: `echo` and editors add one that
    /// nobody means to send.
    pub fn read(&self, what: &str) -> Result<String, Failure> {
        let raw = match self {
            Source::Literal(text) => return Ok(text.clone()),
            Source::File(path) => read_file(path, what)?,
            Source::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
                    Failure::new(
                        exit::IO,
                        crate::tr!("cli.input.stdin_failed", what = what, error = e),
                    )
                })?;
                utf8(bytes, &crate::tr!("cli.input.from_stdin", what = what))?
            }
        };
        Ok(drop_final_line_break(raw))
    }
}

fn read_file(path: &Path, what: &str) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::new(
            exit::IO,
            crate::tr!(
                "cli.input.file_failed",
                what = what,
                path = path.display(),
                error = e
            ),
        )
    })?;
    utf8(
        bytes,
        &crate::tr!("cli.input.the_file", what = what, path = path.display()),
    )
}

fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        Failure::new(
            exit::USAGE,
            crate::tr!(
                "cli.input.not_utf8",
                what = what,
                offset = e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn drop_final_line_break(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_the_curl_convention() {
        assert_eq!(Source::parse("-"), Source::Stdin);
        assert_eq!(Source::parse("@notes.md"), Source::File("notes.md".into()));
        assert_eq!(Source::parse("@@all hi"), Source::Literal("@all hi".into()));
        assert_eq!(Source::parse("hi -"), Source::Literal("hi -".into()));
        assert_eq!(drop_final_line_break("a\n\n".into()), "a\n");
        assert_eq!(drop_final_line_break("a\r\n".into()), "a");
    }
}
