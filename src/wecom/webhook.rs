//! Robot addresses: a whole webhook URL or a bare key, normalised to a base URL
//! and a [`Key`] that never shows itself in full.
//!
//! People paste the whole URL where a key is expected and the other way round
//! (API-FACTS.md), so both are accepted. A URL that points at another host (a
//! corporate proxy, the sandbox, a test server) is kept as given.

use std::fmt;

use url::Url;

/// Where WeCom lives; a bare key is sent here unless another base is configured.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";
/// The path of the send endpoint, below the base URL.
pub const SEND_PATH: &str = "/cgi-bin/webhook/send";
/// The path of the upload endpoint, below the base URL.
pub const UPLOAD_PATH: &str = "/cgi-bin/webhook/upload_media";
/// The webhook a user is shown as an example of the form expected. The key
/// is obviously fake.
pub const EXAMPLE_URL: &str =
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000";

/// The forms a webhook can be pasted in, with [`EXAMPLE_URL`], in the
/// current language: the end of every [`WebhookError`].
pub fn expected_forms() -> String {
    crate::tr!("webhook.expected_forms", example = EXAMPLE_URL).into_owned()
}

/// A robot's webhook key. A secret: `Debug` and `Display` show only the last
/// four characters; [`Key::expose`] is the one way to read it, used to build
/// request URLs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

/// The longest key accepted, in characters (bytes: a key is ASCII).
pub const MAX_KEY_CHARS: usize = 128;

impl Key {
    /// Checks the characters of a bare key. Real keys are UUIDs; anything made
    /// of letters, digits, `-` and `_` is accepted so proxies and the sandbox
    /// can use their own.
    pub fn new(key: &str) -> Result<Key, WebhookError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(WebhookError::Empty);
        }
        if key.len() < 8 {
            return Err(WebhookError::KeyTooShort);
        }
        if key.len() > MAX_KEY_CHARS {
            return Err(WebhookError::KeyTooLong);
        }
        if let Some(bad) = key
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(WebhookError::BadKeyCharacter(bad));
        }
        Ok(Key(key.to_owned()))
    }

    /// The key itself. Only for building request URLs; never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key as shown on screen: `****` and its last four characters.
    pub fn masked(&self) -> String {
        let tail: String = {
            let chars: Vec<char> = self.0.chars().collect();
            chars[chars.len().saturating_sub(4)..].iter().collect()
        };
        format!("****{tail}")
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.masked())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A robot's address: the base URL its requests go to and its key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Webhook {
    base: Url,
    key: Key,
}

/// Why a text is not a webhook. Never contains the text itself, which may be a
/// key. Shown in the current language (`webhook.*` in the locale files),
/// each ending with the forms expected ([`expected_forms`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    Empty,
    KeyTooShort,
    /// Longer than [`MAX_KEY_CHARS`].
    KeyTooLong,
    BadKeyCharacter(char),
    /// The URL parser's reason.
    BadUrl(url::ParseError),
    BadScheme,
    MissingKey,
    /// `key=` is there but holds nothing: the key was cut off when copying.
    EmptyKey,
    NotAWebhookPath,
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let forms = expected_forms();
        let text = match self {
            WebhookError::Empty => crate::tr!("webhook.empty", forms = forms),
            WebhookError::KeyTooShort => crate::tr!("webhook.key_too_short", forms = forms),
            WebhookError::KeyTooLong => {
                crate::tr!("webhook.key_too_long", max = MAX_KEY_CHARS, forms = forms)
            }
            WebhookError::BadKeyCharacter(c) => crate::tr!(
                "webhook.bad_key_character",
                char = format!("{c:?}"),
                forms = forms
            ),
            WebhookError::BadUrl(e) => {
                crate::tr!("webhook.bad_url", why = url_reason(*e), forms = forms)
            }
            WebhookError::BadScheme => crate::tr!("webhook.bad_scheme", forms = forms),
            WebhookError::MissingKey => crate::tr!("webhook.missing_key", forms = forms),
            WebhookError::EmptyKey => crate::tr!("webhook.empty_key", forms = forms),
            WebhookError::NotAWebhookPath => {
                crate::tr!(
                    "webhook.not_a_webhook_path",
                    path = SEND_PATH,
                    forms = forms
                )
            }
        };
        f.write_str(&text)
    }
}

/// The URL parser's reason in the current language; one it may add later
/// is shown in its own (English) words.
fn url_reason(e: url::ParseError) -> String {
    use url::ParseError as P;
    let key = match e {
        P::EmptyHost => "empty_host",
        P::IdnaError => "idna",
        P::InvalidPort => "invalid_port",
        P::InvalidIpv4Address => "invalid_ipv4",
        P::InvalidIpv6Address => "invalid_ipv6",
        P::InvalidDomainCharacter => "invalid_domain_character",
        P::RelativeUrlWithoutBase => "relative",
        P::Overflow => "overflow",
        _ => return e.to_string(),
    };
    let key = format!("webhook.url.{key}");
    crate::tr!(&key).into_owned()
}

impl Webhook {
    /// Reads a webhook URL or a bare key. A bare key is addressed to
    /// `default_base`; a URL keeps its own scheme, host, port and any path
    /// prefix before `/cgi-bin/webhook/`.
    pub fn parse(input: &str, default_base: &Url) -> Result<Webhook, WebhookError> {
        let input = input.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if input.is_empty() {
            return Err(WebhookError::Empty);
        }
        let looks_like_url = input.contains("://") || input.contains('/') || input.contains('?');
        if !looks_like_url {
            let bare = match input.strip_prefix("key=") {
                Some(rest) if rest.trim().is_empty() => return Err(WebhookError::EmptyKey),
                Some(rest) => rest,
                None => input,
            };
            return Ok(Webhook {
                base: normalise_base(default_base.clone()),
                key: Key::new(bare)?,
            });
        }
        let url = Url::parse(input).map_err(WebhookError::BadUrl)?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(WebhookError::BadScheme);
        }
        let key = url
            .query_pairs()
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.into_owned())
            .ok_or(WebhookError::MissingKey)?;
        if key.trim().is_empty() {
            return Err(WebhookError::EmptyKey);
        }
        let key = Key::new(&key)?;
        let path = url.path().trim_end_matches('/');
        let prefix = [SEND_PATH, UPLOAD_PATH]
            .iter()
            .find_map(|endpoint| path.strip_suffix(endpoint))
            .ok_or(WebhookError::NotAWebhookPath)?
            .to_owned();
        let mut base = url;
        base.set_query(None);
        base.set_fragment(None);
        base.set_path(&prefix);
        Ok(Webhook {
            base: normalise_base(base),
            key,
        })
    }

    /// A webhook for `key` at `base` (the sandbox, tests).
    pub fn new(base: &Url, key: Key) -> Webhook {
        Webhook {
            base: normalise_base(base.clone()),
            key,
        }
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Scheme, host, port and path prefix, without the key.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The host and port, for messages (`qyapi.weixin.qq.com`, `127.0.0.1:8787`).
    pub fn host(&self) -> String {
        let host = match (self.base.host_str(), self.base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => self.base.to_string(),
        };
        self.redact(&host)
    }

    /// Whether the webhook points at this machine (the sandbox, tests): such
    /// requests never go through a proxy.
    pub fn is_loopback(&self) -> bool {
        match self.base.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        }
    }

    /// The send URL, with the key. Secret: never print it.
    pub fn send_url(&self) -> Url {
        self.endpoint(SEND_PATH, &[])
    }

    /// The upload URL for `kind` (`file` or `voice`), with the key. Secret.
    pub fn upload_url(&self, kind: &str) -> Url {
        self.endpoint(UPLOAD_PATH, &[("type", kind)])
    }

    /// The send URL with the key masked, safe to show. The base is redacted
    /// too: a proxy URL may carry the key in its host or path.
    pub fn display_url(&self) -> String {
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}{SEND_PATH}",
            self.base.path().trim_end_matches('/')
        ));
        format!("{}?key={}", self.redact(url.as_str()), self.key.masked())
    }

    /// The canonical text to store: the full send URL for a non-default host,
    /// the bare key otherwise. Secret.
    pub fn to_config_string(&self, default_base: &Url) -> String {
        if normalise_base(default_base.clone()) == self.base {
            self.key.expose().to_owned()
        } else {
            self.send_url().to_string()
        }
    }

    fn endpoint(&self, path: &str, extra: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.set_path(&format!("{}{path}", self.base.path().trim_end_matches('/')));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("key", self.key.expose());
            for (k, v) in extra {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// Masks every run of [`REDACT_RUN`] or more characters of the key in
    /// `text` (error bodies, library error messages, a server's echo of the
    /// key's tail).
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.key)
    }
}

/// The shortest run of a key's characters that [`redact`] masks. Shorter
/// runs are everyday text (`0000`, `test`); eight characters of a key are
/// a third of a WeCom UUID and worth hiding.
pub const REDACT_RUN: usize = 8;

/// Masks in `text` every run of [`REDACT_RUN`] or more consecutive
/// characters that also occur, in the same order, in `key`, compared without
/// regard to ASCII case (a host name is lower-cased by URL parsers). Each run
/// becomes the key's masked form. A server that echoes the last 20
/// characters of the key, or an URL that holds the key in its host or path,
/// shows none of it.
///
/// Linear in `text`: the key's windows of [`REDACT_RUN`] bytes are put in a
/// set once (keys are ASCII and at most 128 bytes), and every window of
/// `text` is looked up.
pub fn redact(text: &str, key: &Key) -> String {
    let windows: std::collections::HashSet<[u8; REDACT_RUN]> = key
        .0
        .as_bytes()
        .windows(REDACT_RUN)
        .filter_map(|w| <[u8; REDACT_RUN]>::try_from(w).ok())
        .map(|w| w.map(|b| b.to_ascii_lowercase()))
        .collect();
    if windows.is_empty() {
        return text.to_owned();
    }
    let mask = key.masked();
    let mut text = std::borrow::Cow::Borrowed(text);
    // The mask ends with the key's last four characters; text right after a
    // masked run could join them into a new run, so mask until none is left.
    // Each pass removes at least four key characters, so this ends.
    loop {
        let bytes = text.as_bytes();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (i, w) in bytes.windows(REDACT_RUN).enumerate() {
            let lower = std::array::from_fn(|j| w[j].to_ascii_lowercase());
            if windows.contains(&lower) {
                match runs.last_mut() {
                    Some(last) if last.1 >= i => last.1 = i + REDACT_RUN,
                    _ => runs.push((i, i + REDACT_RUN)),
                }
            }
        }
        if runs.is_empty() {
            return text.into_owned();
        }
        // Key characters are ASCII, so every run starts and ends on a
        // character boundary.
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in runs {
            out.push_str(&text[at..start]);
            out.push_str(&mask);
            at = end;
        }
        out.push_str(&text[at..]);
        text = std::borrow::Cow::Owned(out);
    }
}

fn normalise_base(mut base: Url) -> Url {
    base.set_query(None);
    base.set_fragment(None);
    let path = base.path().trim_end_matches('/').to_owned();
    base.set_path(&path);
    base
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("base", &self.redact(self.base.as_str()))
            .field("key", &self.key)
            .finish()
    }
}

impl fmt::Display for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_url())
    }
}

/// The default base URL, parsed.
pub fn default_base() -> Url {
    // The constant is a valid URL; the fallback keeps this infallible.
    Url::parse(DEFAULT_BASE_URL).expect("DEFAULT_BASE_URL is a valid URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &str = "00000000-fake-4bc4-0000-testkey0a5a";

    fn base() -> Url {
        default_base()
    }

    #[test]
    fn bare_key_goes_to_the_default_base() {
        let w = Webhook::parse(FAKE, &base()).unwrap();
        assert_eq!(
            w.send_url().as_str(),
            format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={FAKE}")
        );
        assert_eq!(w.key().expose(), FAKE);
    }

    #[test]
    fn whole_url_is_normalised_to_the_same_webhook() {
        let url = format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={FAKE}");
        assert_eq!(
            Webhook::parse(&url, &base()).unwrap(),
            Webhook::parse(FAKE, &base()).unwrap()
        );
        // Pasted with quotes, spaces, a trailing slash or extra parameters.
        let messy =
            format!(" 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send/?debug=1&key={FAKE}' ");
        assert_eq!(
            Webhook::parse(&messy, &base()).unwrap(),
            Webhook::parse(FAKE, &base()).unwrap()
        );
        assert_eq!(
            Webhook::parse(&format!("key={FAKE}"), &base()).unwrap(),
            Webhook::parse(FAKE, &base()).unwrap()
        );
    }

    #[test]
    fn upload_url_is_accepted_and_another_host_kept() {
        let url = format!(
            "http://127.0.0.1:8787/proxy/cgi-bin/webhook/upload_media?key={FAKE}&type=file"
        );
        let w = Webhook::parse(&url, &base()).unwrap();
        assert_eq!(
            w.send_url().as_str(),
            format!("http://127.0.0.1:8787/proxy/cgi-bin/webhook/send?key={FAKE}")
        );
        assert_eq!(
            w.upload_url("voice").as_str(),
            format!(
                "http://127.0.0.1:8787/proxy/cgi-bin/webhook/upload_media?key={FAKE}&type=voice"
            )
        );
        assert!(w.is_loopback());
        assert_eq!(w.host(), "127.0.0.1:8787");
    }

    #[test]
    fn anything_else_is_refused_with_the_expected_forms() {
        for bad in [
            "",
            "   ",
            "short",
            "has space in it",
            "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "https://qyapi.weixin.qq.com/cgi-bin/other?key=00000000-0000",
            "https://exa mple.com/x",
        ] {
            let err = Webhook::parse(bad, &base()).unwrap_err();
            assert!(
                err.to_string().contains(
                    "webhook URL like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
                ),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn key_never_shows_in_debug_or_display() {
        let w = Webhook::parse(FAKE, &base()).unwrap();
        for shown in [
            format!("{w}"),
            format!("{w:?}"),
            format!("{:?}", w.key()),
            w.key().to_string(),
            w.display_url(),
        ] {
            assert!(!shown.contains(FAKE), "{shown}");
            assert!(shown.contains("****0a5a"), "{shown}");
        }
    }

    #[test]
    fn redact_masks_every_occurrence() {
        let w = Webhook::parse(FAKE, &base()).unwrap();
        let text = format!("error sending request for url (https://x/send?key={FAKE}) {FAKE}");
        let red = w.redact(&text);
        assert!(!red.contains(FAKE));
        assert_eq!(red.matches("****0a5a").count(), 2);
    }

    #[test]
    fn an_empty_key_is_a_missing_key_not_a_missing_webhook() {
        for input in [
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=&debug=1",
            "key=",
            "key=  ",
        ] {
            let err = Webhook::parse(input, &base()).unwrap_err();
            assert_eq!(err, WebhookError::EmptyKey, "{input:?}");
            let text = err.to_string();
            assert!(text.starts_with("that URL's key= is empty"), "{text}");
            assert!(text.contains("copy the whole webhook URL again"), "{text}");
        }
    }

    #[test]
    fn redact_masks_any_run_of_eight_key_characters() {
        let w = Webhook::parse(FAKE, &base()).unwrap();
        let tail20 = &FAKE[FAKE.len() - 20..];
        let text = format!(
            "invalid webhook url {tail20}, hint: [x]; PART {}",
            &FAKE[3..11].to_uppercase()
        );
        let red = w.redact(&text);
        assert_eq!(
            red,
            "invalid webhook url ****0a5a, hint: [x]; PART ****0a5a"
        );
        // Seven characters are everyday text and stay.
        assert_eq!(w.redact(&FAKE[..7]), &FAKE[..7]);
    }

    #[test]
    fn a_masked_run_does_not_join_the_text_after_it_into_a_new_run() {
        // The mask ends with the key's last four characters ("aaaa"); the four
        // `a`s after the run would make eight with them.
        let key = Key::new("aaaaaaaaaaaa").unwrap();
        let red = redact("xx aaaaaaaaaaaa yy", &key);
        assert_eq!(red, "xx ****aaaa yy");
        // Masking "ABCDEFGH" leaves "****wxyz" + "1234": "wxyz1234" is a
        // run of this key too, and is masked in turn.
        let key = Key::new("ABCDEFGHwxyz1234wxyz").unwrap();
        assert_eq!(redact("ABCDEFGH1234", &key), "********wxyz");
    }

    #[test]
    fn a_key_in_the_host_or_path_of_a_proxy_url_is_not_shown() {
        let url = format!("https://{FAKE}.example.com/{FAKE}/cgi-bin/webhook/send?key={FAKE}");
        let w = Webhook::parse(&url, &base()).unwrap();
        for shown in [format!("{w}"), format!("{w:?}"), w.host(), w.display_url()] {
            assert!(!shown.to_ascii_lowercase().contains(&FAKE[..8]), "{shown}");
        }
    }

    #[test]
    fn config_string_is_bare_key_for_default_host_and_url_elsewhere() {
        let w = Webhook::parse(FAKE, &base()).unwrap();
        assert_eq!(w.to_config_string(&base()), FAKE);
        let other = Webhook::parse(
            &format!("http://127.0.0.1:9/cgi-bin/webhook/send?key={FAKE}"),
            &base(),
        )
        .unwrap();
        assert_eq!(
            other.to_config_string(&base()),
            format!("http://127.0.0.1:9/cgi-bin/webhook/send?key={FAKE}")
        );
    }
}
