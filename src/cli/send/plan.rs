//! From the command line to the list of messages to send, in order: the
//! content (split into parts when asked), then each image, file and voice
//! clip. Everything that can be checked without the network is checked here,
//! so that a mistake is reported before the first message leaves.

use std::path::{Path, PathBuf};

use super::input::Source;
use super::{Failure, SendArgs};
use crate::cli::exit;
use crate::wecom::media::{self, MediaKind};
use crate::wecom::message::{Markdown, Text};
use crate::wecom::validate::{Problem, Rule, has_errors, validate};
use crate::wecom::{Message, MessageKind, convert, limits, split};

/// One message to send.
#[derive(Debug, Clone)]
pub enum Item {
    /// A message ready as it is.
    Ready {
        label: String,
        message: Box<Message>,
    },
    /// A `file` or `voice` message whose media_id comes from uploading
    /// `path` (or from the media cache) at send time.
    Upload {
        label: String,
        path: PathBuf,
        kind: MediaKind,
    },
}

impl Item {
    pub fn label(&self) -> &str {
        match self {
            Item::Ready { label, .. } | Item::Upload { label, .. } => label,
        }
    }

    pub fn msgtype(&self) -> &'static str {
        match self {
            Item::Ready { message, .. } => message.kind().msgtype(),
            Item::Upload { kind, .. } => kind.as_str(),
        }
    }
}

/// What `plan` found besides the messages: warnings and notes for the user.
#[derive(Debug, Default)]
pub struct Plan {
    pub items: Vec<Item>,
    pub notes: Vec<String>,
    /// A seed-002 body's `link` (`--json '{"link": …, "data": […]}'`): the
    /// robot when no `-r`, `--webhook` or `WECOM_WEBHOOK` names one.
    pub link: Option<crate::wecom::Webhook>,
}

/// The messages the arguments ask for, each checked.
pub fn plan(args: &SendArgs) -> Result<Plan, Failure> {
    let mut plan = Plan::default();
    check_combinations(args)?;
    if let Some(value) = &args.json {
        (plan.items, plan.link) = json_items(value)?;
    } else if let Some((kind, value)) = content_arg(args) {
        plan.items = content_items(args, kind, value)?;
    }
    for path in &args.image {
        let (item, note) = image_item(path, args.convert)?;
        plan.items.push(item);
        plan.notes.extend(note);
    }
    for (paths, kind) in [
        (&args.file, MediaKind::File),
        (&args.voice, MediaKind::Voice),
    ] {
        for path in paths {
            plan.items.push(upload_item(path, kind)?);
        }
    }
    if plan.items.is_empty() {
        return Err(Failure::new(exit::USAGE, crate::tr!("cli.send.nothing")));
    }
    let mut errors = Vec::new();
    for item in &plan.items {
        if let Item::Ready { label, message } = item {
            for p in validate(message) {
                let line = format!("{label}: {p}");
                if p.is_error() {
                    errors.push(line);
                    if p.rule == Rule::TooManyBytes && p.path.ends_with("content") && !args.split {
                        errors.push(crate::tr!("cli.send.hint_split").into_owned());
                    }
                } else {
                    plan.notes.push(line);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Failure::lines(exit::USAGE, errors));
    }
    Ok(plan)
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::new(exit::USAGE, message)
}

fn content_arg(args: &SendArgs) -> Option<(MessageKind, &str)> {
    [
        (MessageKind::Text, &args.text),
        (MessageKind::Markdown, &args.markdown),
        (MessageKind::MarkdownV2, &args.markdown_v2),
    ]
    .into_iter()
    .find_map(|(kind, value)| value.as_deref().map(|v| (kind, v)))
}

/// The rules clap cannot express.
fn check_combinations(args: &SendArgs) -> Result<(), Failure> {
    let content = content_arg(args).map(|(kind, _)| kind);
    let mentions = !args.mention.is_empty() || !args.mention_mobile.is_empty();
    if content.is_none() && (args.title.is_some() || mentions || args.split) {
        return Err(usage(crate::tr!("cli.send.needs_content")));
    }
    if content == Some(MessageKind::MarkdownV2) && mentions {
        return Err(usage(crate::tr!("cli.send.v2_no_mentions")));
    }
    if content == Some(MessageKind::Markdown) && !args.mention_mobile.is_empty() {
        return Err(usage(crate::tr!("cli.send.markdown_no_phones")));
    }
    if !args.convert || !args.image.is_empty() {
        Ok(())
    } else {
        Err(usage(crate::tr!("cli.send.convert_needs_image")))
    }
}

fn content_items(args: &SendArgs, kind: MessageKind, value: &str) -> Result<Vec<Item>, Failure> {
    let mut content = Source::parse(value).read(kind.msgtype())?;
    if let Some(title) = &args.title {
        content = match kind {
            MessageKind::Text => format!("{title}\n{content}"),
            _ => Message::titled_content(Some(title), &content),
        };
    }
    if kind == MessageKind::Markdown && !args.mention.is_empty() {
        // WeCom ignores mentioned_list for markdown (reported): the mention
        // has to be in the text.
        let tags: Vec<String> = args.mention.iter().map(|u| format!("<@{u}>")).collect();
        content = format!("{content}\n{}", tags.join(" "));
    }
    let limit = match kind {
        MessageKind::Text => limits::TEXT_MAX_BYTES,
        _ => limits::MARKDOWN_MAX_BYTES,
    };
    let parts = if args.split {
        split::split(&content, limit).map_err(|e| usage(e.to_string()))?
    } else {
        vec![content]
    };
    let n = parts.len();
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let last = i + 1 == n;
            let message = match kind {
                MessageKind::Text => Message::Text(Text {
                    content: part,
                    // Mentions on the last part only: one notification.
                    mentioned_list: (last && !args.mention.is_empty())
                        .then(|| args.mention.clone()),
                    mentioned_mobile_list: (last && !args.mention_mobile.is_empty())
                        .then(|| args.mention_mobile.clone()),
                }),
                MessageKind::Markdown => Message::Markdown(Markdown {
                    content: part,
                    ..Markdown::default()
                }),
                _ => Message::MarkdownV2(Markdown {
                    content: part,
                    ..Markdown::default()
                }),
            };
            let label = if n > 1 {
                format!("{} part {}/{n}", kind.msgtype(), i + 1)
            } else {
                kind.msgtype().to_owned()
            };
            Item::Ready {
                label,
                message: Box::new(message),
            }
        })
        .collect())
}

/// `--json`: one message object, an array of them sent in order, or seed
/// 002's `{"link", "data"}` (its link, parsed, is the robot only when no
/// `-r`, `--webhook` or `WECOM_WEBHOOK` names one).
fn json_items(value: &str) -> Result<(Vec<Item>, Option<crate::wecom::Webhook>), Failure> {
    let source = match value.trim_start().chars().next() {
        _ if value == "-" => Source::Stdin,
        // JSON written on the command line.
        Some('{' | '[') => Source::Literal(value.to_owned()),
        _ => Source::File(value.strip_prefix('@').unwrap_or(value).into()),
    };
    let text = source.read("JSON")?;
    // One message, an array, or seed 002's {"link", "data"}: read as
    // `wecom validate` and the relay read them.
    let body =
        crate::wecom::batch::parse_body_str(&text).map_err(|e| usage(format!("--json: {e}")))?;
    let link = body
        .link
        .as_deref()
        .map(|l| crate::wecom::Webhook::parse(l, &crate::wecom::webhook::default_base()))
        .transpose()
        .map_err(|e| usage(format!("--json: `link`: {e}")))?;
    let values = body.entries;
    let batch = values.len() > 1;
    let items = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let label = if batch {
                format!("message {}", i + 1)
            } else {
                "message".to_owned()
            };
            Message::from_value(v)
                .map(|message| Item::Ready {
                    label: label.clone(),
                    message: Box::new(message),
                })
                .map_err(|e| usage(format!("--json: {label}: {e}")))
        })
        .collect::<Result<Vec<Item>, Failure>>()?;
    Ok((items, link))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn image_item(path: &Path, convert: bool) -> Result<(Item, Option<String>), Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::new(
            exit::IO,
            crate::tr!(
                "cli.send.image_unreadable",
                path = path.display(),
                error = e
            ),
        )
    })?;
    let label = format!("image {}", file_name(path));
    let (bytes, note) = if convert {
        let converted =
            convert::to_acceptable(&bytes).map_err(|e| usage(format!("{label}: {e}")))?;
        let note = converted
            .changed
            .then(|| format!("{label}: {}", converted.describe()));
        (converted.bytes, note)
    } else {
        let problems = media::check_image_bytes(&bytes, "image");
        if has_errors(&problems) {
            let mut lines = problem_lines(&label, &problems);
            lines.push(crate::tr!("cli.send.hint_convert").into_owned());
            return Err(Failure::lines(exit::USAGE, lines));
        }
        (bytes, None)
    };
    let message = media::image_message(&bytes);
    Ok((
        Item::Ready {
            label,
            message: Box::new(message),
        },
        note,
    ))
}

fn upload_item(path: &Path, kind: MediaKind) -> Result<Item, Failure> {
    let (_, problems) = media::inspect_upload(path, kind).map_err(|e| {
        Failure::new(
            exit::IO,
            crate::tr!(
                "cli.send.upload_unreadable",
                kind = kind.as_str(),
                path = path.display(),
                error = e
            ),
        )
    })?;
    let label = format!("{} {}", kind.as_str(), file_name(path));
    if has_errors(&problems) {
        return Err(Failure::lines(
            exit::USAGE,
            problem_lines(&label, &problems),
        ));
    }
    Ok(Item::Upload {
        label,
        path: path.to_path_buf(),
        kind,
    })
}

fn problem_lines(label: &str, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| format!("{label}: {p}"))
        .collect()
}
