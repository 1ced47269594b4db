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
