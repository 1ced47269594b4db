//! Pictures in the preview: the image message's picture, news `picurl`,
//! `card_image.url`, `image_text_area.image_url` and `source.icon_url`,
//! drawn with `ratatui-image` where the WeCom client shows them.
//!
//! Why a service with its own threads: decoding a photo takes tens of
//! milliseconds and fetching one takes up to [`fetch::TIMEOUT`], while a
//! frame must draw in a couple of milliseconds. So drawing only ever asks
//! [`Pictures::get`], which answers at once from what is ready (or says
//! the picture is on its way, or why it cannot be shown) and, the first
//! time, queues the work. A worker thread decodes each picture once and
//! encodes it once per size; remote pictures are fetched concurrently on a
//! second thread, through the cache on disk of [`fetch`]. When something
//! becomes ready the `wake` callback asks the front end to draw again.
//!
//! This module knows nothing of the composer: it maps a picture and a size
//! in cells to a [`Protocol`] that `ratatui_image::Image` draws.

pub mod fetch;

use std::collections::{HashMap, VecDeque};
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};

pub use fetch::Unavailable;

/// Where a picture comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PictureRef {
    /// A file on this machine (the image message's picture).
    File(PathBuf),
    /// A link (the pictures of news and cards).
    Url(String),
}

/// How a picture fills its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fit {
    /// The whole picture, as large as fits, its proportions kept (the
    /// image message).
    Contain,
    /// The box filled, the picture cropped to the box's proportions, as the
    /// client shows a card's picture at its `aspect_ratio`.
    Cover,
}

/// What [`Pictures::get`] has for a picture at a size.
#[derive(Clone)]
pub enum Shown {
    /// Ready to draw with [`draw`].
    Ready(Arc<Protocol>),
    /// Being read, fetched or encoded.
    Loading,
    /// Cannot be shown, and why ("not fetched: connection refused").
    Unavailable(Unavailable),
}

/// Settings of the picture service.
#[derive(Clone, Debug)]
pub struct Options {
    /// Whether links are fetched at all (`WECOM_REMOTE_PICTURES=off` turns it off):
    /// someone previewing confidential cards may not want their picture
    /// hosts to see each preview.
    pub remote: bool,
    /// Where fetched pictures are cached.
    pub cache_dir: PathBuf,
}

/// At most this many encoded pictures are kept (one per picture and size:
/// resizing the terminal makes new sizes), and this many decoded ones.
const KEEP_ENCODED: usize = 64;
const KEEP_DECODED: usize = 32;
/// A decoded picture is shrunk to at most this many pixels on its long
/// side: no terminal shows more, and it bounds memory and encoding time.
const MAX_SIDE: u32 = 2048;

type Key = (PictureRef, Size, Fit);

#[derive(Default)]
struct State {
    encoded: HashMap<Key, Shown>,
    encoded_order: VecDeque<Key>,
}

enum Job {
    Encode(Key),
    Fetched(String, Result<Vec<u8>, Unavailable>),
}

/// The picture service: one per front end, shared by every frame.
pub struct Pictures {
    state: Arc<Mutex<State>>,
    jobs: mpsc::Sender<Job>,
    protocol: ProtocolType,
}

impl Pictures {
    /// Starts the service. `picker` says how pictures are drawn (see
    /// [`detect`]); `wake` is called from a worker thread whenever a
    /// picture became ready or unavailable.
    pub fn new(picker: Picker, options: Options, wake: Arc<dyn Fn() + Send + Sync>) -> Pictures {
        let state = Arc::new(Mutex::new(State::default()));
        let (jobs, inbox) = mpsc::channel();
        let protocol = picker.protocol_type();
        let worker = Worker {
            picker,
            options,
            state: state.clone(),
            wake,
            jobs: jobs.clone(),
            decoded: HashMap::new(),
            decoded_order: VecDeque::new(),
            waiting: HashMap::new(),
            fetches: None,
        };
        let spawned = std::thread::Builder::new()
            .name("pictures".to_owned())
            .spawn(move || worker.run(inbox));
        if let Err(e) = spawned {
            tracing::warn!("pictures will not be shown: no worker thread: {e}");
        }
        Pictures {
            state,
            jobs,
            protocol,
        }
    }

    /// How pictures are drawn: half blocks, Kitty, Sixel or iTerm2.
    pub fn protocol(&self) -> ProtocolType {
        self.protocol
    }

    /// The picture at `size` cells, without waiting: queued the first time
    /// it is asked for.
    pub fn get(&self, picture: &PictureRef, size: Size, fit: Fit) -> Shown {
        if size.width == 0 || size.height == 0 {
            return Shown::Loading;
        }
        let key = (picture.clone(), size, fit);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(shown) = state.encoded.get(&key) {
            return shown.clone();
        }
        state.encoded.insert(key.clone(), Shown::Loading);
        state.encoded_order.push_back(key.clone());
        while state.encoded_order.len() > KEEP_ENCODED {
            if let Some(old) = state.encoded_order.pop_front() {
                state.encoded.remove(&old);
            }
        }
        drop(state);
        if self.jobs.send(Job::Encode(key)).is_err() {
            return Shown::Unavailable(Unavailable::WorkerStopped);
        }
        Shown::Loading
    }
}

/// Draws a ready picture into `area` (which should be the size it was
/// encoded for).
pub fn draw(picture: &Protocol, area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
    use ratatui::widgets::Widget;
    Image::new(picture).render(area, buf);
}

/// The best way this terminal can show pictures. Half blocks inside tmux
/// (its passthrough of graphics protocols is off by default and breaks
/// redraws) and whenever the terminal does not answer the query; else what
/// the terminal says it supports (Kitty, Sixel, iTerm2).
///
/// Call it after entering the alternate screen and raw mode, before
/// reading events: the query's answers arrive on standard input.
pub fn detect() -> Picker {
    use std::io::IsTerminal;
    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    if tmux || !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Picker::halfblocks();
    }
    Picker::from_query_stdio().unwrap_or_else(|e| {
        tracing::info!("pictures in half blocks: the terminal's graphics query failed: {e}");
        Picker::halfblocks()
    })
}

enum Decoded {
    Ready(Arc<DynamicImage>),
    Failed(Unavailable),
}

struct Worker {
    picker: Picker,
    options: Options,
    state: Arc<Mutex<State>>,
    wake: Arc<dyn Fn() + Send + Sync>,
    jobs: mpsc::Sender<Job>,
    decoded: HashMap<PictureRef, Decoded>,
    decoded_order: VecDeque<PictureRef>,
    /// Encodings waiting for a fetch, by URL.
    waiting: HashMap<String, Vec<Key>>,
    /// The fetch thread's inbox, started on the first remote picture.
    fetches: Option<tokio::sync::mpsc::UnboundedSender<String>>,
}

impl Worker {
    fn run(mut self, inbox: mpsc::Receiver<Job>) {
        while let Ok(job) = inbox.recv() {
            match job {
                Job::Encode(key) => self.encode(key),
                Job::Fetched(url, bytes) => {
                    let picture = PictureRef::Url(url.clone());
                    let decoded = bytes.and_then(|b| decode(&b));
                    self.remember(picture, decoded);
                    for key in self.waiting.remove(&url).unwrap_or_default() {
                        self.encode(key);
                    }
                }
            }
        }
    }

    fn encode(&mut self, key: Key) {
        let image = match self.decoded.get(&key.0) {
            Some(Decoded::Ready(image)) => image.clone(),
            Some(Decoded::Failed(why)) => {
                let why = why.clone();
                return self.publish(key, Shown::Unavailable(why));
            }
            None => match &key.0 {
                PictureRef::File(path) => {
                    let decoded = fetch::read_file(path).and_then(|b| decode(&b));
                    self.remember(key.0.clone(), decoded);
                    return self.encode(key);
                }
                PictureRef::Url(url) => {
                    if !self.options.remote {
                        let why = Unavailable::RemoteOff;
                        return self.publish(key, Shown::Unavailable(why));
                    }
                    let url = url.clone();
                    let first = !self.waiting.contains_key(&url);
                    self.waiting.entry(url.clone()).or_default().push(key);
                    if first {
                        self.fetch(url);
                    }
                    return;
                }
            },
        };
        let shown = match encode(&self.picker, &image, key.1, key.2) {
            Ok(p) => Shown::Ready(Arc::new(p)),
            Err(why) => Shown::Unavailable(why),
        };
        self.publish(key, shown);
    }

    fn remember(&mut self, picture: PictureRef, decoded: Result<DynamicImage, Unavailable>) {
        let value = match decoded {
            Ok(image) => Decoded::Ready(Arc::new(image)),
            Err(why) => Decoded::Failed(why),
        };
        self.decoded.insert(picture.clone(), value);
        self.decoded_order.push_back(picture);
        while self.decoded_order.len() > KEEP_DECODED {
            if let Some(old) = self.decoded_order.pop_front() {
                self.decoded.remove(&old);
            }
        }
    }

    fn publish(&self, key: Key, shown: Shown) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Only a picture still asked for is kept: one evicted meanwhile
        // would otherwise grow the map past its bound.
        if let Some(slot) = state.encoded.get_mut(&key) {
            *slot = shown;
            drop(state);
            (self.wake)();
        }
    }

    /// Hands `url` to the fetch thread, starting it the first time.
    fn fetch(&mut self, url: String) {
        if self.fetches.is_none() {
            self.fetches = self.start_fetches();
        }
        let sent = self
            .fetches
            .as_ref()
            .is_some_and(|tx| tx.send(url.clone()).is_ok());
        if !sent {
            let _ = self
                .jobs
                .send(Job::Fetched(url, Err(Unavailable::NoFetchThread)));
        }
    }

    fn start_fetches(&self) -> Option<tokio::sync::mpsc::UnboundedSender<String>> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let back = self.jobs.clone();
        let dir = self.options.cache_dir.clone();
        let spawned = std::thread::Builder::new()
            .name("picture-fetch".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::warn!("remote pictures will not be fetched: {e}");
                        return;
                    }
                };
                runtime.block_on(async move {
                    let fetcher = match fetch::Fetcher::new(dir) {
                        Ok(f) => Arc::new(f),
                        Err(e) => {
                            while let Some(url) = rx.recv().await {
                                let _ = back.send(Job::Fetched(url, Err(e.clone())));
                            }
                            return;
                        }
                    };
                    let mut tasks = tokio::task::JoinSet::new();
                    while let Some(url) = rx.recv().await {
                        let fetcher = fetcher.clone();
                        let back = back.clone();
                        tasks.spawn(async move {
                            let got = fetcher.get(&url).await;
                            let _ = back.send(Job::Fetched(url, got));
                        });
                        while tasks.try_join_next().is_some() {}
                    }
                });
            });
        spawned.ok().map(|_| tx)
    }
}

/// Decodes a picture, refusing what would take too much memory, and
/// shrinks a large one to [`MAX_SIDE`].
fn decode(bytes: &[u8]) -> Result<DynamicImage, Unavailable> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Unavailable::NotAPicture(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    if reader.format().is_none() {
        return Err(Unavailable::UnknownFormat);
    }
    let image = reader
        .decode()
        .map_err(|e| Unavailable::NotAPicture(e.to_string()))?;
    if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        return Ok(image.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle));
    }
    Ok(image)
}

/// Encodes `image` for the terminal at `size` cells.
fn encode(
    picker: &Picker,
    image: &DynamicImage,
    size: Size,
    fit: Fit,
) -> Result<Protocol, Unavailable> {
    let font = picker.font_size();
    let px_w = u32::from(size.width) * u32::from(font.width);
    let px_h = u32::from(size.height) * u32::from(font.height);
    let image = match fit {
        Fit::Cover => image.resize_to_fill(px_w, px_h, image::imageops::FilterType::Triangle),
        Fit::Contain => image.resize(px_w, px_h, image::imageops::FilterType::Triangle),
    };
    picker
        .new_protocol(image, size, Resize::Fit(None))
        .map_err(|e| Unavailable::CannotBeDrawn(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn service(remote: bool) -> (Pictures, mpsc::Receiver<()>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        });
        let options = Options {
            remote,
            cache_dir: dir.path().join("pictures"),
        };
        (Pictures::new(Picker::halfblocks(), options, wake), rx, dir)
    }

    fn settled(p: &Pictures, wakes: &mpsc::Receiver<()>, r: &PictureRef, size: Size) -> Shown {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match p.get(r, size, Fit::Cover) {
                Shown::Loading if Instant::now() < deadline => {
                    let _ = wakes.recv_timeout(Duration::from_millis(200));
                }
                other => return other,
            }
        }
    }

    #[test]
    fn a_local_picture_is_ready_after_a_wake_and_a_bad_one_says_why() {
        let (p, wakes, dir) = service(false);
        let sample = PictureRef::File(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/sample.png"
        )));
        let size = Size::new(20, 6);
        assert!(matches!(p.get(&sample, size, Fit::Cover), Shown::Loading));
        assert!(matches!(
            settled(&p, &wakes, &sample, size),
            Shown::Ready(_)
        ));

        let junk = dir.path().join("junk.png");
        std::fs::write(&junk, b"this is not a png").unwrap();
        match settled(&p, &wakes, &PictureRef::File(junk), size) {
            Shown::Unavailable(why) => assert!(
                matches!(
                    why,
                    Unavailable::UnknownFormat | Unavailable::NotAPicture(_)
                ),
                "{why:?}"
            ),
            _ => panic!("junk was not refused"),
        }
    }

    #[test]
    fn links_are_not_fetched_when_remote_pictures_are_off() {
        let (p, wakes, _dir) = service(false);
        let url = PictureRef::Url("http://127.0.0.1:9/a.png".to_owned());
        match settled(&p, &wakes, &url, Size::new(10, 4)) {
            Shown::Unavailable(why) => assert_eq!(why, Unavailable::RemoteOff),
            _ => panic!("fetched although remote pictures are off"),
        }
    }

    #[test]
    fn a_refused_connection_is_named_in_the_placeholder() {
        let (p, wakes, _dir) = service(true);
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = PictureRef::Url(format!("http://127.0.0.1:{port}/a.png"));
        match settled(&p, &wakes, &url, Size::new(10, 4)) {
            Shown::Unavailable(why) => {
                assert_eq!(
                    why,
                    Unavailable::NotFetched(fetch::NotFetched::ConnectionRefused)
                );
                let english = crate::i18n::in_language(crate::i18n::Lang::En, || why.to_string());
                assert_eq!(english, "not fetched: connection refused");
                let chinese = crate::i18n::in_language(crate::i18n::Lang::ZhCn, || why.to_string());
                assert_eq!(chinese, "未获取：连接被拒绝");
            }
            _ => panic!("a refused connection gave a picture"),
        }
    }
}
