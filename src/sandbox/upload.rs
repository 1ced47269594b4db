//! `/cgi-bin/webhook/upload_media`: reads the `media` part as a stream,
//! counting its bytes and keeping only what the checks need (the first bytes
//! of a file; a voice clip up to its 2 MiB limit, to time it), then applies
//! the documented upload limits.

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;

use super::reply::{Reject, errcode};
use crate::wecom::media::{self, MediaKind, UploadFacts};
use crate::wecom::{Problem, Rule};

/// The multipart part that carries the file ("文件标识名为 media").
const MEDIA_PART: &str = "media";
/// Bytes of a `file` upload kept for the checks.
const FILE_HEAD_BYTES: usize = 16;

/// What was read of the `media` part.
#[derive(Debug)]
pub struct Received {
    pub filename: String,
    pub size: u64,
    /// The first bytes (for voice: the whole clip, up to the voice limit).
    pub head: Vec<u8>,
}

/// Reads the whole request, returning the first `media` part with a file
/// name. Every other part is read and dropped, so the client always gets the
/// answer instead of a broken connection.
pub async fn receive(
    mut multipart: Multipart,
    kind: MediaKind,
    body_limit: usize,
) -> Result<Received, Reject> {
    let mut media: Option<Result<Received, Reject>> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| stream_reject(&e, body_limit))?
    {
        if media.is_some() || field.name() != Some(MEDIA_PART) {
            drain(&mut field, body_limit).await?;
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        if filename.is_empty() {
            drain(&mut field, body_limit).await?;
            media = Some(Err(missing()));
            continue;
        }
        let (size, head) = read_media(&mut field, kind, body_limit).await?;
        media = Some(Ok(Received {
            filename,
            size,
            head,
        }));
    }
    media.unwrap_or_else(|| Err(missing()))
}

/// The answer when there is no `media` part with a file name.
pub fn missing() -> Reject {
    Reject::new(
        errcode::MEDIA_DATA_MISSING,
        "media data missing: send one multipart/form-data part named \"media\" with a filename",
    )
}

async fn read_media(
    field: &mut Field<'_>,
    kind: MediaKind,
    body_limit: usize,
) -> Result<(u64, Vec<u8>), Reject> {
    let keep = match kind {
        MediaKind::File => FILE_HEAD_BYTES,
        MediaKind::Voice => usize::try_from(kind.max_bytes()).unwrap_or(usize::MAX),
    };
    let mut size = 0u64;
    let mut head = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| stream_reject(&e, body_limit))?
    {
        size += chunk.len() as u64;
        let room = keep.saturating_sub(head.len());
        head.extend_from_slice(&chunk[..room.min(chunk.len())]);
    }
    Ok((size, head))
}

async fn drain(field: &mut Field<'_>, body_limit: usize) -> Result<(), Reject> {
    while field
        .chunk()
        .await
        .map_err(|e| stream_reject(&e, body_limit))?
        .is_some()
    {}
    Ok(())
}

/// A request the multipart reader gave up on: over the body limit (40006,
/// like any oversize upload) or not well-formed (41005).
fn stream_reject(error: &MultipartError, body_limit: usize) -> Reject {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Reject::new(
            errcode::INVALID_FILE_SIZE,
            format!(
                "invalid file size: the request is larger than {} MiB",
                body_limit / (1024 * 1024)
            ),
        )
    } else {
        Reject::new(
            errcode::MEDIA_DATA_MISSING,
            format!("media data missing: {}", error.body_text()),
        )
    }
}

/// Applies the upload limits: more than 5 bytes, at most 20 MiB (file) or
/// 2 MiB (voice), voice in AMR and at most 60 s.
pub fn judge(kind: MediaKind, received: &Received) -> Result<(), Reject> {
    if received.size == 0 {
        return Err(Reject::new(errcode::EMPTY_MEDIA_DATA, "empty media data"));
    }
    let voice_seconds = match kind {
        MediaKind::Voice if received.size <= kind.max_bytes() => {
            media::amr_duration_seconds(&received.head)
        }
        _ => None,
    };
    let facts = UploadFacts {
        size: received.size,
        voice_seconds,
    };
    // The errmsg is English, as WeCom's is, whatever the process speaks.
    let problems = crate::i18n::in_language(crate::i18n::Lang::En, || {
        media::check_upload(kind, &facts, &received.head)
    });
    match problems.iter().find(|p| p.is_error()) {
        Some(problem) => Err(problem_reject(problem)),
        None => Ok(()),
    }
}

fn problem_reject(problem: &Problem) -> Reject {
    use super::send::sentence;
    match problem.rule {
        Rule::UploadFormat => Reject::new(
            errcode::INVALID_FILE_TYPE,
            format!("invalid file type: {}", sentence(problem)),
        ),
        Rule::VoiceTooLong => Reject::new(
            errcode::INVALID_FILE_SIZE,
            format!("invalid file size: voice too long: {}", sentence(problem)),
        ),
        _ => Reject::new(
            errcode::INVALID_FILE_SIZE,
            format!("invalid file size: {}", sentence(problem)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(size: u64, head: &[u8]) -> Received {
        Received {
            filename: "x".into(),
            size,
            head: head.to_vec(),
        }
    }

    #[test]
    fn sizes_follow_the_documents() {
        let code = |kind, size| {
            judge(kind, &received(size, b"#!AMR\n"))
                .err()
                .map(|r| r.code)
        };
        assert_eq!(code(MediaKind::File, 0), Some(44001));
        assert_eq!(code(MediaKind::File, 5), Some(40006));
        assert_eq!(code(MediaKind::File, 6), None);
        assert_eq!(code(MediaKind::File, 20 * 1024 * 1024), None);
        assert_eq!(code(MediaKind::File, 20 * 1024 * 1024 + 1), Some(40006));
        assert_eq!(code(MediaKind::Voice, 2 * 1024 * 1024 + 1), Some(40006));
    }
}
