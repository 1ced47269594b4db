//! Every documented number of the webhook API, in one place (see
//! `API-FACTS.md` and seed 001). "M" in the documents is read as MiB.

use std::time::Duration;

/// `text.content`: "最长不超过 2048 个字节".
pub const TEXT_MAX_BYTES: usize = 2048;
/// `markdown.content` and `markdown_v2.content`: "最长不超过 4096 个字节".
pub const MARKDOWN_MAX_BYTES: usize = 4096;
/// `news.articles[].title`: cut by the server after 128 bytes.
pub const NEWS_TITLE_BYTES: usize = 128;
/// `news.articles[].description`: cut by the server after 512 bytes.
pub const NEWS_DESCRIPTION_BYTES: usize = 512;
/// `news.articles`: "支持 1 到 8 条图文".
pub const NEWS_MAX_ARTICLES: usize = 8;
/// `horizontal_content_list`: "列表长度不超过 6".
pub const HORIZONTAL_MAX: usize = 6;
/// `jump_list`: "列表长度不超过 3".
pub const JUMP_MAX: usize = 3;
/// `vertical_content_list`: "列表长度不超过 4".
pub const VERTICAL_MAX: usize = 4;
/// `card_image.aspect_ratio` bounds. The page says "小于 2.25, 大于 1.3" but
/// its own example uses 2.25 and the default is 1.3, so both ends are allowed
/// (with a warning quoting [`ASPECT_RATIO_PAGE`]); outside them is an error.
pub const ASPECT_RATIO_MIN: f64 = 1.3;
pub const ASPECT_RATIO_MAX: f64 = 2.25;
/// Seed 001's words for `card_image.aspect_ratio`, quoted in the warning.
pub const ASPECT_RATIO_PAGE: &str = "宽高比要小于 2.25,大于 1.3,不填该参数默认 1.3";

const MIB: u64 = 1024 * 1024;
/// `image`: raw bytes (before base64) "最大不能超过 2M".
pub const IMAGE_MAX_BYTES: u64 = 2 * MIB;
/// Every upload: "文件大小均要求大于 5 个字节".
pub const UPLOAD_MIN_EXCLUSIVE_BYTES: u64 = 5;
/// `upload_media?type=file`: "文件大小不超过 20M".
pub const FILE_MAX_BYTES: u64 = 20 * MIB;
/// `upload_media?type=voice`: "文件大小不超过 2M".
pub const VOICE_MAX_BYTES: u64 = 2 * MIB;
/// `upload_media?type=voice`: "播放长度不超过 60s".
pub const VOICE_MAX_SECONDS: f64 = 60.0;

/// "每个机器人发送的消息不能超过 20 条/分钟".
pub const RATE_LIMIT_MESSAGES: usize = 20;
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(60);
/// "media_id 仅三天内有效".
pub const MEDIA_ID_TTL: Duration = Duration::from_secs(3 * 24 * 60 * 60);

// ---------------------------------------------------------------- showing them

/// `1234567` → `1,234,567`, for byte counts people read. Here, below both
/// `media` and `validate`, so neither imports the other for it.
pub fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` with its noun in the right number: "1 byte", "4,097 bytes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", group_digits(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1234), "1,234");
        assert_eq!(group_digits(4096), "4,096");
        assert_eq!(group_digits(20_971_520), "20,971,520");
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "byte", "bytes"), "1 byte");
        assert_eq!(count(0, "byte", "bytes"), "0 bytes");
        assert_eq!(count(2, "item", "items"), "2 items");
        assert_eq!(count(4097, "byte", "bytes"), "4,097 bytes");
    }
}
