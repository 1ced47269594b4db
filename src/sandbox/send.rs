//! `/cgi-bin/webhook/send`: the checks on the body, in the order WeCom makes
//! them, each mapped to the errcode the real server answers with.
//!
//! The rules themselves are the protocol layer's ([`Message::from_value`],
//! [`validate`]): the sandbox refuses exactly what the composer warns about as
//! an error, so both agree on what WeCom accepts.

use serde_json::Value;

use super::reply::{Reject, errcode};
use super::state::State;
use crate::wecom::media::MediaKind;
use crate::wecom::message::{HorizontalContent, Parsed, TemplateCard};
use crate::wecom::{Message, ParseError, Problem, Rule, validate};

/// A message the sandbox accepted.
pub struct Accepted {
    /// The JSON as sent (key order kept, undocumented fields too).
    pub value: Value,
    /// The fields WeCom does not document, which it most likely ignores:
    /// accepted, and listed in the record and on the console.
    pub ignored: Vec<String>,
}

/// Checks a send body for `key`; returns the JSON as sent when WeCom would
/// accept it. The errmsg is English, as WeCom's is, whatever language the
/// process speaks: the checks' sentences it quotes are made in English.
pub fn check(state: &State, key: &str, body: &[u8]) -> Result<Accepted, Reject> {
    crate::i18n::in_language(crate::i18n::Lang::En, || check_in_english(state, key, body))
}

fn check_in_english(state: &State, key: &str, body: &[u8]) -> Result<Accepted, Reject> {
    let value = parse_json(body)?;
    let Parsed { message, ignored } =
        Message::parse(value.clone()).map_err(|e| parse_reject(&e))?;
    if let Some(problem) = validate(&message).iter().find(|p| p.is_error()) {
        return Err(problem_reject(problem));
    }
    check_media(state, key, &message)?;
    Ok(Accepted { value, ignored })
}

fn parse_json(body: &[u8]) -> Result<Value, Reject> {
    serde_json::from_slice(body).map_err(|e| {
        Reject::new(
            errcode::INVALID_PARAMETER,
            format!("Warning: wrong json format. {e}"),
        )
    })
}

/// A document that is JSON but not a message.
fn parse_reject(error: &ParseError) -> Reject {
    match error {
        ParseError::MissingMsgtype | ParseError::UnknownMsgtype(_) => {
            Reject::new(errcode::INVALID_MESSAGE_TYPE, "invalid message type")
        }
        other => Reject::new(
            errcode::INVALID_PARAMETER,
            format!("invalid request parameter: {other}"),
        ),
    }
}

/// The first validation error, as WeCom would word it.
fn problem_reject(problem: &Problem) -> Reject {
    let path = &problem.path;
    match problem.rule {
        Rule::Required if path.ends_with(".content") => {
            Reject::new(errcode::EMPTY_CONTENT, "empty content")
        }
        Rule::TooManyBytes => Reject::new(
            errcode::INVALID_PARAMETER,
            format!("content exceed max length: {path}: {}", sentence(problem)),
        ),
        Rule::Md5Mismatch => Reject::new(errcode::MEDIA_MD5_NOT_MATCH, "media md5 not match"),
        Rule::ImageTooLarge => Reject::new(
            errcode::INVALID_IMAGE_SIZE,
            format!("invalid image size: {}", sentence(problem)),
        ),
        Rule::ImageFormat => Reject::new(
            errcode::INVALID_FILE_TYPE,
            format!("invalid file type: {}", sentence(problem)),
        ),
        _ => Reject::new(
            errcode::INVALID_PARAMETER,
            format!("invalid request parameter: {path}: {}", sentence(problem)),
        ),
    }
}

/// The problem's sentence without its full stop, to sit inside an errmsg
/// that goes on with ", hint: …".
pub(super) fn sentence(problem: &Problem) -> &str {
    problem.message.trim_end_matches('.')
}

/// `file` and `voice` messages: the media_id must be this robot's upload of
/// the same kind, still within its TTL. A card's file attachments
/// (`horizontal_content_list` type 2) follow the same rule as far as the
/// sandbox can tell: a media_id it issued to another robot is refused, one
/// it never issued is accepted (it may be WeCom's; the documents' own example
/// is `MEDIAID`).
fn check_media(state: &State, key: &str, message: &Message) -> Result<(), Reject> {
    let (kind, media_id) = match message {
        Message::File(m) => (MediaKind::File, &m.media_id),
        Message::Voice(m) => (MediaKind::Voice, &m.media_id),
        Message::TemplateCard(card) => return check_card_media(state, key, card),
        _ => return Ok(()),
    };
    if state.media_usable(key, kind, media_id) {
        Ok(())
    } else {
        Err(invalid_media_id())
    }
}

fn check_card_media(state: &State, key: &str, card: &TemplateCard) -> Result<(), Reject> {
    let rows: &[HorizontalContent] = match card {
        TemplateCard::TextNotice(c) => c.horizontal_content_list.as_deref(),
        TemplateCard::NewsNotice(c) => c.horizontal_content_list.as_deref(),
    }
    .unwrap_or_default();
    let foreign = rows
        .iter()
        .filter(|row| row.r#type == Some(2))
        .filter_map(|row| row.media_id.as_deref())
        .any(|media_id| state.media_of_another_robot(key, media_id));
    if foreign {
        Err(invalid_media_id())
    } else {
        Ok(())
    }
}

fn invalid_media_id() -> Reject {
    Reject::new(errcode::INVALID_MEDIA_ID, "invalid media_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_missing_msgtypes_are_40008() {
        for json in [
            r#"{"text":{"content":"x"}}"#,
            r#"{"msgtype":"TEXT","TEXT":{"content":"x"}}"#,
        ] {
            let e = Message::from_json_str(json).expect_err("not a message");
            assert_eq!(parse_reject(&e).code, 40008, "{json}");
        }
        let e = Message::from_json_str(r#"{"msgtype":"text"}"#).expect_err("no body");
        assert_eq!(parse_reject(&e).code, 40058);
    }
}
