//! The preview's state: what was rendered from which draft, and what is
//! being rendered. Kept apart from the code that updates it
//! (`preview_pane`), so the app's state and its messages can hold it
//! without depending on that code.

use crate::preview::{self, Dialect, RenderOptions, Rendered};

/// Drafts up to this size render on the spot (well under a millisecond);
/// larger ones render in the background so typing never waits.
pub const SYNC_LIMIT_BYTES: usize = 64 * 1024;
/// What a rendering was made from: it is current while these are unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewKey {
    pub robot: String,
    pub kind: crate::wecom::MessageKind,
    pub revision: u64,
    pub width: u16,
    pub color: bool,
}

/// The last rendering, and the one being made.
#[derive(Debug, Default)]
pub struct PreviewState {
    pub shown: Option<(PreviewKey, Rendered)>,
    pub pending: Option<PreviewKey>,
    /// Follow the editor's cursor (until the user scrolls the preview).
    pub follow: bool,
    /// Which picture links of the draft may be fetched.
    pub links: PictureLinks,
    /// The draft last said to be too tall for the editor (`tui::tall`).
    pub too_tall: Option<crate::tui::compose::DraftKey>,
}

/// How long a link being typed must stay unchanged before its picture is
/// fetched.
pub const LINK_QUIET: std::time::Duration = std::time::Duration::from_millis(500);

/// The picture links the preview may fetch. Why: a link typed into a form
/// field is a new URL at every keystroke (`http://h`, `http://ho`, …), and
/// fetching each would send a burst of requests to hosts that do not exist
/// or to the right host for pictures that do not. So a link is fetched
/// once the user has left the field that holds it, or once the draft has
/// stayed unchanged for [`LINK_QUIET`]; `preview_pane::sync_links` keeps
/// this up to date after every message.
#[derive(Debug, Default)]
pub struct PictureLinks {
    settled: std::collections::HashSet<String>,
    /// Bumped at every change of the draft: a quiet period that began
    /// before the last change is over for nothing.
    pub generation: u64,
    /// The draft (robot, type, revision) the generation was bumped for.
    pub seen: Option<(String, crate::wecom::MessageKind, u64)>,
    /// Whether a quiet timer runs for `generation`.
    pub timer: bool,
}

impl PictureLinks {
    /// At most this many links are remembered; past it they start over (the
    /// draft's own are settled again at once unless being typed).
    const KEEP: usize = 256;

    /// Whether the picture at `url` may be fetched now.
    pub fn may_fetch(&self, url: &str) -> bool {
        self.settled.contains(url)
    }

    pub fn settle(&mut self, url: &str) {
        if self.settled.contains(url) {
            return;
        }
        if self.settled.len() >= Self::KEEP {
            self.settled.clear();
        }
        self.settled.insert(url.to_owned());
    }
}

/// Everything a background rendering needs.
#[derive(Debug, Clone)]
pub struct RenderJob {
    pub key: PreviewKey,
    pub source: String,
    pub dialect: Dialect,
    pub mentioned_list: Vec<String>,
    pub mentioned_mobile_list: Vec<String>,
}

impl RenderJob {
    pub fn run(&self) -> Rendered {
        let opts = RenderOptions {
            width: self.key.width,
            color: self.key.color,
            link_urls: true,
            mentioned_list: &self.mentioned_list,
            mentioned_mobile_list: &self.mentioned_mobile_list,
        };
        preview::render(&self.source, self.dialect, &opts)
    }
}
