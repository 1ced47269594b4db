//! A 20 MiB upload must stream from disk: the peak memory of this process
//! (VmHWM) may grow by less than 8 MiB while it goes to the real sandbox.
//!
//! One test in its own process, so no other test's allocations count. Linux
//! only (reads /proc/self/status).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use url::Url;
use wecom_composer::wecom::client::{Client, ClientConfig};
use wecom_composer::wecom::media::MediaKind;
use wecom_composer::wecom::{Key, Webhook};

const SANDBOX_KEY: &str = "wecom-sandbox-demo-key";
const MIB: u64 = 1024 * 1024;
const FILE_BYTES: u64 = 20 * MIB;
const ALLOWED_GROWTH_KIB: u64 = 8 * 1024;

/// Kills the sandbox when the test ends, passed or failed.
struct SandboxGuard(Child);

impl Drop for SandboxGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `wecom sandbox --port 0` and returns it with its base URL, read from
/// the first stdout line. The rest of stdout keeps being drained so the
/// sandbox never writes into a closed pipe.
fn start_sandbox(record: &std::path::Path) -> (SandboxGuard, Url) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wecom"))
        .args(["sandbox", "--port", "0", "--record"])
        .arg(record)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the sandbox");
    let stdout = child.stdout.take().expect("sandbox stdout");
    let guard = SandboxGuard(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next();
        let _ = tx.send(first);
        for _ in lines {}
    });
    let line = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(Ok(line))) => line,
        other => panic!("the sandbox printed no first line: {other:?}"),
    };
    let url = line
        .strip_prefix("Sandbox listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    let url = Url::parse(url).unwrap_or_else(|e| panic!("bad URL in {line:?}: {e}"));
    (guard, url)
}

/// The peak resident set size of this process so far, in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Writes `bytes` bytes of varied content in 1 MiB pieces, so making the file
/// does not itself raise the peak.
fn write_file(path: &std::path::Path, bytes: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut piece = vec![0u8; MIB as usize];
    let mut written = 0;
    let mut n: u32 = 0;
    while written < bytes {
        for b in piece.iter_mut() {
            n = n.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *b = (n >> 24) as u8;
        }
        let take = (bytes - written).min(MIB) as usize;
        file.write_all(&piece[..take]).expect("write");
        written += take as u64;
    }
    file.flush().expect("flush");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mib_upload_streams_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_sandbox, base) = start_sandbox(&dir.path().join("r.jsonl"));
    let webhook = Webhook::new(&base, Key::new(SANDBOX_KEY).expect("sandbox key"));
    let client = Client::new(ClientConfig::default()).expect("client");

    let big = dir.path().join("big.bin");
    write_file(&big, FILE_BYTES);
    let small = dir.path().join("small.txt");
    write_file(&small, 64 * 1024);

    // Warm up: connection pool, runtime threads, allocator arenas.
    let warm = client
        .upload(
            &webhook,
            &small,
            MediaKind::File,
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("warm-up upload");
    assert!(!warm.media_id.is_empty());

    let before = vm_hwm_kib();
    let started = std::time::Instant::now();
    let uploaded = client
        .upload(
            &webhook,
            &big,
            MediaKind::File,
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("20 MiB upload");
    let took = started.elapsed();
    let after = vm_hwm_kib();

    let growth = after.saturating_sub(before);
    // A figure for the record, not a check: timing on a shared machine varies.
    eprintln!(
        "20 MiB uploaded in {:.0} ms: {:.0} MiB/s",
        took.as_secs_f64() * 1000.0,
        (FILE_BYTES / MIB) as f64 / took.as_secs_f64()
    );
    eprintln!(
        "VmHWM before {before} KiB, after {after} KiB, growth {growth} KiB for a {} KiB upload (limit {ALLOWED_GROWTH_KIB} KiB)",
        FILE_BYTES / 1024
    );
    assert!(!uploaded.media_id.is_empty());
    assert_eq!(uploaded.size, FILE_BYTES);
    assert_eq!(uploaded.kind, MediaKind::File);
    assert_eq!(uploaded.filename, "big.bin");
    assert!(
        growth < ALLOWED_GROWTH_KIB,
        "peak memory grew by {growth} KiB while uploading {} KiB",
        FILE_BYTES / 1024
    );
}
