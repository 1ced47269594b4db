//! The batch API's access tokens (seed 002's `?access_token=`): made by
//! `wecom tokens add LABEL`, shown once, kept in the config only as their
//! sha256 (`[[relay.tokens]]`), like relay codes. The relay reads the config
//! again when it changes, so a revoked token is refused from the next
//! request on.

use crate::store::config::{ApiToken, CODE_BYTES, CODE_ID_CHARS, Config, relay_code_hash};

/// The longest label, in characters.
pub const LABEL_MAX_CHARS: usize = 40;

/// Why a token could not be made or revoked; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("A token needs a label saying who uses it, for example \"ci\".")]
    EmptyLabel,
    #[error("That label is longer than {LABEL_MAX_CHARS} characters: choose a shorter one.")]
    LabelTooLong,
    #[error("A label is a single line: remove the tabs and line breaks from it.")]
    LabelHasControlCharacter,
    #[error("No token has that id: `wecom tokens list` shows the ids.")]
    NotFound,
}

/// The label trimmed, if it can be one.
pub fn check_label(label: &str) -> Result<&str, TokenError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(TokenError::EmptyLabel);
    }
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(TokenError::LabelTooLong);
    }
    if label.chars().any(char::is_control) {
        return Err(TokenError::LabelHasControlCharacter);
    }
    Ok(label)
}

/// Makes a token labelled `label`: returns the token itself (saved nowhere)
/// and its entry, which is added to `config`.
pub fn add(config: &mut Config, label: &str) -> Result<(String, ApiToken), TokenError> {
    use base64::Engine as _;
    use rand::RngCore as _;
    let label = check_label(label)?;
    let mut bytes = [0u8; CODE_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let sha256 = relay_code_hash(&token);
    let entry = ApiToken {
        id: sha256[..CODE_ID_CHARS].to_owned(),
        label: label.to_owned(),
        sha256,
        created_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    };
    config.relay.tokens.push(entry.clone());
    Ok((token, entry))
}

/// The saved entry of `token`, if it is one.
pub fn find<'a>(config: &'a Config, token: &str) -> Option<&'a ApiToken> {
    let hash = relay_code_hash(token);
    config.relay.tokens.iter().find(|t| t.sha256 == hash)
}

/// Revokes the token whose id is `id` (case ignored).
pub fn revoke(config: &mut Config, id: &str) -> Result<ApiToken, TokenError> {
    let id = id.trim().to_ascii_lowercase();
    let at = config
        .relay
        .tokens
        .iter()
        .position(|t| t.id == id)
        .ok_or(TokenError::NotFound)?;
    Ok(config.relay.tokens.remove(at))
}

/// Revokes every token; returns how many there were.
pub fn revoke_all(config: &mut Config) -> usize {
    std::mem::take(&mut config.relay.tokens).len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_random_saved_as_its_hash_and_revocable() {
        let mut config = Config::default();
        let (token, entry) = add(&mut config, " ci ").unwrap();
        let (other, _) = add(&mut config, "cron").unwrap();
        assert_ne!(token, other);
        assert!(token.len() >= 43, "256 bits in base64: {token}");
        assert_eq!(entry.label, "ci");
        assert_eq!(find(&config, &token), Some(&entry));
        assert_eq!(find(&config, "not-a-token"), None);
        let saved = serde_json::to_string(&config).unwrap();
        assert!(!saved.contains(&token), "{saved}");
        assert!(saved.contains(&entry.sha256), "{saved}");
        assert_eq!(revoke(&mut config, &entry.id.to_uppercase()), Ok(entry));
        assert_eq!(find(&config, &token), None);
        assert_eq!(revoke(&mut config, "nope"), Err(TokenError::NotFound));
        assert_eq!(revoke_all(&mut config), 1);
        assert_eq!(find(&config, &other), None);
        assert!(config.relay.is_empty());
    }

    #[test]
    fn labels_are_checked() {
        let mut config = Config::default();
        assert_eq!(add(&mut config, "  "), Err(TokenError::EmptyLabel));
        assert_eq!(
            add(&mut config, &"x".repeat(41)),
            Err(TokenError::LabelTooLong)
        );
        assert_eq!(
            add(&mut config, "a\nb"),
            Err(TokenError::LabelHasControlCharacter)
        );
        assert!(config.relay.tokens.is_empty());
    }
}
