//! Values filled in when a message sent later is delivered:
//! `{{now:%Y-%m-%d}}` (a chrono format, local time), `{{env:NAME}}` (a
//! variable of the delivering process) and `{{file:/path}}` (a file's text,
//! its final line break dropped).
//!
//! Why at delivery, not when queued: a 09:00 stand-up reminder queued the
//! evening before must carry the morning's date and the report file as it
//! is at 09:00. A placeholder that cannot be filled in (an unknown name, a
//! missing file, an unset variable) refuses the message with the reason:
//! the braces are never sent. Only `{{NAME:…}}` with a lowercase name is a
//! placeholder; other braces (`{{ x }}`) are text.

use std::fmt::Write as _;
use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, TimeZone};
use serde_json::Value;

use crate::untrusted::one_line;

/// A file placeholder reads at most this much (a message is at most a few
/// KiB; a bigger file is a mistake).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Where placeholders get their values; the real one reads the process's
/// environment and files, tests give their own.
pub trait Source {
    fn env(&self, name: &str) -> Option<String>;
    fn file(&self, path: &Path) -> Result<String, String>;
}

/// The delivering process's environment and file system.
pub struct Process;

impl Source for Process {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn file(&self, path: &Path) -> Result<String, String> {
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "it is {} bytes, over the {MAX_FILE_BYTES} a placeholder reads",
                meta.len()
            ));
        }
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

/// One placeholder found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found<'a> {
    start: usize,
    end: usize,
    name: &'a str,
    arg: &'a str,
}

/// The placeholders of `text`, in order.
fn find(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find("}}").map(|i| inner_start + i) else {
            break;
        };
        let inner = &text[inner_start..close];
        match inner.split_once(':') {
            Some((name, arg))
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()) =>
            {
                found.push(Found {
                    start: open,
                    end: close + 2,
                    name,
                    arg,
                });
                from = close + 2;
            }
            _ => from = inner_start,
        }
    }
    found
}

/// Whether `text` has any placeholder.
pub fn has_any(text: &str) -> bool {
    !find(text).is_empty()
}

/// Checks the placeholders of `text` without filling them in (when the
/// message is queued): an unknown name, a bad format or a relative path is
/// an error now rather than a refusal at delivery.
pub fn check(text: &str) -> Result<(), String> {
    for p in find(text) {
        match p.name {
            "now" => {
                format_items(p.arg)?;
            }
            "env" => {
                if p.arg.trim().is_empty() {
                    return Err("{{env:}} needs a variable name, like {{env:USER}}".to_owned());
                }
            }
            "file" => {
                if !Path::new(p.arg.trim()).is_absolute() {
                    return Err(format!(
                        "{{{{file:{}}}}}: give an absolute path (the message is read by whichever wecom process delivers it, in its own directory)",
                        one_line(p.arg)
                    ));
                }
            }
            other => return Err(unknown(other)),
        }
    }
    Ok(())
}

fn unknown(name: &str) -> String {
    format!(
        "unknown placeholder {{{{{}:…}}}}: the known ones are {{{{now:FORMAT}}}}, {{{{env:NAME}}}} and {{{{file:PATH}}}}",
        one_line(name)
    )
}

fn format_items(format: &str) -> Result<Vec<Item<'_>>, String> {
    let items: Vec<Item<'_>> = StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "{{{{now:{}}}}}: not a chrono time format (write it like %Y-%m-%d %H:%M)",
            one_line(format)
        ));
    }
    Ok(items)
}

/// `text` with its placeholders filled in.
pub fn expand_text<Tz: TimeZone>(
    text: &str,
    now: &DateTime<Tz>,
    source: &dyn Source,
) -> Result<String, String>
where
    Tz::Offset: std::fmt::Display,
{
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for p in find(text) {
        out.push_str(&text[last..p.start]);
        last = p.end;
        match p.name {
            "now" => {
                let items = format_items(p.arg)?;
                write!(out, "{}", now.format_with_items(items.into_iter())).map_err(|_| {
                    format!(
                        "{{{{now:{}}}}}: this format cannot be written",
                        one_line(p.arg)
                    )
                })?;
            }
            "env" => {
                let name = p.arg.trim();
                let value = source.env(name).ok_or_else(|| {
                    format!(
                        "{{{{env:{}}}}}: the variable is not set in the process that delivers the message",
                        one_line(name)
                    )
                })?;
                out.push_str(&value);
            }
            "file" => {
                let path = Path::new(p.arg.trim());
                let mut body = source.file(path).map_err(|e| {
                    format!(
                        "{{{{file:{}}}}}: cannot read the file: {}",
                        one_line(p.arg.trim()),
                        one_line(&e)
                    )
                })?;
                if body.ends_with('\n') {
                    body.pop();
                    if body.ends_with('\r') {
                        body.pop();
                    }
                }
                out.push_str(&body);
            }
            other => return Err(unknown(other)),
        }
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Every string of a JSON message body with its placeholders filled in.
pub fn expand_json<Tz: TimeZone>(
    payload: &str,
    now: &DateTime<Tz>,
    source: &dyn Source,
) -> Result<String, String>
where
    Tz::Offset: std::fmt::Display,
{
    let mut value: Value = serde_json::from_str(payload)
        .map_err(|e| format!("the queued message is not JSON any more: {e}"))?;
    expand_value(&mut value, now, source)?;
    Ok(value.to_string())
}

/// Checks every string of a JSON body (see [`check`]).
pub fn check_json(payload: &str) -> Result<(), String> {
    let value: Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let mut result = Ok(());
    visit(&value, &mut |s| {
        if result.is_ok() {
            result = check(s);
        }
    });
    result
}

fn visit(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit(v, f)),
        _ => {}
    }
}

fn expand_value<Tz: TimeZone>(
    value: &mut Value,
    now: &DateTime<Tz>,
    source: &dyn Source,
) -> Result<(), String>
where
    Tz::Offset: std::fmt::Display,
{
    match value {
        Value::String(s) if has_any(s) => *s = expand_text(s, now, source)?,
        Value::Array(items) => {
            for v in items {
                expand_value(v, now, source)?;
            }
        }
        Value::Object(map) => {
            for (_, v) in map.iter_mut() {
                expand_value(v, now, source)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
    use std::collections::HashMap;

    struct Fake(HashMap<&'static str, &'static str>);

    impl Source for Fake {
        fn env(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
        fn file(&self, path: &Path) -> Result<String, String> {
            match path.to_str() {
                Some("/srv/report.txt") => Ok("line one\nline two\n".to_owned()),
                _ => Err("No such file or directory (os error 2)".to_owned()),
            }
        }
    }

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-12-02T09:05:07+08:00").unwrap()
    }

    fn fake() -> Fake {
        Fake(HashMap::from([("DEPLOY", "v1.2.3")]))
    }

    #[test]
    fn now_env_and_file_are_filled_in() {
        let text = "{{now:%Y-%m-%d %H:%M:%S}} {{env:DEPLOY}}: {{file:/srv/report.txt}}!";
        assert_eq!(
            expand_text(text, &now(), &fake()).unwrap(),
            "2026-12-02 09:05:07 v1.2.3: line one\nline two!"
        );
    }

    #[test]
    fn other_braces_are_text() {
        let text = "{{ x }} {{Name:1}} {{}} {{ {{now:%H}}";
        assert_eq!(
            expand_text(text, &now(), &fake()).unwrap(),
            "{{ x }} {{Name:1}} {{}} {{ 09"
        );
        assert!(!has_any("{{ x }} {{open"));
    }

    #[test]
    fn failures_name_the_placeholder_and_the_cause() {
        let err = expand_text("a {{file:/missing}}", &now(), &fake()).unwrap_err();
        assert!(
            err.contains("{{file:/missing}}") && err.contains("No such file"),
            "{err}"
        );
        let err = expand_text("{{env:NOPE}}", &now(), &fake()).unwrap_err();
        assert!(err.contains("not set"), "{err}");
        let err = expand_text("{{weather:today}}", &now(), &fake()).unwrap_err();
        assert!(err.contains("unknown placeholder {{weather:…}}"), "{err}");
        let err = expand_text("{{now:%Q}}", &now(), &fake()).unwrap_err();
        assert!(err.contains("not a chrono time format"), "{err}");
    }

    #[test]
    fn check_catches_mistakes_before_queueing_but_not_missing_files() {
        assert!(check("{{file:/missing}} {{now:%H}} {{env:X}}").is_ok());
        assert!(
            check("{{file:report.txt}}")
                .unwrap_err()
                .contains("absolute")
        );
        assert!(check("{{now:%Q}}").is_err());
        assert!(check("{{env: }}").is_err());
        assert!(check("{{wether:x}}").unwrap_err().contains("unknown"));
    }

    #[test]
    fn json_strings_are_expanded_and_the_rest_kept() {
        let body = r#"{"msgtype":"markdown","markdown":{"content":"at {{now:%H:%M}}"}}"#;
        assert_eq!(
            expand_json(body, &now(), &fake()).unwrap(),
            r#"{"msgtype":"markdown","markdown":{"content":"at 09:05"}}"#
        );
        assert!(check_json(r#"{"text":{"content":"{{nope:1}}"}}"#).is_err());
    }
}
