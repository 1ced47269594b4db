//! Images and uploads: what the server checks about the bytes themselves.
//!
//! Formats are told by their magic bytes, never by the file name: a PNG
//! renamed `.jpg` is still a PNG, and a WebP renamed `.png` is still refused.

use std::io::Read;
use std::path::Path;

use base64::Engine as _;
use md5::{Digest, Md5};

use super::limits::{self, group_digits};
use super::message::{Image, Message};
use super::problem::{Problem, Rule};
use crate::tr;

/// A picture format, told from the first bytes of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    WebP,
    Bmp,
}

impl ImageFormat {
    /// Whether the `image` message takes this format (JPG and PNG only).
    pub fn accepted(self) -> bool {
        matches!(self, ImageFormat::Png | ImageFormat::Jpeg)
    }
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Gif => "GIF",
            ImageFormat::WebP => "WebP",
            ImageFormat::Bmp => "BMP",
        }
    }
}

/// Tells the picture format from the magic bytes.
pub fn sniff_image(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else if bytes.starts_with(b"BM") {
        Some(ImageFormat::Bmp)
    } else {
        None
    }
}

/// The md5 of `bytes`, as 32 lowercase hexadecimal digits.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

/// An `image` message for the raw picture bytes: base64 and the md5 of the
/// bytes before encoding, as the documents require.
pub fn image_message(bytes: &[u8]) -> Message {
    Message::Image(Image {
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        md5: md5_hex(bytes),
    })
}

/// Checks the raw picture: at most 2 MiB, JPG or PNG.
pub fn check_image_bytes(bytes: &[u8], path: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if bytes.len() as u64 > limits::IMAGE_MAX_BYTES {
        out.push(Problem::error(
            path,
            Rule::ImageTooLarge,
            tr!(
                "check.image_too_large",
                n = group_digits(bytes.len()),
                max = group_digits(limits::IMAGE_MAX_BYTES as usize)
            ),
            tr!("check.image_too_large_fix"),
        ));
    }
    match sniff_image(bytes) {
        Some(f) if f.accepted() => {}
        Some(f) => out.push(Problem::error(
            path,
            Rule::ImageFormat,
            tr!("check.image_format", format = f.name()),
            tr!("check.image_format_fix"),
        )),
        None => out.push(Problem::error(
            path,
            Rule::ImageFormat,
            tr!("check.not_a_picture"),
            tr!("check.not_a_picture_fix"),
        )),
    }
    out
}

/// Checks an `image` body: base64 decodes, the picture passes
/// [`check_image_bytes`], and `md5` is the md5 of the decoded bytes.
pub fn check_image_fields(b64: &str, md5: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if b64.is_empty() {
        return out; // reported as Required by the schema walk
    }
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Err(e) => out.push(Problem::error(
            "image.base64",
            Rule::InvalidBase64,
            tr!("check.invalid_base64", error = e),
            tr!("check.invalid_base64_fix"),
        )),
        Ok(bytes) => {
            out.extend(check_image_bytes(&bytes, "image.base64"));
            if md5.is_empty() {
                // reported as Required
            } else if md5.len() != 32 || !md5.chars().all(|c| c.is_ascii_hexdigit()) {
                out.push(Problem::error(
                    "image.md5",
                    Rule::Md5Format,
                    tr!("check.md5_format"),
                    tr!("check.md5_format_fix", md5 = md5_hex(&bytes)),
                ));
            } else if !md5.eq_ignore_ascii_case(&md5_hex(&bytes)) {
                out.push(Problem::error(
                    "image.md5",
                    Rule::Md5Mismatch,
                    tr!("check.md5_mismatch"),
                    tr!("check.md5_mismatch_fix", md5 = md5_hex(&bytes)),
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------- uploads

/// The two kinds of upload the webhook takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    File,
    Voice,
}

impl MediaKind {
    /// The `type` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::File => "file",
            MediaKind::Voice => "voice",
        }
    }
    pub fn parse(s: &str) -> Option<MediaKind> {
        match s {
            "file" => Some(MediaKind::File),
            "voice" => Some(MediaKind::Voice),
            _ => None,
        }
    }
    /// The largest upload of this kind.
    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::File => limits::FILE_MAX_BYTES,
            MediaKind::Voice => limits::VOICE_MAX_BYTES,
        }
    }
}

/// The magic line of an AMR (narrow-band) file.
pub const AMR_MAGIC: &[u8] = b"#!AMR\n";

/// Bytes per AMR-NB frame, header included, by frame type (RFC 4867 §5.3).
const AMR_FRAME_BYTES: [usize; 16] = [13, 14, 16, 18, 20, 21, 27, 32, 6, 1, 1, 1, 1, 1, 1, 1];

/// The playing time of an AMR-NB file in seconds (20 ms per frame), or `None`
/// when the bytes are not a well-formed AMR file.
pub fn amr_duration_seconds(bytes: &[u8]) -> Option<f64> {
    let mut rest = bytes.strip_prefix(AMR_MAGIC)?;
    let mut frames = 0u64;
    while let Some(&header) = rest.first() {
        let size = AMR_FRAME_BYTES[usize::from((header >> 3) & 0x0F)];
        if rest.len() < size {
            return None;
        }
        rest = &rest[size..];
        frames += 1;
    }
    Some(frames as f64 * 0.02)
}

/// What is known about a file before it is uploaded.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadFacts {
    pub size: u64,
    /// Playing time, for voice clips.
    pub voice_seconds: Option<f64>,
}

/// Checks an upload against the documented limits: every upload larger than
/// 5 bytes; files at most 20 MiB; voice at most 2 MiB, AMR, at most 60 s.
/// `head` is the start of the file (at least 6 bytes when it has them).
pub fn check_upload(kind: MediaKind, facts: &UploadFacts, head: &[u8]) -> Vec<Problem> {
    let path = kind.as_str();
    let mut out = Vec::new();
    if facts.size <= limits::UPLOAD_MIN_EXCLUSIVE_BYTES {
        out.push(Problem::error(
            path,
            Rule::UploadSize,
            tr!(
                if facts.size == 1 {
                    "check.upload_too_small_one"
                } else {
                    "check.upload_too_small_many"
                },
                n = group_digits(facts.size as usize)
            ),
            tr!("check.upload_too_small_fix"),
        ));
    }
    if facts.size > kind.max_bytes() {
        out.push(Problem::error(
            path,
            Rule::UploadSize,
            tr!(
                "check.upload_too_large",
                n = group_digits(facts.size as usize),
                kind = kind.as_str(),
                max = group_digits(kind.max_bytes() as usize),
                mib = kind.max_bytes() / (1024 * 1024)
            ),
            match kind {
                MediaKind::File => tr!("check.upload_too_large_fix_file"),
                MediaKind::Voice => tr!("check.upload_too_large_fix_voice"),
            },
        ));
    }
    if kind == MediaKind::Voice {
        if !head.starts_with(AMR_MAGIC) {
            out.push(Problem::error(
                path,
                Rule::UploadFormat,
                tr!("check.voice_not_amr"),
                tr!("check.voice_not_amr_fix"),
            ));
        } else if let Some(secs) = facts.voice_seconds
            && secs > limits::VOICE_MAX_SECONDS
        {
            out.push(Problem::error(
                path,
                Rule::VoiceTooLong,
                tr!("check.voice_too_long", secs = format!("{secs:.1}")),
                tr!("check.voice_too_long_fix"),
            ));
        }
    }
    out
}

/// Reads what [`check_upload`] needs from a file on disk, without loading a
/// large file: only voice clips (at most 2 MiB) are read whole, to time them.
pub fn inspect_upload(
    path: &Path,
    kind: MediaKind,
) -> std::io::Result<(UploadFacts, Vec<Problem>)> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let size = meta.len();
    let mut file = std::fs::File::open(path)?;
    let mut head = Vec::new();
    let mut voice_seconds = None;
    if kind == MediaKind::Voice && size <= limits::VOICE_MAX_BYTES {
        file.read_to_end(&mut head)?;
        voice_seconds = amr_duration_seconds(&head);
    } else {
        file.by_ref().take(16).read_to_end(&mut head)?;
    }
    let facts = UploadFacts {
        size,
        voice_seconds,
    };
    let problems = check_upload(kind, &facts, &head);
    Ok((facts, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_the_rfc_1321_test_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            md5_hex(b"The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
    }

    #[test]
    fn formats_are_told_by_magic_not_name() {
        assert_eq!(
            sniff_image(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(sniff_image(b"GIF89a..."), Some(ImageFormat::Gif));
        assert_eq!(
            sniff_image(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageFormat::WebP)
        );
        assert_eq!(sniff_image(b"BM......"), Some(ImageFormat::Bmp));
        assert_eq!(sniff_image(b"hello"), None);
    }

    #[test]
    fn amr_duration_counts_20ms_frames() {
        let mut clip = AMR_MAGIC.to_vec();
        for _ in 0..50 {
            clip.push(0x3C); // frame type 7 (12.2 kbit/s), 32 bytes per frame
            clip.extend([0u8; 31]);
        }
        assert_eq!(amr_duration_seconds(&clip), Some(1.0));
        clip.pop(); // a truncated last frame is malformed
        assert_eq!(amr_duration_seconds(&clip), None);
        assert_eq!(amr_duration_seconds(b"RIFF"), None);
    }
}
