//! markdown and markdown_v2: pulldown-cmark events to styled rows.
//!
//! One renderer serves both dialects, asking [`Dialect::supports`] at each
//! construct. What the dialect renders is drawn (bold as bold, a quote with
//! a bar); what it does not is written out as its source characters, taken
//! from the parser's byte ranges, because that is what the client shows.
//! Hints are raised on the way, from the same events.
//!
//! This module holds the renderer's state and the event dispatch;
//! [`text`] the inline text and WeCom's extensions, [`blocks`] the block
//! constructs drawn differently per dialect.

mod blocks;
mod text;

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::Line;

use crate::preview::RenderOptions;
use crate::preview::dialect::{Dialect, Feature};
use crate::preview::hints::{Construct, HintKind, HintSeverity, Hints};
use crate::preview::inline;
use crate::preview::source::{Marker, SourceMap, quote_markers, strip_markers};
use crate::preview::style::{FontColour, Styles};
use crate::preview::table::TableBuilder;
use crate::preview::writer::{ContainerKind, Writer, run};

use blocks::Code;
use text::Image;

struct Renderer<'m, 's> {
    map: &'m SourceMap<'s>,
    dialect: Dialect,
    st: &'m Styles,
    link_urls: bool,
    out: Writer,
    hints: &'m mut Hints,
    /// Inline styles, each entry already combined with the ones below it.
    styles: Vec<Style>,
    /// `<font>` tags open in this block (markdown); `None` for a colour the
    /// client does not know, whose tags are shown as typed.
    fonts: Vec<Option<FontColour>>,
    /// Neighbouring text events, merged so that a `<@userid>` the parser
    /// split in two is still found.
    pending: String,
    pending_line: usize,
    pending_offset: usize,
    /// Events still to skip inside a construct already written as typed.
    skip: usize,
    /// For each open link, the URL to show after its text.
    links: Vec<Option<String>>,
    image: Option<Image>,
    table: Option<TableBuilder>,
    /// For each open list, the next number (`None`: bullets).
    lists: Vec<Option<u64>>,
    /// Source line of each open list item.
    items: Vec<usize>,
    quote_depth: usize,
    /// Container markers, to strip from continuation lines written as typed.
    markers: Vec<Marker>,
    code: Option<Code>,
    /// Inside a heading: `true` for a setext heading that markdown shows as
    /// typed.
    heading: Option<bool>,
}

/// Renders `map`'s source in a markdown dialect.
pub(crate) fn render(
    map: &SourceMap<'_>,
    dialect: Dialect,
    opts: &RenderOptions<'_>,
    st: &Styles,
    hints: &mut Hints,
) -> (Vec<Line<'static>>, Vec<usize>) {
    let mut r = Renderer {
        map,
        dialect,
        st,
        link_urls: opts.link_urls,
        out: Writer::new(opts.width, st.frame),
        hints,
        styles: vec![Style::default()],
        fonts: Vec::new(),
        pending: String::new(),
        pending_line: 1,
        pending_offset: 0,
        skip: 0,
        links: Vec::new(),
        image: None,
        table: None,
        lists: Vec::new(),
        items: Vec::new(),
        quote_depth: 0,
        markers: Vec::new(),
        code: None,
        heading: None,
    };
    // Tables are parsed in both dialects: markdown shows them as typed, but
    // knowing where they are is what the table hint needs.
    let parser = Parser::new_ext(map.src(), Options::ENABLE_TABLES);
    for (event, range) in parser.into_offset_iter() {
        r.event(event, range);
    }
    r.flush();
    r.out.finish()
}

impl Renderer<'_, '_> {
    fn supports(&self, feature: Feature) -> bool {
        self.dialect.supports(feature)
    }

    /// One parser event; skipped while a construct already written as
    /// typed runs, collected while an image's alt text does.
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.skip > 0 {
            match event {
                Event::Start(_) => self.skip += 1,
                Event::End(end) => {
                    self.skip -= 1;
                    if self.skip == 0 && end == TagEnd::Table {
                        self.out.end_block(self.map.last_line_of(&range));
                    }
                }
                _ => {}
            }
            return;
        }
        if self.image.is_some() {
            self.image_event(event);
            return;
        }
        if let Event::Text(t) = &event {
            self.text(t, range);
            return;
        }
        self.flush();
        let line = self.map.line_of(range.start);
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Code(code) => {
                if self.map.slice(range.clone()).contains('\n') {
                    self.hints.add(
                        line,
                        HintKind::MultiLineInlineCode,
                        HintSeverity::Warning,
                        crate::tr!("hint.multi_line_inline_code"),
                    );
                    self.push_literal(range);
                } else {
                    let style = self.style().patch(self.st.code);
                    self.out.push(&code, style, line);
                }
            }
            Event::InlineHtml(html) => match inline::font_tag(&html) {
                Some(piece) => self.piece(piece, line),
                None => {
                    let style = self.style();
                    self.out.push(&html, style, line);
                }
            },
            Event::Html(html) => self.html_line(&html, line),
            Event::SoftBreak | Event::HardBreak => {
                let style = self.style();
                self.out.push("\n", style, line);
                self.lazy_quotes(self.map.line_of(range.end));
            }
            Event::Rule => self.rule(range),
            // Not enabled in the parser; written as typed should they come.
            _ => self.push_literal(range),
        }
    }

    /// Inline style in force: the stack's top, coloured by an open `<font>`.
    fn style(&self) -> Style {
        let base = self.styles.last().copied().unwrap_or_default();
        match self.fonts.last() {
            Some(Some(colour)) => base.patch(self.st.font(*colour)),
            _ => base,
        }
    }

    /// Opens an inline style on top of the ones in force.
    fn push_style(&mut self, style: Style) {
        let top = self.styles.last().copied().unwrap_or_default();
        self.styles.push(top.patch(style));
    }

    /// Closes the innermost inline style (never the base one).
    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    /// After a line break inside quotes: a line with fewer `>` than quote
    /// levels is a lazy continuation and shows only the bars it has.
    fn lazy_quotes(&mut self, line: usize) {
        if self.quote_depth > 0 {
            let n = quote_markers(self.map.line_text(line));
            if n < self.quote_depth {
                self.out.set_next_quotes_visible(n);
            }
        }
    }

    /// A construct opens: blocks keep a blank row where the source had
    /// one; what the dialect lacks is shown as typed, with a hint.
    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        let line = self.map.line_of(range.start);
        match tag {
            Tag::Paragraph => self.out.start_block(line),
            Tag::Heading { level, .. } => {
                self.out.start_block(line);
                let atx = self.map.slice(range).trim_start().starts_with('#');
                // Only `#` headings are in markdown; a setext heading
                // (`Title` over `===`) is text and an underline as typed.
                let literal = !atx && self.dialect == Dialect::Markdown;
                self.heading = Some(literal);
                if !literal {
                    self.push_style(self.st.heading(level as usize));
                }
            }
            Tag::BlockQuote(_) => {
                self.out.start_block(line);
                self.quote_depth += 1;
                self.markers.push(Marker::Quote);
                let prefix = if self.quote_depth > 1 && !self.supports(Feature::NestedQuotes) {
                    self.hints.not_in_markdown(line, Construct::NestedQuote);
                    run(">", Style::default())
                } else {
                    run("│ ", self.st.frame)
                };
                self.out
                    .push_container(ContainerKind::Quote, prefix.clone(), prefix);
            }
            Tag::CodeBlock(kind) => self.start_code(kind, range),
            Tag::HtmlBlock => self.out.start_block(line),
            Tag::List(first) => {
                self.out.start_block(line);
                if self.lists.is_empty() && !self.supports(Feature::Lists) {
                    self.hints.not_in_markdown(line, Construct::List);
                }
                self.lists.push(first);
            }
            Tag::Item => self.start_item(range),
            Tag::Table(aligns) => {
                self.out.start_block(line);
                if self.supports(Feature::Tables) {
                    self.table = Some(TableBuilder::new(aligns));
                } else {
                    self.hints.not_in_markdown(line, Construct::Table);
                    self.literal_lines(range);
                    self.skip = 1;
                }
            }
            Tag::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.start_row(line, true);
                }
            }
            Tag::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.start_row(line, false);
                }
            }
            Tag::TableCell => self.out.begin_capture(),
            Tag::Emphasis => {
                if self.supports(Feature::Italic) {
                    self.push_style(self.st.italic);
                } else {
                    self.hints.not_in_markdown(line, Construct::Italic);
                    let style = self.style();
                    let delimiter = self.map.slice(range.start..range.start + 1);
                    self.out.push(delimiter, style, line);
                }
            }
            Tag::Strong => self.push_style(self.st.bold),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                self.push_style(self.st.link);
                let show = self.link_urls
                    && !matches!(link_type, LinkType::Autolink | LinkType::Email)
                    && !dest_url.is_empty();
                self.links.push(show.then(|| dest_url.to_string()));
            }
            Tag::Image { dest_url, .. } => {
                if self.supports(Feature::Images) {
                    self.image = Some(Image {
                        alt: String::new(),
                        url: dest_url.to_string(),
                        line,
                        depth: 1,
                    });
                } else {
                    self.hints.not_in_markdown(line, Construct::Image);
                    self.push_literal(range);
                    self.skip = 1;
                }
            }
            // Not enabled in the parser; written as typed should they come.
            _ => {
                self.push_literal(range);
                self.skip = 1;
            }
        }
    }

    /// A construct closes: containers are popped and each block records
    /// its last source line for the blank-row rule.
    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        let last = self.map.last_line_of(&range);
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock => {
                self.fonts.clear();
                self.out.end_block(last);
            }
            TagEnd::Heading(_) => {
                if self.heading.take() == Some(true) {
                    let underline = strip_markers(self.map.line_text(last), &self.markers);
                    self.out
                        .push_row(run(underline.trim(), Style::default()), last);
                } else {
                    self.pop_style();
                }
                self.fonts.clear();
                self.out.end_block(last);
            }
            TagEnd::BlockQuote(_) => {
                self.out.end_block(last);
                self.out.pop_container();
                self.markers.pop();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::CodeBlock => self.end_code(range),
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::Item => {
                self.out.end_line();
                let start = self.items.pop().unwrap_or(last);
                if self.out.innermost_unused() {
                    self.out.push_row(Vec::new(), start);
                }
                self.out.end_block(last);
                self.out.pop_container();
                self.markers.pop();
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    let rows = table.layout(
                        self.out.content_width(),
                        self.st.frame,
                        self.st.table_header,
                        last,
                    );
                    for (runs, l) in rows {
                        self.out.push_row(runs, l);
                    }
                }
                self.out.end_block(last);
            }
            TagEnd::TableCell => {
                let cell = self.out.end_capture();
                if let Some(t) = self.table.as_mut() {
                    t.push_cell(cell);
                }
            }
            TagEnd::Emphasis => {
                if self.supports(Feature::Italic) {
                    self.pop_style();
                } else {
                    let style = self.style();
                    let at = range.end.saturating_sub(1);
                    let delimiter = self.map.slice(at..range.end);
                    self.out.push(delimiter, style, self.map.line_of(at));
                }
            }
            TagEnd::Strong => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some(Some(url)) = self.links.pop() {
                    let line = self.map.line_of(range.end.saturating_sub(1));
                    self.out.push(&format!(" ({url})"), self.st.dim, line);
                }
            }
            _ => {}
        }
    }
}
