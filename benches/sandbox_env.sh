# Sourced by the benchmark scripts: a private config and data directory, a
# sandbox on 127.0.0.1 with the rate limit lifted, a robot "bench" saved for
# it; sets BIN, TMP, URL, JSON and removes everything on exit.
BIN=${WECOM_BIN:-target/release/wecom}
[ -x "$BIN" ] || cargo build --release --bin wecom
TMP=$(mktemp -d)
export WECOM_CONFIG_DIR=$TMP/config WECOM_DATA_DIR=$TMP/data
# The shared rate ledger would pace 20 a minute; lift it for the benchmark.
export WECOM_RATE_LIMIT=100000000
"$BIN" sandbox --port 0 --rate-limit 100000000 --record "$TMP/sent.jsonl" >"$TMP/sandbox.out" 2>&1 &
SANDBOX=$!
trap 'kill $SANDBOX 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do grep -q '^Demo webhook' "$TMP/sandbox.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^Demo webhook: //p' "$TMP/sandbox.out")
echo "$URL" | "$BIN" robots add bench - 2>/dev/null
JSON='{"msgtype":"text","text":{"content":"deploy done"}}'
