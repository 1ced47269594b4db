#!/usr/bin/env bash
# A bounded load test of `wecom serve` with the sandbox behind it, all on
# 127.0.0.1: wrk posts seed 000's JSON for DURATION seconds (default 10) over
# CONNECTIONS connections (default 32), then the requests wrk saw answered
# are compared with the messages the sandbox received. Needs wrk (Debian:
# apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${WECOM_BIN:-target/release/wecom}
[ -x "$BIN" ] || cargo build --release --bin wecom
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }

TMP=$(mktemp -d)
export WECOM_CONFIG_DIR=$TMP/config WECOM_DATA_DIR=$TMP/data
"$BIN" sandbox --port 0 --rate-limit 100000000 --record "$TMP/sent.jsonl" >"$TMP/sandbox.out" 2>&1 &
SANDBOX=$!
trap 'kill $SANDBOX ${RELAY:-} 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do grep -q '^Demo webhook' "$TMP/sandbox.out" 2>/dev/null && break; sleep 0.05; done
sed -n 's/^Demo webhook: //p' "$TMP/sandbox.out" | "$BIN" robots add load - 2>/dev/null
CODE=$("$BIN" robots code load 2>/dev/null)
WECOM_RATE_LIMIT=100000000 "$BIN" serve --listen 127.0.0.1:0 >"$TMP/relay.out" 2>"$TMP/relay.log" &
RELAY=$!
for _ in $(seq 100); do grep -q '^Relay listening' "$TMP/relay.out" 2>/dev/null && break; sleep 0.05; done
BASE=$(sed -n 's/^Relay listening on //p' "$TMP/relay.out")
cat >"$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "服务器告警", "content": "CPU使用率超过90%,请及时处理!"}'
LUA
BEFORE=$(wc -l <"$TMP/sent.jsonl")
wrk -t2 -c"${CONNECTIONS:-32}" -d"${DURATION:-10}s" --latency -s "$TMP/post.lua" "$BASE/api/notify/$CODE" | tee "$TMP/wrk.out"
sleep 0.5
AFTER=$(wc -l <"$TMP/sent.jsonl")
ANSWERED=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
NON2XX=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.out")
echo "wrk counted $ANSWERED answers (${NON2XX:-0} not 2xx); the sandbox received $((AFTER - BEFORE)) messages"
if grep -q "$CODE" "$TMP/relay.log"; then echo "the code appeared in the relay's log" >&2; exit 1; fi
