#!/usr/bin/env bash
# The store's cost as whole processes, on the sandbox on 127.0.0.1:
#  1. `wecom send` (outbox and history included) next to curl posting the
#     same JSON (target: at most 1.3x curl);
#  2. `wecom history --limit 50` and `--grep` with 100,000 entries (targets:
#     50 ms and 100 ms), and the database size.
# Timed with a plain loop (median of RUNS runs, default 50), so only python3
# and curl are needed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-50}
. benches/sandbox_env.sh

median() { # median wall time in ms of RUNS runs of "$@"
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
for _ in range(3):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.2f}")
PY
}

# Interleaved (one of each in turn), so a change in the machine's load
# falls on all three alike; --no-queue is the same send without the store.
python3 - "$RUNS" "$BIN" "$JSON" "$URL" <<'PY'
import statistics, subprocess, sys, time
runs, b, j, u = int(sys.argv[1]), *sys.argv[2:5]
cmds = {
    "wecom send": [b, "send", "-r", "bench", "--text", "deploy done", "-q"],
    "wecom send --no-queue": [b, "send", "-r", "bench", "--text", "deploy done", "-q", "--no-queue"],
    "curl": ["curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json", "-d", j, u],
}
times = {k: [] for k in cmds}
for i in range(runs + 3):
    for k, c in cmds.items():
        t = time.perf_counter()
        subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if i >= 3:
            times[k].append((time.perf_counter() - t) * 1000)
m = {k: statistics.median(v) for k, v in times.items()}
print(f"wecom send: {m['wecom send']:.2f} ms   --no-queue: {m['wecom send --no-queue']:.2f} ms   curl: {m['curl']:.2f} ms")
print(f"ratio to curl: {m['wecom send'] / m['curl']:.2f}   the store adds: {m['wecom send'] - m['wecom send --no-queue']:.2f} ms")
PY

python3 - "$WECOM_DATA_DIR/wecom.db" <<'PY'
import json, random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
words = ["部署完成", "CPU告警", "backup done", "disk usage", "release 1.2", "数据库备份"]
rows = []
for i in range(100_000):
    content = f"{random.choice(words)} #{i} " + "x" * random.randint(10, 200)
    payload = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False)
    rows.append((now - (100_000 - i) * 1000, "bench", "f" * 64, "text", payload, "sent", 0, "ok", 3, 0, 1))
db.executemany("INSERT INTO history (time_ms, robot_name, robot, msgtype, payload, status, errcode, errmsg, elapsed_ms, waited_ms, attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
PY
echo "history entries: $(sqlite3 "$WECOM_DATA_DIR/wecom.db" 'SELECT COUNT(*) FROM history')   database: $(du -k "$WECOM_DATA_DIR/wecom.db" | cut -f1) KiB"
echo "wecom history --limit 50: $(median "$BIN" history --limit 50) ms"
echo "wecom history --grep 'release 1.2' --limit 50: $(median "$BIN" history --grep 'release 1.2' --limit 50) ms"
echo "wecom history --grep 'no such text': $(median "$BIN" history --grep 'no such text') ms"
echo "messages the sandbox accepted: $(wc -l <"$TMP/sent.jsonl")"
