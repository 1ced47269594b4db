#!/usr/bin/env bash
# `wecom send` as a whole process next to curl posting the same JSON, both
# to the sandbox on 127.0.0.1 (nothing leaves the machine). Needs hyperfine
# (Debian: apt-get install hyperfine). RUNS=N sets the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${WECOM_BIN:-target/release/wecom}
[ -x "$BIN" ] || cargo build --release --bin wecom
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install hyperfine" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl: apt-get install curl" >&2; exit 1; }

TMP=$(mktemp -d)
export WECOM_CONFIG_DIR=$TMP/config WECOM_DATA_DIR=$TMP/data
# The shared rate ledger would pace 20 a minute; lift it for the benchmark.
export WECOM_RATE_LIMIT=100000000
"$BIN" sandbox --port 0 --rate-limit 1000000 --record "$TMP/sent.jsonl" >"$TMP/sandbox.out" 2>&1 &
SANDBOX=$!
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do grep -q '^Demo webhook' "$TMP/sandbox.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^Demo webhook: //p' "$TMP/sandbox.out")
echo "$URL" | "$BIN" robots add bench - 2>/dev/null

JSON='{"msgtype":"text","text":{"content":"deploy done"}}'
"$BIN" send -r bench --text 'deploy done' --dry-run | grep -qxF "$JSON"   # the same body
hyperfine -N --warmup 10 --runs "${RUNS:-300}" \
  "$BIN send -r bench --text 'deploy done' -q" \
  "curl -s -o /dev/null -H 'Content-Type: application/json' -d '$JSON' '$URL'"
echo "messages the sandbox accepted: $(wc -l <"$TMP/sent.jsonl")"
