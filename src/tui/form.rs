//! The form engine: forms for news and template cards, generated from the
//! schema tables in `wecom::message` — the same description that drives the
//! JSON and the validation, so a field is declared once.
//!
//! The form edits a JSON body (`{"articles": [...]}` or the card's fields).
//! Rows are derived from the schema and the current value on every change:
//! a field whose `type` does not apply is hidden unless it holds a value (then
//! it is shown, marked unused), so conditional fields appear when their type
//! is chosen and nothing typed ever disappears silently.

use serde_json::{Map, Value};

use crate::untrusted::one_line;
use crate::wecom::schema::{FieldKind, FieldSpec, Limit};
use crate::wecom::validate::{Problem, Rule};
use crate::wecom::{Message, MessageKind};

/// One step of a path into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(&'static str),
    Index(usize),
}

/// Where a value lives in the body.
pub type Path = Vec<Seg>;

/// The validation path of a form path: `template_card.jump_list[1].url`.
pub fn path_string(kind: MessageKind, path: &[Seg]) -> String {
    let mut s = kind.msgtype().to_owned();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// What a row of the form is.
#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    /// A heading for a nested object.
    Section,
    /// A value to edit.
    Field,
    /// A repeatable group: its count, where items are added.
    List {
        count: usize,
        min: usize,
        max: usize,
    },
    /// The heading of one item of a group.
    Item { index: usize, count: usize },
}

/// A line of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub path: Path,
    pub spec: &'static FieldSpec,
    pub depth: usize,
    pub kind: RowKind,
    /// False for a field kept only because it holds a value its `type` does
    /// not use.
    pub applies: bool,
    /// Required here (given the sibling `type`).
    pub required: bool,
}

impl Row {
    /// Rows the cursor stops on: fields, groups and their items.
    pub fn focusable(&self) -> bool {
        !matches!(self.kind, RowKind::Section)
    }
}

/// A form over a message body.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: MessageKind,
    pub body: Value,
    /// Index into [`Form::rows`] of the focused row.
    pub cursor: usize,
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Object(m)) => m.values().all(|v| is_blank(Some(v))),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// What an empty item of a group starts as. A `type` whose choices include
/// an explicit 0 ("no action", as for links) starts at its first action, so a
/// new link opens a URL; a `type` without one (key/value rows) starts unset,
/// which means plain text.
fn new_item(items: &'static [FieldSpec]) -> Value {
    let mut m = Map::new();
    for spec in items {
        if spec.key == "type"
            && let FieldKind::Choice(choices) = spec.kind
            && choices.iter().any(|c| c.value == 0)
            && let Some(first) = choices.iter().find(|c| c.value != 0)
        {
            m.insert(spec.key.to_owned(), Value::from(first.value));
        }
    }
    Value::Object(m)
}

/// What an edit of a group's items did (indexes from 0; the status line
/// counts from 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemChange {
    Added {
        index: usize,
        group: &'static FieldSpec,
    },
    Removed {
        index: usize,
        group: &'static FieldSpec,
    },
    Moved {
        to: usize,
        group: &'static FieldSpec,
    },
}

/// What an item edit was about, when the cursor is not in an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemVerb {
    Remove,
    Move,
}

/// Why an item edit was refused; nothing changed. A group is named by its
/// spec, so the status line says it the way the form does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemRefusal {
    /// The cursor is on no group to add to.
    NoGroup,
    /// The cursor is in no item to remove or move.
    NotInItem(ItemVerb),
    /// The row under the cursor is not a group (a schema mismatch).
    NotAGroup,
    /// The group holds the most WeCom allows.
    Full {
        group: &'static FieldSpec,
        max: usize,
    },
    /// The group holds the fewest WeCom allows.
    AtMinimum {
        group: &'static FieldSpec,
        min: usize,
    },
    /// The item is already first (or last).
    AtEnd {
        index: usize,
        group: &'static FieldSpec,
    },
}

impl Form {
    /// An empty form for a structured kind, with what must be there from the
    /// start (news has its one required article).
    pub fn new(kind: MessageKind) -> Form {
        let mut body = Map::new();
        if kind.card_type().is_some() {
            // Both cards need a click action; "open URL" is the usual one.
            let mut action = Map::new();
            action.insert("type".into(), Value::from(1));
            body.insert("card_action".into(), Value::Object(action));
        }
        if kind == MessageKind::News
            && let Some(spec) = kind.fields().iter().find(|f| f.key == "articles")
            && let FieldKind::List { items, .. } = spec.kind
        {
            body.insert("articles".into(), Value::Array(vec![new_item(items)]));
        }
        let mut form = Form {
            kind,
            body: Value::Object(body),
            cursor: 0,
        };
        form.cursor = form.first_focusable();
        form
    }

    /// A form over a saved body.
    pub fn with_body(kind: MessageKind, body: Value) -> Form {
        let mut form = Form {
            kind,
            body,
            cursor: 0,
        };
        form.cursor = form.first_focusable();
        form
    }

    /// A form holding a message's body (for cards, without `card_type`).
    pub fn from_message(message: &Message) -> Form {
        let kind = message.kind();
        let mut body = message
            .to_value()
            .get(kind.msgtype())
            .cloned()
            .unwrap_or(Value::Null);
        if let Some(obj) = body.as_object_mut() {
            obj.remove("card_type");
        }
        let mut form = Form {
            kind,
            body,
            cursor: 0,
        };
        form.cursor = form.first_focusable();
        form
    }

    /// Rows for the current value.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let empty = Map::new();
        let obj = self.body.as_object().unwrap_or(&empty);
        push_rows(self.kind.fields(), obj, &Vec::new(), 0, true, &mut rows);
        rows
    }

    fn first_focusable(&self) -> usize {
        self.rows().iter().position(Row::focusable).unwrap_or(0)
    }

    /// The focused row.
    pub fn current(&self) -> Option<Row> {
        self.rows().get(self.cursor).cloned()
    }

    /// Moves the cursor to the next (`+1`) or previous (`-1`) focusable row;
    /// false at either end.
    pub fn step(&mut self, dir: isize) -> bool {
        let rows = self.rows();
        let mut i = self.cursor as isize;
        loop {
            i += dir;
            if i < 0 || i as usize >= rows.len() {
                return false;
            }
            if rows[i as usize].focusable() {
                self.cursor = i as usize;
                return true;
            }
        }
    }

    /// Puts the cursor on the row at `path`, if shown.
    pub fn focus_path(&mut self, path: &[Seg]) {
        if let Some(i) = self
            .rows()
            .iter()
            .position(|r| r.path == path && r.focusable())
        {
            self.cursor = i;
        }
    }

    pub fn get(&self, path: &[Seg]) -> Option<&Value> {
        let mut v = &self.body;
        for seg in path {
            v = match seg {
                Seg::Key(k) => v.get(*k)?,
                Seg::Index(i) => v.get(*i)?,
            };
        }
        Some(v)
    }

    fn get_mut_or_create(&mut self, path: &[Seg]) -> Option<&mut Value> {
        let mut v = &mut self.body;
        for (n, seg) in path.iter().enumerate() {
            let next_is_index = matches!(path.get(n + 1), Some(Seg::Index(_)));
            v = match seg {
                Seg::Key(k) => {
                    if !v.is_object() {
                        *v = Value::Object(Map::new());
                    }
                    let obj = v.as_object_mut()?;
                    obj.entry(*k).or_insert_with(|| {
                        if next_is_index {
                            Value::Array(Vec::new())
                        } else {
                            Value::Null
                        }
                    })
                }
                Seg::Index(i) => v.get_mut(*i)?,
            };
        }
        Some(v)
    }

    /// Sets the value at `path` (creating the objects on the way); `Null`
    /// removes it.
    pub fn set(&mut self, path: &[Seg], value: Value) {
        if value.is_null() {
            if let Some((Seg::Key(k), parent)) = path.split_last()
                && let Some(Value::Object(obj)) = self.get_mut_or_create(parent)
            {
                obj.remove(*k);
            }
            return;
        }
        if let Some(slot) = self.get_mut_or_create(path) {
            *slot = value;
        }
    }

    /// The text of a field, as edited.
    pub fn text(&self, path: &[Seg]) -> String {
        match self.get(path) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    /// Stores edited text: numbers for float fields when they parse (so a
    /// half-typed "1." stays text and is reported, not lost).
    pub fn set_text(&mut self, path: &[Seg], spec: &FieldSpec, text: &str) {
        let value = if text.is_empty() {
            Value::Null
        } else if matches!(spec.kind, FieldKind::Float { .. }) {
            text.trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(text.to_owned()))
        } else {
            Value::String(text.to_owned())
        };
        self.set(path, value);
    }

    /// Steps a choice field through "not set" (when optional) and its
    /// documented values.
    pub fn cycle_choice(&mut self, row: &Row, dir: isize) {
        let FieldKind::Choice(choices) = row.spec.kind else {
            return;
        };
        let mut options: Vec<Option<i64>> = Vec::new();
        if !row.required {
            options.push(None);
        }
        options.extend(choices.iter().map(|c| Some(c.value)));
        let current = self.get(&row.path).and_then(Value::as_i64);
        let i = options.iter().position(|o| *o == current).unwrap_or(0) as isize;
        let n = options.len() as isize;
        let next = options[((i + dir).rem_euclid(n)) as usize];
        self.set(&row.path, next.map(Value::from).unwrap_or(Value::Null));
    }

    /// The group the cursor is in and the item index to insert after:
    /// on a group row, at its end; inside an item, after that item.
    fn group_at_cursor(&self) -> Option<(Path, &'static FieldSpec, Option<usize>)> {
        let rows = self.rows();
        let row = rows.get(self.cursor)?;
        if let RowKind::List { .. } = row.kind {
            return Some((row.path.clone(), row.spec, None));
        }
        // The innermost group on the path.
        let mut path = row.path.clone();
        while let Some(seg) = path.pop() {
            if let Seg::Index(i) = seg
                && let Some(list_row) = rows
                    .iter()
                    .find(|r| r.path == path && matches!(r.kind, RowKind::List { .. }))
            {
                return Some((path, list_row.spec, Some(i)));
            }
        }
        None
    }

    /// Adds an item to the group at the cursor, refusing past the documented
    /// maximum with a sentence saying why.
    pub fn add_item(&mut self) -> Result<ItemChange, ItemRefusal> {
        let (path, spec, after) = self.group_at_cursor().ok_or(ItemRefusal::NoGroup)?;
        let FieldKind::List { items, max, .. } = spec.kind else {
            return Err(ItemRefusal::NotAGroup);
        };
        let count = self
            .get(&path)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if count >= max {
            return Err(ItemRefusal::Full { group: spec, max });
        }
        let at = after.map_or(count, |i| i + 1);
        if !self.get(&path).is_some_and(Value::is_array) {
            self.set(&path, Value::Array(Vec::new()));
        }
        if let Some(Value::Array(arr)) = self.get_mut_or_create(&path) {
            arr.insert(at, new_item(items));
        }
        let mut item_path = path.clone();
        item_path.push(Seg::Index(at));
        self.focus_path(&item_path);
        self.step(1);
        Ok(ItemChange::Added {
            index: at,
            group: spec,
        })
    }

    /// Removes the item at the cursor, keeping the documented minimum.
    pub fn remove_item(&mut self) -> Result<ItemChange, ItemRefusal> {
        let (path, spec, index) = self
            .group_at_cursor()
            .ok_or(ItemRefusal::NotInItem(ItemVerb::Remove))?;
        let index = index.ok_or(ItemRefusal::NotInItem(ItemVerb::Remove))?;
        let FieldKind::List { min, .. } = spec.kind else {
            return Err(ItemRefusal::NotAGroup);
        };
        let count = self
            .get(&path)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if count <= min {
            return Err(ItemRefusal::AtMinimum { group: spec, min });
        }
        if let Some(Value::Array(arr)) = self.get_mut_or_create(&path) {
            arr.remove(index);
            if arr.is_empty()
                && let Some(Seg::Key(_)) = path.last()
            {
                self.set(&path, Value::Null);
            }
        }
        let rows = self.rows();
        self.cursor = self.cursor.min(rows.len().saturating_sub(1));
        while self.cursor > 0 && !rows[self.cursor].focusable() {
            self.cursor -= 1;
        }
        Ok(ItemChange::Removed { index, group: spec })
    }

    /// Moves the item at the cursor up (`-1`) or down (`+1`), cursor along.
    pub fn move_item(&mut self, dir: isize) -> Result<ItemChange, ItemRefusal> {
        let (path, spec, index) = self
            .group_at_cursor()
            .ok_or(ItemRefusal::NotInItem(ItemVerb::Move))?;
        let index = index.ok_or(ItemRefusal::NotInItem(ItemVerb::Move))?;
        let count = self
            .get(&path)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let to = index as isize + dir;
        if to < 0 || to as usize >= count {
            return Err(ItemRefusal::AtEnd { index, group: spec });
        }
        let to = to as usize;
        let rows_before = self.rows();
        let offset = rows_before[self.cursor].path.clone();
        if let Some(Value::Array(arr)) = self.get_mut_or_create(&path) {
            arr.swap(index, to);
        }
        // Follow the item: same place within it, at its new index.
        let mut moved = offset;
        moved[path.len()] = Seg::Index(to);
        self.focus_path(&moved);
        Ok(ItemChange::Moved { to, group: spec })
    }

    /// The body with empty values pruned, as sent.
    pub fn pruned_body(&self) -> Value {
        prune(&self.body).unwrap_or_else(|| Value::Object(Map::new()))
    }

    /// Number fields holding text that is not a number (`abc` as an aspect
    /// ratio): each is that field's problem only, so the message is made
    /// without them and every other check still runs.
    pub fn unparsed_numbers(&self) -> Vec<Problem> {
        self.unparsed()
            .into_iter()
            .map(|(path, text)| {
                Problem::error(
                    path_string(self.kind, &path),
                    Rule::OutOfRange,
                    crate::tr!("form.not_a_number", text = one_line(&text)).into_owned(),
                    crate::tr!("form.not_a_number_fix").into_owned(),
                )
            })
            .collect()
    }

    fn unparsed(&self) -> Vec<(Vec<Seg>, String)> {
        self.rows()
            .into_iter()
            .filter(|r| r.kind == RowKind::Field && matches!(r.spec.kind, FieldKind::Float { .. }))
            .filter_map(|r| match self.get(&r.path) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some((r.path, s.clone())),
                _ => None,
            })
            .collect()
    }

    /// The message the form makes (validation is separate), or why not.
    /// A number field holding text is left out (see [`Form::unparsed_numbers`]).
    pub fn message(&self) -> Result<Message, String> {
        let unparsed = self.unparsed();
        let mut body = if unparsed.is_empty() {
            self.pruned_body()
        } else {
            let mut clean = self.clone();
            for (path, _) in unparsed {
                clean.set(&path, Value::Null);
            }
            clean.pruned_body()
        };
        if let (Some(card_type), Some(obj)) = (self.kind.card_type(), body.as_object_mut()) {
            let mut with_type = Map::new();
            with_type.insert("card_type".into(), Value::from(card_type));
            with_type.extend(std::mem::take(obj));
            body = Value::Object(with_type);
        }
        let mut root = Map::new();
        root.insert("msgtype".into(), Value::from(self.kind.msgtype()));
        root.insert(self.kind.msgtype().into(), body);
        Message::from_value(Value::Object(root)).map_err(|e| e.to_string())
    }
}

/// Drops empty strings, empty objects and nulls, so an untouched optional
/// section is absent rather than `{}`. Arrays keep their items' places.
fn prune(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Object(m) => {
            let kept: Map<String, Value> = m
                .iter()
                .filter_map(|(k, v)| prune(v).map(|v| (k.clone(), v)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(a) => Some(Value::Array(
            a.iter()
                .map(|v| prune(v).unwrap_or_else(|| Value::Object(Map::new())))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

/// Rows of `fields` over `obj`. `present`: the object is sent (required, or
/// holds a value); an optional section left empty requires nothing.
fn push_rows(
    fields: &'static [FieldSpec],
    obj: &Map<String, Value>,
    path: &Path,
    depth: usize,
    present: bool,
    rows: &mut Vec<Row>,
) {
    let sibling_type = obj.get("type").and_then(Value::as_i64).unwrap_or(0);
    for spec in fields {
        let mut p = path.clone();
        p.push(Seg::Key(spec.key));
        let value = obj.get(spec.key);
        let applies = spec.applies(sibling_type);
        if !applies && is_blank(value) {
            continue;
        }
        let required = spec.required && applies && present;
        match spec.kind {
            FieldKind::Object(children) => {
                rows.push(Row {
                    path: p.clone(),
                    spec,
                    depth,
                    kind: RowKind::Section,
                    applies,
                    required,
                });
                let empty = Map::new();
                let child = value.and_then(Value::as_object).unwrap_or(&empty);
                let child_present = present && (required || !is_blank(value));
                push_rows(children, child, &p, depth + 1, child_present, rows);
            }
            FieldKind::List { items, min, max } => {
                let arr: &[Value] = value.and_then(Value::as_array).map_or(&[], Vec::as_slice);
                rows.push(Row {
                    path: p.clone(),
                    spec,
                    depth,
                    kind: RowKind::List {
                        count: arr.len(),
                        min,
                        max,
                    },
                    applies,
                    required,
                });
                for (i, item) in arr.iter().enumerate() {
                    let mut ip = p.clone();
                    ip.push(Seg::Index(i));
                    rows.push(Row {
                        path: ip.clone(),
                        spec,
                        depth: depth + 1,
                        kind: RowKind::Item {
                            index: i,
                            count: arr.len(),
                        },
                        applies,
                        required: false,
                    });
                    let empty = Map::new();
                    let child = item.as_object().unwrap_or(&empty);
                    push_rows(items, child, &ip, depth + 2, present, rows);
                }
            }
            _ => rows.push(Row {
                path: p,
                spec,
                depth,
                kind: RowKind::Field,
                applies,
                required,
            }),
        }
    }
}

/// The counter shown beside a text field: bytes against a byte limit, or
/// characters against a recommendation.
pub fn counter(spec: &FieldSpec, text: &str) -> Option<(String, bool)> {
    match spec.limit {
        Some(Limit::MaxBytes(max)) | Some(Limit::TruncatedAfterBytes(max)) => {
            Some((format!("{}/{max} B", text.len()), text.len() > max))
        }
        Some(Limit::RecommendedChars(max)) => {
            let n = text.chars().count();
            Some((format!("{n}/{max} 字"), n > max))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &'static str) -> Seg {
        Seg::Key(k)
    }

    #[test]
    fn news_starts_with_one_article_and_stops_at_eight() {
        let mut f = Form::new(MessageKind::News);
        assert_eq!(
            f.get(&[key("articles")])
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(1)
        );
        for n in 2..=8 {
            assert!(f.add_item().is_ok(), "article {n}");
        }
        let err = f.add_item().unwrap_err();
        assert!(matches!(err, ItemRefusal::Full { max: 8, .. }), "{err:?}");
        // A group that does not exist yet is created by its first item.
        let mut card = Form::new(MessageKind::TextNotice);
        let links = card
            .rows()
            .iter()
            .position(|r| path_string(card.kind, &r.path) == "template_card.jump_list")
            .expect("links row");
        card.cursor = links;
        card.add_item().expect("first link");
        assert_eq!(
            card.get(&[key("jump_list")])
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(1)
        );
        let row = card.current().expect("cursor");
        assert_eq!(
            path_string(card.kind, &row.path),
            "template_card.jump_list[0].type",
            "the cursor goes into the new item"
        );
        assert_eq!(
            f.get(&[key("articles")])
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(8)
        );
    }

    #[test]
    fn a_type_shows_its_fields_and_makes_them_required() {
        let mut f = Form::new(MessageKind::TextNotice);
        let shown = |f: &Form, k: &str| {
            f.rows()
                .iter()
                .find(|r| path_string(f.kind, &r.path) == format!("template_card.card_action.{k}"))
                .map(|r| r.required)
        };
        assert_eq!(shown(&f, "url"), Some(true), "a new card opens a URL");
        f.set(&[key("card_action"), key("type")], Value::Null);
        assert_eq!(shown(&f, "url"), None, "no type: no url field");
        f.set(&[key("card_action"), key("type")], Value::from(1));
        assert_eq!(shown(&f, "url"), Some(true));
        assert_eq!(shown(&f, "appid"), None);
        f.set(&[key("card_action"), key("type")], Value::from(2));
        assert_eq!(shown(&f, "url"), None);
        assert_eq!(shown(&f, "appid"), Some(true));
        assert_eq!(shown(&f, "pagepath"), Some(false));
        // A value typed for the other type stays, shown as unused.
        f.set(&[key("card_action"), key("appid")], Value::from("wx1"));
        f.set(&[key("card_action"), key("type")], Value::from(1));
        let appid = f
            .rows()
            .into_iter()
            .find(|r| path_string(f.kind, &r.path) == "template_card.card_action.appid")
            .expect("kept");
        assert!(!appid.applies && !appid.required);
    }

    #[test]
    fn untouched_sections_are_left_out_of_the_json() {
        let mut f = Form::new(MessageKind::TextNotice);
        f.set(&[key("main_title"), key("title")], Value::from("部署完成"));
        f.set(&[key("source"), key("desc")], Value::from(""));
        f.set(
            &[key("card_action"), key("url")],
            Value::from("https://example.com"),
        );
        let json = f.message().expect("message").to_json();
        assert_eq!(
            json,
            r#"{"msgtype":"template_card","template_card":{"card_type":"text_notice","main_title":{"title":"部署完成"},"card_action":{"type":1,"url":"https://example.com"}}}"#
        );
    }

    #[test]
    fn items_move_with_the_cursor() {
        let mut f = Form::new(MessageKind::News);
        f.set(
            &[key("articles"), Seg::Index(0), key("title")],
            Value::from("first"),
        );
        f.add_item().expect("add");
        f.set(
            &[key("articles"), Seg::Index(1), key("title")],
            Value::from("second"),
        );
        f.move_item(-1).expect("move up");
        let titles: Vec<String> = (0..2)
            .map(|i| f.text(&[key("articles"), Seg::Index(i), key("title")]))
            .collect();
        assert_eq!(titles, ["second", "first"]);
        assert!(f.move_item(-1).is_err(), "already first");
        f.remove_item().expect("remove");
        assert!(f.remove_item().is_err(), "news keeps at least one article");
    }
}
