//! Answers in WeCom's shape: always HTTP 200 with `{"errcode":N,"errmsg":"…"}`,
//! the errmsg carrying a hint id, the caller's IP and a help link as the real
//! server's do, so clients are tested against the real format.

use std::net::IpAddr;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The errcodes the sandbox answers with (see API-FACTS.md, "errcodes seen").
pub mod errcode {
    pub const OK: i64 = 0;
    pub const INVALID_MEDIA_TYPE: i64 = 40004;
    pub const INVALID_FILE_TYPE: i64 = 40005;
    pub const INVALID_FILE_SIZE: i64 = 40006;
    pub const INVALID_MEDIA_ID: i64 = 40007;
    pub const INVALID_MESSAGE_TYPE: i64 = 40008;
    pub const INVALID_IMAGE_SIZE: i64 = 40009;
    pub const INVALID_PARAMETER: i64 = 40058;
    pub const MEDIA_DATA_MISSING: i64 = 41005;
    pub const EMPTY_MEDIA_DATA: i64 = 44001;
    pub const EMPTY_CONTENT: i64 = 44004;
    pub const FREQ_OUT_OF_LIMIT: i64 = 45009;
    /// WeCom's global code for a GET where POST is needed.
    pub const REQUIRE_POST_METHOD: i64 = 43002;
    /// The sandbox's own answer to a path WeCom does not have (the HTTP
    /// status, as WeCom documents no errcode for it).
    pub const NOT_FOUND: i64 = 404;
    pub const INVALID_WEBHOOK_URL: i64 = 93000;
    pub const MEDIA_MD5_NOT_MATCH: i64 = 301019;
}

/// Why a request is refused: the errcode and the text before WeCom's suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub code: i64,
    pub text: String,
}

impl Reject {
    pub fn new(code: i64, text: impl Into<String>) -> Reject {
        Reject {
            code,
            text: text.into(),
        }
    }
}

/// The errmsg of a refusal, in WeCom's wording:
/// `<text>, hint: [sandbox-N], from ip: IP, more info at https://open.work.weixin.qq.com/devtool/query?e=CODE`.
pub fn errmsg(reject: &Reject, hint: u64, ip: IpAddr) -> String {
    format!(
        "{}, hint: [sandbox-{hint}], from ip: {ip}, more info at https://open.work.weixin.qq.com/devtool/query?e={}",
        reject.text, reject.code
    )
}

/// `{"errcode":N,"errmsg":"…"}` with HTTP 200, as WeCom answers errors.
pub fn error_body(code: i64, errmsg: String) -> Value {
    json!({ "errcode": code, "errmsg": errmsg })
}

/// `{"errcode":0,"errmsg":"ok"}`, the answer to an accepted message.
pub fn ok_body() -> Value {
    json!({ "errcode": errcode::OK, "errmsg": "ok" })
}

/// A JSON answer with HTTP 200.
pub fn respond(body: Value) -> Response {
    Json(body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errmsg_has_wecom_suffix() {
        let r = Reject::new(93000, "invalid webhook url");
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(
            errmsg(&r, 7, ip),
            "invalid webhook url, hint: [sandbox-7], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=93000"
        );
    }
}
