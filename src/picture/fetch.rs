//! Getting a picture's bytes: from a local file, or from a URL through a
//! cache on disk.
//!
//! Why a cache by URL: a card's `card_image.url` is drawn on every frame
//! the card is visible and on every start of the composer; fetching it each
//! time would be slow and would hit the picture's host for nothing. The
//! cache is a directory of files named by the SHA-256 of the URL (the URL
//! itself may hold a token, so it is not the name); each is 0600 in a 0700
//! directory. A cached copy is used for [`FRESH_FOR`]; after that it is
//! fetched again, and the stale copy is used when that fails.
//!
//! Every failure is a [`Unavailable`] that says why in a few words, because
//! the preview shows it where the picture would be.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::paths;

/// The most a picture may weigh, fetched or read: WeCom's own image limit is
/// 2 MB, and a card picture far bigger than that is not worth the memory.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How long a fetch may take, connecting included: the preview must not
/// wait long for a host that is down.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How long a cached copy is used before it is fetched again.
pub const FRESH_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// Why a picture cannot be shown. Kept as a reason, not a sentence: it is
/// made on a worker thread and cached, and is put in words (the current
/// language's, `picture.*`) each time a placeholder is drawn, so switching
/// the language switches it too. The texts it carries came from elsewhere
/// (a decoder's or the system's reason) and are made one safe line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// This front end draws no pictures.
    NotHere,
    /// The worker thread that encodes pictures is gone.
    WorkerStopped,
    /// Links are not fetched (`WECOM_REMOTE_PICTURES=off`).
    RemoteOff,
    /// No thread to fetch links on.
    NoFetchThread,
    /// No HTTP client could be made.
    NoHttpClient(String),
    /// The file is not there.
    NoSuchFile,
    /// The file may not be read.
    PermissionDenied,
    /// Reading the file failed otherwise (the system's reason).
    Io(String),
    /// Larger than the cap of this many MiB; `fetched` when it was a link.
    TooLarge { mib: u64, fetched: bool },
    /// The bytes are no picture format this app can read.
    UnknownFormat,
    /// The decoder refused the bytes (its reason).
    NotAPicture(String),
    /// The terminal's picture protocol could not take it (its reason).
    CannotBeDrawn(String),
    /// A link was not fetched.
    NotFetched(NotFetched),
}

/// Why a link was not fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotFetched {
    InvalidLink,
    NotHttp,
    NoHost,
    Http(u16),
    NoAnswerWithin(u64),
    ConnectionRefused,
    ConnectionReset,
    ConnectionTimedOut,
    CouldNotConnect,
    TooManyRedirects,
    BrokeOff,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::untrusted::one_line;
        let text = match self {
            Unavailable::NotHere => crate::tr!("picture.not_here"),
            Unavailable::WorkerStopped => crate::tr!("picture.worker_stopped"),
            Unavailable::RemoteOff => crate::tr!("picture.remote_off"),
            Unavailable::NoFetchThread => crate::tr!("picture.no_fetch_thread"),
            Unavailable::NoHttpClient(why) => {
                crate::tr!("picture.no_http_client", why = one_line(why))
            }
            Unavailable::NoSuchFile => crate::tr!("picture.no_such_file"),
            Unavailable::PermissionDenied => crate::tr!("picture.permission_denied"),
            Unavailable::Io(why) => one_line(why).into_owned().into(),
            Unavailable::TooLarge {
                mib,
                fetched: false,
            } => crate::tr!("picture.too_large", mib = mib),
            Unavailable::TooLarge { mib, fetched: true } => crate::tr!(
                "picture.not_fetched",
                why = crate::tr!("picture.too_large", mib = mib)
            ),
            Unavailable::UnknownFormat => crate::tr!("picture.unknown_format"),
            Unavailable::NotAPicture(why) => {
                crate::tr!("picture.not_a_picture", why = one_line(why))
            }
            Unavailable::CannotBeDrawn(why) => {
                crate::tr!("picture.cannot_be_drawn", why = one_line(why))
            }
            Unavailable::NotFetched(why) => {
                let why = match why {
                    NotFetched::InvalidLink => crate::tr!("picture.invalid_link"),
                    NotFetched::NotHttp => crate::tr!("picture.not_http"),
                    NotFetched::NoHost => crate::tr!("picture.no_host"),
                    NotFetched::Http(status) => crate::tr!("picture.http", status = status),
                    NotFetched::NoAnswerWithin(secs) => {
                        crate::tr!("picture.no_answer_within", secs = secs)
                    }
                    NotFetched::ConnectionRefused => crate::tr!("picture.connection_refused"),
                    NotFetched::ConnectionReset => crate::tr!("picture.connection_reset"),
                    NotFetched::ConnectionTimedOut => crate::tr!("picture.connection_timed_out"),
                    NotFetched::CouldNotConnect => crate::tr!("picture.could_not_connect"),
                    NotFetched::TooManyRedirects => crate::tr!("picture.too_many_redirects"),
                    NotFetched::BrokeOff => crate::tr!("picture.broke_off"),
                };
                crate::tr!("picture.not_fetched", why = why)
            }
        };
        f.write_str(&text)
    }
}

/// Reads a local picture, refusing one over [`MAX_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, Unavailable> {
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    read_capped(file).map_err(|e| match e {
        Capped::TooBig => Unavailable::TooLarge {
            mib: MAX_BYTES >> 20,
            fetched: false,
        },
        Capped::Io(e) => io_reason(&e),
    })
}

enum Capped {
    TooBig,
    Io(std::io::Error),
}

fn read_capped(reader: impl Read) -> Result<Vec<u8>, Capped> {
    let mut out = Vec::new();
    reader
        .take(MAX_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(Capped::Io)?;
    if out.len() as u64 > MAX_BYTES {
        return Err(Capped::TooBig);
    }
    Ok(out)
}

fn io_reason(e: &std::io::Error) -> Unavailable {
    match e.kind() {
        std::io::ErrorKind::NotFound => Unavailable::NoSuchFile,
        std::io::ErrorKind::PermissionDenied => Unavailable::PermissionDenied,
        _ => Unavailable::Io(e.to_string()),
    }
}

/// Fetches pictures over HTTP(S) into a cache directory.
pub struct Fetcher {
    dir: PathBuf,
    /// Honours the proxy environment variables, for the picture hosts out
    /// on the internet.
    client: reqwest::Client,
    /// Without a proxy, for pictures on this machine (a proxy would not
    /// reach 127.0.0.1).
    local: reqwest::Client,
}

impl Fetcher {
    /// A fetcher caching in `dir` (created 0700 on the first fetch).
    pub fn new(dir: PathBuf) -> Result<Fetcher, Unavailable> {
        let build = |proxy: bool| {
            let b = reqwest::Client::builder()
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                // A redirect is followed a few times: picture hosts use them.
                .redirect(reqwest::redirect::Policy::limited(5));
            let b = if proxy { b } else { b.no_proxy() };
            b.build()
                .map_err(|e| Unavailable::NoHttpClient(e.to_string()))
        };
        Ok(Fetcher {
            dir,
            client: build(true)?,
            local: build(false)?,
        })
    }

    /// Where the copy of `url` is kept.
    pub fn cache_path(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        self.dir.join(format!("{}.bin", hex::encode(digest)))
    }

    /// The picture at `url`: the cached copy while it is fresh, else
    /// fetched (and cached); a stale copy when fetching fails.
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, Unavailable> {
        let path = self.cache_path(url);
        let cached = std::fs::metadata(&path).ok().map(|m| {
            let age = m
                .modified()
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .unwrap_or_default();
            age < FRESH_FOR
        });
        if cached == Some(true)
            && let Ok(bytes) = read_file(&path)
        {
            return Ok(bytes);
        }
        match self.fetch(url).await {
            Ok(bytes) => {
                self.keep(&path, &bytes);
                Ok(bytes)
            }
            Err(e) => match cached {
                Some(false) => read_file(&path).map_err(|_| e),
                _ => Err(e),
            },
        }
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, Unavailable> {
        let parsed =
            url::Url::parse(url).map_err(|_| Unavailable::NotFetched(NotFetched::InvalidLink))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Unavailable::NotFetched(NotFetched::NotHttp));
        }
        let local = match parsed.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => return Err(Unavailable::NotFetched(NotFetched::NoHost)),
        };
        let client = if local { &self.local } else { &self.client };
        let mut answer = client
            .get(parsed)
            .send()
            .await
            .map_err(|e| fetch_reason(&e))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(Unavailable::NotFetched(NotFetched::Http(status.as_u16())));
        }
        let too_big = || Unavailable::TooLarge {
            mib: MAX_BYTES >> 20,
            fetched: true,
        };
        if answer.content_length().is_some_and(|n| n > MAX_BYTES) {
            return Err(too_big());
        }
        let mut out = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| fetch_reason(&e))? {
            out.extend_from_slice(&chunk);
            if out.len() as u64 > MAX_BYTES {
                return Err(too_big());
            }
        }
        Ok(out)
    }

    /// Writes the cache file; a failure only costs a fetch next time.
    fn keep(&self, path: &Path, bytes: &[u8]) {
        use std::io::Write;
        if paths::create_private_dir(&self.dir).is_err() {
            return;
        }
        let tmp = path.with_extension("part");
        let written = paths::private_file_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .and_then(|mut f| f.write_all(bytes));
        if written.is_err() || std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// A fetch error in a few words: the kind of failure, not reqwest's chain.
fn fetch_reason(e: &reqwest::Error) -> Unavailable {
    if e.is_timeout() {
        return Unavailable::NotFetched(NotFetched::NoAnswerWithin(TIMEOUT.as_secs()));
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let what = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => Some(NotFetched::ConnectionRefused),
                std::io::ErrorKind::ConnectionReset => Some(NotFetched::ConnectionReset),
                std::io::ErrorKind::TimedOut => Some(NotFetched::ConnectionTimedOut),
                _ => None,
            };
            if let Some(what) = what {
                return Unavailable::NotFetched(what);
            }
        }
        source = s.source();
    }
    if e.is_connect() {
        return Unavailable::NotFetched(NotFetched::CouldNotConnect);
    }
    if e.is_redirect() {
        return Unavailable::NotFetched(NotFetched::TooManyRedirects);
    }
    Unavailable::NotFetched(NotFetched::BrokeOff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_cap_is_refused_with_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        std::fs::write(&path, vec![0u8; (MAX_BYTES + 1) as usize]).unwrap();
        let too_large = read_file(&path).unwrap_err();
        assert_eq!(
            too_large,
            Unavailable::TooLarge {
                mib: 10,
                fetched: false
            }
        );
        let missing = read_file(&dir.path().join("missing.png")).unwrap_err();
        assert_eq!(missing, Unavailable::NoSuchFile);
        crate::i18n::in_language(crate::i18n::Lang::En, || {
            assert_eq!(too_large.to_string(), "larger than 10 MiB");
            assert_eq!(missing.to_string(), "no such file");
        });
        crate::i18n::in_language(crate::i18n::Lang::ZhCn, || {
            assert_eq!(too_large.to_string(), "超过 10 MiB");
            assert_eq!(missing.to_string(), "没有这个文件");
        });
    }

    #[test]
    fn the_cache_is_named_by_a_digest_not_by_the_url() {
        let f = Fetcher::new(PathBuf::from("/tmp/cache")).unwrap();
        let p = f.cache_path("https://example.invalid/a.png?token=secret");
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains("secret"), "{name}");
        assert_eq!(name.len(), 64 + 4);
    }
}

#[cfg(test)]
mod http_tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    /// A one-shot server on 127.0.0.1 that answers each connection with
    /// `body` and counts the connections.
    fn serve(body: Vec<u8>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/pic.png?token=abc",
            listener.local_addr().unwrap()
        );
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 2048];
                let _ = std::io::Read::read(&mut stream, &mut buf);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        (url, hits)
    }

    #[tokio::test]
    async fn a_fetched_picture_is_cached_privately_and_not_fetched_again() {
        let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png")).unwrap();
        let (url, hits) = serve(png.clone());
        let dir = tempfile::tempdir().unwrap();
        let fetcher = Fetcher::new(dir.path().join("pictures")).unwrap();
        assert_eq!(fetcher.get(&url).await.unwrap(), png);
        assert_eq!(fetcher.get(&url).await.unwrap(), png);
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
        let path = fetcher.cache_path(&url);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(dir.path().join("pictures"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_refused() {
        let (url, _) = serve(vec![0u8; (MAX_BYTES + 10) as usize]);
        let dir = tempfile::tempdir().unwrap();
        let fetcher = Fetcher::new(dir.path().join("pictures")).unwrap();
        let refused = fetcher.get(&url).await.unwrap_err();
        assert_eq!(
            crate::i18n::in_language(crate::i18n::Lang::En, || refused.to_string()),
            "not fetched: larger than 10 MiB"
        );
        assert!(!fetcher.cache_path(&url).exists());
    }
}
