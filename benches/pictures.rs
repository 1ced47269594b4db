//! Pictures in the preview: drawing a decoded picture into a frame (the
//! target: at most 2 ms a frame once decoded, so a card with a picture
//! scrolls as smoothly as one without), and the one-off cost of encoding
//! it for a size, which the picture worker pays off the UI thread.
//!
//! Run with `cargo bench --bench pictures`.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use divan::{Bencher, black_box};
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui_image::picker::Picker;
use wecom_composer::picture::{Fit, Options, PictureRef, Pictures, Shown, draw};

fn main() {
    divan::main();
}

fn sample() -> PictureRef {
    PictureRef::File(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/sample.png"
    )))
}

/// A service with `picture` ready at `size`, and its encoded protocol.
fn ready(size: Size) -> (Pictures, Shown) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        let _ = tx.lock().map(|t| t.send(()));
    });
    let dir = std::env::temp_dir().join("wecom-bench-pictures");
    let pictures = Pictures::new(
        Picker::halfblocks(),
        Options {
            remote: false,
            cache_dir: dir,
        },
        wake,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match pictures.get(&sample(), size, Fit::Cover) {
            Shown::Loading if Instant::now() < deadline => {
                let _ = rx.recv_timeout(Duration::from_millis(100));
            }
            shown => return (pictures, shown),
        }
    }
}

/// One frame's work for a card picture 56×14 cells (a wide preview pane):
/// the lookup and the draw.
#[divan::bench]
fn draw_a_ready_picture(bencher: Bencher) {
    let size = Size::new(56, 14);
    let (pictures, _) = ready(size);
    let area = Rect::new(0, 0, 60, 20);
    bencher.bench_local(|| {
        let mut buf = Buffer::empty(area);
        if let Shown::Ready(p) = pictures.get(&sample(), size, Fit::Cover) {
            draw(&p, Rect::new(2, 3, size.width, size.height), &mut buf);
        }
        black_box(buf)
    });
}

/// The worker's one-off cost per picture and size: decode and encode.
#[divan::bench(sample_count = 10)]
fn decode_and_encode_once(bencher: Bencher) {
    let mut n = 0u16;
    bencher.bench_local(|| {
        n += 1;
        // A new size each time, so nothing is served from the cache.
        black_box(ready(Size::new(40 + n % 30, 10)).1.clone())
    });
}
