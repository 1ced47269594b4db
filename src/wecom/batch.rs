//! A JSON body that holds messages, in any of the three shapes people send:
//! one message object, an array of them (sent in order), or seed 002's
//! service body `{"link": WEBHOOK_URL, "sk": "…", "data": [message, …]}`.
//!
//! One reading for every front end: `wecom validate`, `wecom send --json`
//! and the relay's batch endpoint all take the same bodies and name a
//! message's problems the same way (`data[2].markdown.content`). The
//! `link` holds a webhook key, so it is handed back as it is for the caller
//! to parse, and never quoted in an error here.

use serde_json::{Map, Value};

use super::message::{Message, ParseError};
use super::problem::{Problem, Rule};
use super::validate::validate_parsed;

/// Which shape the body had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One message object.
    One,
    /// A JSON array of message objects.
    Array,
    /// Seed 002's `{"link", "sk", "data"}`.
    Service,
}

/// A body read as messages, not yet checked.
#[derive(Clone, PartialEq)]
pub struct Body {
    pub shape: Shape,
    /// Seed 002's `link`, as written: a webhook URL with its key (secret).
    pub link: Option<String>,
    /// The message values, in order.
    pub entries: Vec<Value>,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The link holds a key: never in Debug.
        f.debug_struct("Body")
            .field("shape", &self.shape)
            .field("link", &self.link.as_ref().map(|_| "<secret>"))
            .field("entries", &self.entries.len())
            .finish()
    }
}

/// Why a body holds no messages to check. Each names what to send instead;
/// none quotes the body (the link holds a key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid JSON ({0})")]
    NotJson(String),
    #[error(
        "the body must be a JSON object (one message, or {{\"link\": …, \"data\": [message, …]}}) or an array of messages"
    )]
    NotAnObjectOrArray,
    #[error("`data` is missing: add \"data\": [message, …], the messages to send in order")]
    DataMissing,
    #[error("`data` must be an array of messages, like [{{\"msgtype\": \"text\", …}}]")]
    DataNotAnArray,
    #[error("there are no messages: give at least one")]
    Empty,
    #[error("`link` must be a string: the robot's webhook URL, …/cgi-bin/webhook/send?key=…")]
    LinkNotAString,
    #[error(
        "{at} is not a JSON object: each message is an object like {{\"msgtype\": \"text\", \"text\": {{\"content\": \"…\"}}}}"
    )]
    MessageNotAnObject { at: String },
}

/// Reads `text` as a body of messages.
pub fn parse_body_str(text: &str) -> Result<Body, BodyError> {
    let value: Value = serde_json::from_str(text).map_err(|e| BodyError::NotJson(e.to_string()))?;
    parse_body(value)
}

/// Reads a JSON value as a body of messages. An object with `data` or
/// `link` and no `msgtype` is seed 002's body; any other object is one
/// message.
pub fn parse_body(value: Value) -> Result<Body, BodyError> {
    let body = match value {
        Value::Array(entries) => Body {
            shape: Shape::Array,
            link: None,
            entries,
        },
        Value::Object(fields) if is_service_body(&fields) => service_body(fields)?,
        Value::Object(fields) => Body {
            shape: Shape::One,
            link: None,
            entries: vec![Value::Object(fields)],
        },
        _ => return Err(BodyError::NotAnObjectOrArray),
    };
    if body.entries.is_empty() {
        return Err(BodyError::Empty);
    }
    if let Some(i) = body.entries.iter().position(|e| !e.is_object()) {
        return Err(BodyError::MessageNotAnObject {
            at: body.path_of(i),
        });
    }
    Ok(body)
}

fn is_service_body(fields: &Map<String, Value>) -> bool {
    !fields.contains_key("msgtype") && (fields.contains_key("data") || fields.contains_key("link"))
}

fn service_body(mut fields: Map<String, Value>) -> Result<Body, BodyError> {
    let link = match fields.remove("link") {
        None | Some(Value::Null) => None,
        Some(Value::String(link)) => Some(link),
        Some(_) => return Err(BodyError::LinkNotAString),
    };
    // `sk` (seed 002's signing secret) is accepted and ignored: WeCom's
    // group robots have no signature.
    let entries = match fields.remove("data") {
        None | Some(Value::Null) => return Err(BodyError::DataMissing),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(BodyError::DataNotAnArray),
    };
    Ok(Body {
        shape: Shape::Service,
        link,
        entries,
    })
}

/// The messages of a body and everything found wrong with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The messages, in order; complete only when [`Checked::is_sendable`].
    pub messages: Vec<Message>,
    /// Errors first, then warnings; each path starts with the message's
    /// place (`data[2].`, `[2].`, nothing for a single message).
    pub problems: Vec<Problem>,
}

impl Checked {
    /// Every message parsed and none has an error.
    pub fn is_sendable(&self, entries: usize) -> bool {
        self.messages.len() == entries && !self.problems.iter().any(Problem::is_error)
    }

    /// The errors, one sentence each.
    pub fn errors(&self) -> Vec<String> {
        self.problems
            .iter()
            .filter(|p| p.is_error())
            .map(ToString::to_string)
            .collect()
    }
}

impl Body {
    /// Where message `i` is, as problems name it.
    pub fn path_of(&self, i: usize) -> String {
        match self.shape {
            Shape::One => "message".to_owned(),
            Shape::Array => format!("[{i}]"),
            Shape::Service => format!("data[{i}]"),
        }
    }

    /// Parses and validates every message; all problems at once.
    pub fn check(&self) -> Checked {
        let mut messages = Vec::with_capacity(self.entries.len());
        let mut problems = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            let prefix = match self.shape {
                Shape::One => None,
                _ => Some(self.path_of(i)),
            };
            let at = |path: &str| match (&prefix, path) {
                (Some(p), "") => p.clone(),
                (Some(p), path) => format!("{p}.{path}"),
                (None, "") => "message".to_owned(),
                (None, path) => path.to_owned(),
            };
            match Message::parse(entry.clone()) {
                Ok(parsed) => {
                    problems.extend(validate_parsed(&parsed).into_iter().map(|mut p| {
                        p.path = at(&p.path);
                        p
                    }));
                    messages.push(parsed.message);
                }
                Err(e) => problems.push(parse_problem(&e, &at)),
            }
        }
        problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
        Checked { messages, problems }
    }
}

/// A message that could not be read, as a problem at its place.
fn parse_problem(error: &ParseError, at: &dyn Fn(&str) -> String) -> Problem {
    match error {
        ParseError::Field { path, message } => {
            let message = super::json_words::translate(message).into_owned();
            Problem::error(at(path), Rule::WrongType, message, "")
        }
        ParseError::MissingMsgtype | ParseError::MissingBody(_) => {
            Problem::error(at(""), Rule::Required, error.to_string(), "")
        }
        e => Problem::error(at(""), Rule::WrongType, e.to_string(), ""),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Seed 002's request example, word for word (key `xxx`).
    const SEED_002: &str = r###"{"link":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxx","data":[{"msgtype":"text","text":{"content":"这是要发送的消息"}},{"msgtype":"markdown","markdown":{"content":"## 这是要发送的markdown"}}]}"###;

    #[test]
    fn seed_002s_example_is_two_messages_in_order_with_its_link() {
        let body = parse_body_str(SEED_002).unwrap();
        assert_eq!(body.shape, Shape::Service);
        assert_eq!(
            body.link.as_deref(),
            Some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxx")
        );
        let checked = body.check();
        assert!(checked.is_sendable(2), "{:?}", checked.problems);
        assert_eq!(
            checked.messages,
            [
                Message::text("这是要发送的消息"),
                Message::markdown("## 这是要发送的markdown")
            ]
        );
    }

    #[test]
    fn one_message_and_an_array_are_read_too() {
        let one = parse_body(json!({"msgtype": "text", "text": {"content": "hi"}})).unwrap();
        assert_eq!((one.shape, one.entries.len()), (Shape::One, 1));
        let array = parse_body(json!([
            {"msgtype": "text", "text": {"content": "a"}},
            {"msgtype": "text", "text": {"content": "b"}}
        ]))
        .unwrap();
        assert_eq!((array.shape, array.entries.len()), (Shape::Array, 2));
        assert_eq!(array.check().messages[1], Message::text("b"));
    }

    #[test]
    fn each_bad_shape_has_its_own_error() {
        let cases = [
            ("{", "not valid JSON"),
            ("42", "must be a JSON object"),
            (r#"{"link": "x"}"#, "`data` is missing"),
            (r#"{"data": {}}"#, "`data` must be an array"),
            (r#"{"data": []}"#, "no messages"),
            ("[]", "no messages"),
            (r#"{"link": 7, "data": [{}]}"#, "`link` must be a string"),
            (
                r#"{"data": [{"msgtype": "text", "text": {"content": "a"}}, 3]}"#,
                "data[1] is not a JSON object",
            ),
        ];
        for (body, wanted) in cases {
            let err = parse_body_str(body).unwrap_err();
            assert!(err.to_string().contains(wanted), "{body}: {err}");
        }
    }

    #[test]
    fn problems_name_the_message_by_its_place_and_all_come_at_once() {
        let body = parse_body(json!({"link": "l", "sk": "ignored", "data": [
            {"msgtype": "text", "text": {"content": "fine"}},
            {"msgtype": "nope"},
            {"msgtype": "markdown", "markdown": {"content": "x".repeat(4097)}}
        ]}))
        .unwrap();
        let checked = body.check();
        assert!(!checked.is_sendable(3));
        let paths: Vec<&str> = checked
            .problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(paths, ["data[1]", "data[2].markdown.content"]);
    }

    #[test]
    fn a_message_with_a_data_field_is_still_a_message() {
        let body =
            parse_body(json!({"msgtype": "text", "text": {"content": "a"}, "data": 1})).unwrap();
        assert_eq!(body.shape, Shape::One);
    }

    #[test]
    fn debug_never_shows_the_link() {
        let body = parse_body_str(&SEED_002.replace("key=xxx", "key=test-key-0001")).unwrap();
        assert!(!format!("{body:?}").contains("test-key-0001"));
    }
}
