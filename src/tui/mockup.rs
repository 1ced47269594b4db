//! Mock-ups of cards and news in the preview pane, laid out the way the WeCom
//! client shows them: what goes where, which colour the source line takes,
//! where the picture sits and in what proportion, and what a click opens.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use super::width::cut_line;
use super::wrap::plain as wrap;
use crate::wecom::Message;
use crate::wecom::message::{
    Article, CardAction, HorizontalContent, Jump, MainTitle, NewsNoticeCard, QuoteArea, Source,
    TemplateCard, TextNoticeCard,
};

/// A mock-up of `message` at `width` columns, or `None` for the kinds shown
/// otherwise (text, markdown).
pub fn mockup(message: &Message, width: u16, theme: &Theme) -> Option<Text<'static>> {
    mockup_with_pictures(message, width, theme).map(|m| m.text)
}

/// A mock-up and where its pictures go.
pub struct Mockup {
    pub text: Text<'static>,
    /// The boxes drawn as placeholders, for the pictures to be drawn over.
    pub pictures: Vec<PictureSlot>,
}

/// Where a picture of the mock-up sits: rows and columns counted from the
/// mock-up's first line and first column.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureSlot {
    pub row: usize,
    pub col: usize,
    pub width: usize,
    pub height: usize,
    /// The picture's link, as the message gives it.
    pub url: String,
    /// Whether the picture fills its box (cards, news) or fits in it.
    pub cover: bool,
}

/// The links of the pictures the mock-up of `message` draws, in order.
pub fn picture_links(message: &Message, theme: &Theme) -> Vec<String> {
    mockup_with_pictures(message, 80, theme)
        .map(|m| m.pictures.into_iter().map(|p| p.url).collect())
        .unwrap_or_default()
}

/// [`mockup`], with the boxes its pictures are drawn in.
pub fn mockup_with_pictures(message: &Message, width: u16, theme: &Theme) -> Option<Mockup> {
    let inner = (width as usize).saturating_sub(4).max(10);
    let mut card = Card {
        lines: Vec::new(),
        width: inner,
        theme: *theme,
        pictures: Vec::new(),
    };
    match message {
        Message::TemplateCard(TemplateCard::TextNotice(c)) => text_notice(&mut card, c),
        Message::TemplateCard(TemplateCard::NewsNotice(c)) => news_notice(&mut card, c),
        Message::News(n) => news(&mut card, &n.articles),
        _ => return None,
    }
    let pictures = std::mem::take(&mut card.pictures);
    Some(Mockup {
        text: card.finish(),
        pictures,
    })
}

struct Card {
    lines: Vec<Line<'static>>,
    width: usize,
    theme: Theme,
    pictures: Vec<PictureSlot>,
}

impl Card {
    /// Notes that the next `height` lines, from column `col` of the card's
    /// inside, are a box for the picture at `url` (rows and columns then
    /// count the frame: one line above, `│ ` to the left).
    fn picture_at(&mut self, url: Option<&str>, col: usize, width: usize, height: usize) {
        if let Some(url) = url {
            self.pictures.push(PictureSlot {
                row: self.lines.len() + 1,
                col: col + 2,
                width,
                height,
                url: url.to_owned(),
                cover: true,
            });
        }
    }

    /// Adds `text` wrapped to the card's width, every line in `style`.
    fn text(&mut self, text: &str, style: Style) {
        for line in text.split('\n') {
            for piece in wrap(line, self.width) {
                self.lines.push(Line::styled(piece, style));
            }
        }
    }
    fn line(&mut self, spans: Vec<Span<'static>>) {
        self.lines.push(Line::from(spans));
    }
    fn gap(&mut self) {
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::default());
        }
    }
    fn rule(&mut self) {
        self.lines
            .push(Line::styled("─".repeat(self.width), self.theme.dim()));
    }
    /// The card in a frame, each line cut or padded to the width.
    fn finish(self) -> Text<'static> {
        let border = self.theme.dim();
        let mut out = vec![Line::styled(
            format!("╭{}╮", "─".repeat(self.width + 2)),
            border,
        )];
        for mut line in self.lines {
            cut_line(&mut line, self.width);
            let pad = self.width.saturating_sub(line.width());
            line.spans.insert(0, Span::styled("│ ", border));
            line.spans.push(Span::raw(" ".repeat(pad)));
            line.spans.push(Span::styled(" │", border));
            out.push(line);
        }
        out.push(Line::styled(
            format!("╰{}╯", "─".repeat(self.width + 2)),
            border,
        ));
        Text::from(out)
    }
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|t| !t.is_empty())
}

fn source(card: &mut Card, s: &Option<Source>) {
    let Some(s) = s else { return };
    let color = match s.desc_color.unwrap_or(0) {
        1 => ratatui::style::Color::White,
        2 => ratatui::style::Color::Red,
        3 => ratatui::style::Color::Green,
        _ => ratatui::style::Color::DarkGray,
    };
    let style = if card.theme.color {
        Style::default().fg(color)
    } else {
        Style::default()
    };
    let mut spans = Vec::new();
    if let Some(icon) = some(&s.icon_url) {
        card.picture_at(Some(icon), 0, 2, 1);
        spans.push(Span::styled("[icon] ", card.theme.dim()));
    }
    spans.push(Span::styled(some(&s.desc).unwrap_or("").to_owned(), style));
    card.line(spans);
}

/// The source line and the main title, which both cards start with.
fn header(card: &mut Card, source_: &Option<Source>, main: &Option<MainTitle>) {
    source(card, source_);
    let m = main.as_ref();
    main_title(
        card,
        m.and_then(|m| some(&m.title)),
        m.and_then(|m| some(&m.desc)),
    );
}

fn main_title(card: &mut Card, title: Option<&str>, desc: Option<&str>) {
    if let Some(t) = title {
        card.text(t, Style::default().add_modifier(Modifier::BOLD));
    }
    if let Some(d) = desc {
        card.text(d, card.theme.dim());
    }
}

fn quote(card: &mut Card, q: &Option<QuoteArea>) {
    let Some(q) = q else { return };
    card.gap();
    let bar = Span::styled("▌", card.theme.dim());
    for (text, style) in [
        (
            some(&q.title),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        (some(&q.quote_text), card.theme.dim()),
    ] {
        for line in text.unwrap_or("").split('\n').filter(|l| !l.is_empty()) {
            for piece in wrap(line, card.width.saturating_sub(1)) {
                card.line(vec![bar.clone(), Span::styled(piece, style)]);
            }
        }
    }
    if let Some(opens) = click(q.r#type, &q.url, &q.appid, &q.pagepath) {
        card.line(vec![
            bar,
            Span::styled(format!("↳ {opens}"), card.theme.dim()),
        ]);
    }
}

/// What a click opens, from a `type` and its fields.
fn click(
    kind: Option<i64>,
    url: &Option<String>,
    appid: &Option<String>,
    page: &Option<String>,
) -> Option<String> {
    match kind {
        Some(1) => Some(
            crate::tr!(
                "mockup.opens_url",
                url = some(url).map_or_else(|| crate::tr!("mockup.no_url"), Into::into)
            )
            .into_owned(),
        ),
        Some(2) => Some(
            crate::tr!(
                "mockup.opens_mini_program",
                appid = some(appid).map_or_else(|| crate::tr!("mockup.no_appid"), Into::into),
                page = some(page).map(|p| format!(" /{p}")).unwrap_or_default()
            )
            .into_owned(),
        ),
        _ => None,
    }
}

fn horizontal(card: &mut Card, rows: &Option<Vec<HorizontalContent>>) {
    let Some(rows) = rows.as_ref().filter(|r| !r.is_empty()) else {
        return;
    };
    card.gap();
    let key_width = rows
        .iter()
        .map(|r| r.keyname.width())
        .max()
        .unwrap_or(0)
        .min(12)
        + 2;
    for row in rows {
        let key = format!(
            "{}{}",
            row.keyname,
            " ".repeat(key_width.saturating_sub(row.keyname.width()))
        );
        let value = some(&row.value).unwrap_or("").to_owned();
        let (value, style) = match row.r#type {
            Some(1) => (format!("{value} ›"), card.theme.key()),
            Some(2) => (format!("[file] {value}"), card.theme.key()),
            Some(3) => (format!("@{value}"), card.theme.accent()),
            _ => (value, Style::default()),
        };
        card.line(vec![
            Span::styled(key, card.theme.dim()),
            Span::styled(value, style),
        ]);
    }
}

fn jumps(card: &mut Card, jumps: &Option<Vec<Jump>>) {
    let Some(jumps) = jumps.as_ref().filter(|j| !j.is_empty()) else {
        return;
    };
    card.gap();
    card.rule();
    for j in jumps {
        let style = if matches!(j.r#type, Some(1 | 2)) {
            card.theme.key()
        } else {
            Style::default()
        };
        card.line(vec![Span::styled(format!("{} ›", j.title), style)]);
    }
}

fn action(card: &mut Card, a: &Option<CardAction>) {
    let opens = a
        .as_ref()
        .and_then(|a| click(a.r#type, &a.url, &a.appid, &a.pagepath))
        .unwrap_or_else(|| crate::tr!("mockup.no_card_action").into_owned());
    card.gap();
    let style = card.theme.dim();
    card.text(&crate::tr!("mockup.card_click", opens = opens), style);
}

/// A picture placeholder `ratio` times wider than tall (terminal cells are
/// about twice as tall as wide).
fn picture(card: &mut Card, label: &str, ratio: f64, url: Option<&str>) {
    let w = card.width;
    let h = ((w as f64 / ratio) / 2.0).round().clamp(2.0, 12.0) as usize;
    card.picture_at(url, 0, w, h);
    let style = card.theme.dim();
    for i in 0..h {
        let fill = if i == h / 2 {
            let label: String = label.chars().take(w.saturating_sub(2)).collect();
            let pad = w.saturating_sub(label.width());
            format!(
                "{}{label}{}",
                "░".repeat(pad / 2),
                "░".repeat(pad - pad / 2)
            )
        } else {
            "░".repeat(w)
        };
        card.line(vec![Span::styled(fill, style)]);
    }
}

fn text_notice(card: &mut Card, c: &TextNoticeCard) {
    header(card, &c.source, &c.main_title);
    if let Some(e) = &c.emphasis_content {
        card.gap();
        if let Some(t) = some(&e.title) {
            card.text(t, card.theme.accent().add_modifier(Modifier::BOLD));
        }
        if let Some(d) = some(&e.desc) {
            card.text(d, card.theme.dim());
        }
    }
    quote(card, &c.quote_area);
    if let Some(t) = some(&c.sub_title_text) {
        card.gap();
        card.text(t, Style::default());
    }
    horizontal(card, &c.horizontal_content_list);
    jumps(card, &c.jump_list);
    action(card, &c.card_action);
}

fn news_notice(card: &mut Card, c: &NewsNoticeCard) {
    header(card, &c.source, &c.main_title);
    if let Some(img) = &c.card_image {
        let ratio = img.aspect_ratio.unwrap_or(1.3);
        card.gap();
        let url = Some(img.url.as_str()).filter(|u| !u.is_empty());
        picture(card, &format!(" picture {ratio}:1 "), ratio, url);
    }
    if let Some(area) = &c.image_text_area {
        card.gap();
        let url = Some(area.image_url.as_str()).filter(|u| !u.is_empty());
        card.picture_at(url, 0, 5, 1);
        let mut spans = vec![Span::styled("[pic] ", card.theme.dim())];
        spans.push(Span::styled(
            some(&area.title).unwrap_or("").to_owned(),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        card.line(spans);
        if let Some(d) = some(&area.desc) {
            card.line(vec![
                Span::raw("      "),
                Span::styled(d.to_owned(), card.theme.dim()),
            ]);
        }
        if let Some(opens) = click(area.r#type, &area.url, &area.appid, &area.pagepath) {
            card.line(vec![Span::styled(
                format!("      ↳ {opens}"),
                card.theme.dim(),
            )]);
        }
    }
    quote(card, &c.quote_area);
    if let Some(rows) = c.vertical_content_list.as_ref().filter(|r| !r.is_empty()) {
        card.gap();
        for r in rows {
            card.text(&r.title, Style::default().add_modifier(Modifier::BOLD));
            if let Some(d) = some(&r.desc) {
                card.text(d, card.theme.dim());
            }
        }
    }
    horizontal(card, &c.horizontal_content_list);
    jumps(card, &c.jump_list);
    action(card, &c.card_action);
}

fn news(card: &mut Card, articles: &[Article]) {
    let Some(first) = articles.first() else {
        card.text("(no article)", card.theme.dim());
        return;
    };
    // The first article: a wide picture with its title over it.
    picture(
        card,
        if some(&first.picurl).is_some() {
            " picture "
        } else {
            " (no picurl) "
        },
        2.35,
        some(&first.picurl),
    );
    card.text(&first.title, Style::default().add_modifier(Modifier::BOLD));
    if articles.len() == 1 {
        // A single article shows its description.
        if let Some(d) = some(&first.description) {
            card.text(d, card.theme.dim());
        }
    }
    for a in &articles[1..] {
        card.rule();
        let pic = if some(&a.picurl).is_some() {
            " [pic]"
        } else {
            ""
        };
        let room = card.width.saturating_sub(pic.width());
        let title: String = wrap(&a.title, room).into_iter().next().unwrap_or_default();
        let pad = room.saturating_sub(title.width());
        card.line(vec![
            Span::raw(title),
            Span::raw(" ".repeat(pad)),
            Span::styled(pic.to_owned(), card.theme.dim()),
        ]);
    }
    card.gap();
    card.line(vec![Span::styled(
        crate::tr!("mockup.articles_open", n = articles.len()).into_owned(),
        card.theme.dim(),
    )]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &Text) -> Vec<String> {
        t.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn every_line_of_the_card_has_the_same_width() {
        let json = include_str!("../../assets/templates/text_notice.json");
        let m = Message::from_json_str(json).expect("seed");
        let t = mockup(&m, 40, &Theme { color: false }).expect("card");
        let widths: Vec<usize> = lines(&t).iter().map(|l| l.width()).collect();
        assert!(widths.iter().all(|w| *w == 40), "{widths:?}");
        let wide = mockup(&m, 100, &Theme { color: false }).expect("card");
        let all = lines(&wide).join("\n");
        for part in [
            "企业微信",
            "欢迎使用企业微信",
            "100",
            "▌引用文本标题",
            "邀请人",
            "[file] 企业微信.apk",
            "企业微信官网 ›",
            "opens https://work.weixin.qq.com/?from=openApi",
        ] {
            assert!(all.contains(part), "{part} missing:\n{all}");
        }
    }

    #[test]
    fn the_card_picture_keeps_its_aspect_ratio() {
        let json = include_str!("../../assets/templates/news_notice.json");
        let m = Message::from_json_str(json).expect("seed");
        let t = mockup(&m, 48, &Theme { color: false }).expect("card");
        let picture_rows = lines(&t).iter().filter(|l| l.contains('░')).count();
        // 44 columns at 2.25:1, cells twice as tall as wide: 44 / 2.25 / 2 ≈ 10 rows.
        assert_eq!(picture_rows, 10);
    }
}
