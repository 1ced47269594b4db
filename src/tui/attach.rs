//! Attachments of `image`, `file` and `voice` messages: what is known about
//! the chosen file, found out in the background (reading, hashing, decoding a
//! picture never blocks a keystroke), plus path completion and directory
//! listings for the file browser.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::wecom::convert;
use crate::wecom::media::{self, MediaKind};
use crate::wecom::validate::{Problem, group_digits};
use crate::wecom::{Message, MessageKind, limits};

/// The largest picture read for conversion: far above what WeCom takes, but
/// bounded so a stray 1 GB file cannot exhaust memory.
pub const IMAGE_READ_LIMIT: u64 = 64 * 1024 * 1024;

/// What is known about the chosen file.
// A ready picture is big, but there is one state per open draft.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AttachState {
    /// No file chosen.
    Empty,
    /// The path was edited: checked when the user presses Enter or Tab.
    Edited,
    /// To be checked (the app asks the runtime at once).
    Pending,
    /// Being checked or converted.
    Working(String),
    /// A picture WeCom takes, ready to send.
    Image(ImageReady),
    /// A picture WeCom refuses as it is: conversion is offered.
    ImageOffer(ImageOffer),
    /// A file or voice clip, checked against the upload limits.
    Upload(UploadFacts),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageReady {
    pub message: Message,
    /// "PNG 120×60, 19,794 bytes" or what the conversion did.
    pub description: String,
    pub md5: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageOffer {
    pub description: String,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UploadFacts {
    pub size: u64,
    pub voice_seconds: Option<f64>,
    pub problems: Vec<Problem>,
}

impl AttachState {
    /// Why this is not ready to send, if it is not.
    pub fn not_ready(&self) -> Option<String> {
        match self {
            AttachState::Empty => Some(crate::tr!("attach.choose").into_owned()),
            AttachState::Edited => Some(crate::tr!("attach.press_enter").into_owned()),
            AttachState::Pending | AttachState::Working(_) => {
                Some(crate::tr!("attach.being_checked").into_owned())
            }
            AttachState::ImageOffer(_) => Some(crate::tr!("attach.refused_picture").into_owned()),
            AttachState::Failed(e) => Some(e.clone()),
            AttachState::Image(_) | AttachState::Upload(_) => None,
        }
    }

    /// The problems to list in the checks pane.
    pub fn problems(&self) -> &[Problem] {
        match self {
            AttachState::ImageOffer(o) => &o.problems,
            AttachState::Upload(u) => &u.problems,
            _ => &[],
        }
    }
}

fn upload_kind(kind: MessageKind) -> Option<MediaKind> {
    match kind {
        MessageKind::File => Some(MediaKind::File),
        MessageKind::Voice => Some(MediaKind::Voice),
        _ => None,
    }
}

/// Expands a leading `~/` to the home directory.
pub fn expand(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// Checks the file at `path` for a message of `kind`. Blocking: run it off
/// the UI thread.
pub fn inspect(path: &str, kind: MessageKind) -> AttachState {
    let path = expand(path.trim());
    let meta = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => {
            return AttachState::Failed(
                crate::tr!("attach.not_a_file", path = path.display()).into_owned(),
            );
        }
        Err(e) => {
            return AttachState::Failed(
                crate::tr!("attach.cannot_open", path = path.display(), error = e).into_owned(),
            );
        }
    };
    if let Some(media_kind) = upload_kind(kind) {
        return match media::inspect_upload(&path, media_kind) {
            Ok((facts, problems)) => AttachState::Upload(UploadFacts {
                size: facts.size,
                voice_seconds: facts.voice_seconds,
                problems,
            }),
            Err(e) => AttachState::Failed(cannot_read(&path, &e)),
        };
    }
    if meta.len() > IMAGE_READ_LIMIT {
        return AttachState::Failed(
            crate::tr!(
                "attach.too_large",
                path = path.display(),
                size = group_digits(meta.len() as usize),
                max = group_digits(limits::IMAGE_MAX_BYTES as usize)
            )
            .into_owned(),
        );
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return AttachState::Failed(cannot_read(&path, &e)),
    };
    let problems = media::check_image_bytes(&bytes, "image");
    if problems.is_empty() {
        return ready(&bytes, describe(&bytes));
    }
    match media::sniff_image(&bytes) {
        Some(_) => AttachState::ImageOffer(ImageOffer {
            description: describe(&bytes),
            problems,
        }),
        None => AttachState::Failed(
            crate::tr!("attach.not_a_picture", path = path.display()).into_owned(),
        ),
    }
}

/// "cannot read PATH: why", in the current language (the system's reason
/// in its own words).
fn cannot_read(path: &std::path::Path, e: &dyn std::fmt::Display) -> String {
    crate::tr!("attach.cannot_read", path = path.display(), error = e).into_owned()
}

fn describe(bytes: &[u8]) -> String {
    let format = media::sniff_image(bytes).map_or("?", |f| f.name());
    match dimensions(bytes) {
        Some((w, h)) => crate::tr!(
            "attach.described",
            format = format,
            w = w,
            h = h,
            size = group_digits(bytes.len())
        )
        .into_owned(),
        None => crate::tr!(
            "attach.described_no_size",
            format = format,
            size = group_digits(bytes.len())
        )
        .into_owned(),
    }
}

fn ready(bytes: &[u8], description: String) -> AttachState {
    AttachState::Image(ImageReady {
        message: media::image_message(bytes),
        description,
        md5: media::md5_hex(bytes),
    })
}

/// Converts the picture at `path` to a PNG or JPEG under 2 MiB. Blocking.
pub fn convert(path: &str) -> AttachState {
    let path = expand(path.trim());
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return AttachState::Failed(cannot_read(&path, &e)),
    };
    match convert::to_acceptable(&bytes) {
        Ok(c) => ready(&c.bytes, c.describe()),
        Err(e) => {
            AttachState::Failed(crate::tr!("attach.conversion_failed", error = e).into_owned())
        }
    }
}

/// The result of Tab on a path.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The path, extended as far as all candidates agree.
    pub text: String,
    /// The names that match, when more than one.
    pub candidates: Vec<String>,
}

/// Completes `text` as a path, like a shell. Blocking (reads a directory).
pub fn complete(text: &str) -> Completion {
    let (dir_part, prefix) = match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand(dir_part)
    };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let hidden_ok = prefix.starts_with('.') || !name.starts_with('.');
                    (name.starts_with(prefix) && hidden_ok).then(|| (name, e.path().is_dir()))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let Some((first, _)) = names.first() else {
        return Completion {
            text: text.to_owned(),
            candidates: Vec::new(),
        };
    };
    let mut common = first.clone();
    for (name, _) in &names[1..] {
        while !name.starts_with(&common) {
            common.pop();
        }
    }
    let mut completed = format!("{dir_part}{common}");
    if names.len() == 1 && names[0].1 {
        completed.push('/');
    }
    Completion {
        text: completed,
        candidates: if names.len() > 1 {
            names
                .into_iter()
                .map(|(n, d)| if d { n + "/" } else { n })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// An entry of the file browser.
#[derive(Debug, Clone, PartialEq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
}

/// The visible entries of `dir`: directories first, then files, by name.
/// Blocking.
pub fn list_dir(dir: &Path) -> Result<Vec<DirEntry>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        crate::tr!("attach.cannot_list", path = dir.display(), error = e).into_owned()
    })?;
    let mut out: Vec<DirEntry> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            let meta = e.metadata().ok()?;
            Some(DirEntry {
                name,
                is_dir: meta.is_dir(),
                size: meta.len(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_extends_to_the_common_prefix_and_marks_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().display().to_string();
        std::fs::write(dir.path().join("report-2026.pdf"), b"x").expect("write");
        std::fs::write(dir.path().join("report-2025.pdf"), b"x").expect("write");
        std::fs::create_dir(dir.path().join("pictures")).expect("mkdir");
        let c = complete(&format!("{root}/rep"));
        assert_eq!(c.text, format!("{root}/report-202"));
        assert_eq!(c.candidates, ["report-2025.pdf", "report-2026.pdf"]);
        let c = complete(&format!("{root}/pic"));
        assert_eq!(c.text, format!("{root}/pictures/"));
        assert!(c.candidates.is_empty());
        let c = complete(&format!("{root}/nothing"));
        assert_eq!(c.text, format!("{root}/nothing"));
    }

    #[test]
    fn a_png_is_ready_and_a_gif_is_offered_conversion() {
        let png = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png");
        match inspect(png, MessageKind::Image) {
            AttachState::Image(r) => {
                assert!(r.description.starts_with("PNG 120×60"), "{}", r.description)
            }
            other => panic!("{other:?}"),
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let gif = dir.path().join("a.gif");
        // A 1×1 GIF (the smallest valid GIF89a).
        std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;").expect("write");
        let path = gif.display().to_string();
        match inspect(&path, MessageKind::Image) {
            AttachState::ImageOffer(o) => {
                assert!(o.description.starts_with("GIF 1×1"), "{}", o.description)
            }
            other => panic!("{other:?}"),
        }
        match convert(&path) {
            AttachState::Image(r) => {
                assert!(r.description.contains("to PNG 1×1"), "{}", r.description)
            }
            other => panic!("{other:?}"),
        }
    }
}
