# Sourced by the benchmark scripts: a private config and data directory, a
# sandbox on 127.0.0.1 with the rate limit lifted, a robot ($ROBOT, default
# "bench") saved for it; sets BIN, TMP, URL, JSON and removes everything on
# exit. RECORD says where the sandbox records (default $TMP/sent.jsonl; the
# soak tests give /dev/null so the disk does not fill). `start_relay [ARGS]`
# starts `wecom serve` on a free port too and sets RELAY (its pid) and BASE.
BIN=${WECOM_BIN:-target/release/wecom}
[ -x "$BIN" ] || cargo build --release --bin wecom
# The scripts read the sandbox's and the relay's start-up lines, which are
# English only in an English locale.
export LC_ALL=C.UTF-8
TMP=$(mktemp -d)
export WECOM_CONFIG_DIR=$TMP/config WECOM_DATA_DIR=$TMP/data
# The shared rate ledger would pace 20 a minute; lift it for the benchmark.
export WECOM_RATE_LIMIT=100000000
"$BIN" sandbox --port 0 --rate-limit 100000000 --record "${RECORD:-$TMP/sent.jsonl}" >"$TMP/sandbox.out" 2>&1 &
SANDBOX=$!
trap 'kill $SANDBOX ${RELAY:-} 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do grep -q '^Demo webhook' "$TMP/sandbox.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^Demo webhook: //p' "$TMP/sandbox.out")
echo "$URL" | "$BIN" robots add "${ROBOT:-bench}" - 2>/dev/null
JSON='{"msgtype":"text","text":{"content":"deploy done"}}'

needs_wrk() {
  command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
}

start_relay() {
  "$BIN" serve --listen 127.0.0.1:0 "$@" >"$TMP/relay.out" 2>"$TMP/relay.log" &
  RELAY=$!
  for _ in $(seq 100); do grep -q '^Relay listening' "$TMP/relay.out" 2>/dev/null && break; sleep 0.05; done
  BASE=$(sed -n 's/^Relay listening on //p' "$TMP/relay.out")
}
