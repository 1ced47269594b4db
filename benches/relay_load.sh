#!/usr/bin/env bash
# A bounded load test of `wecom serve` with the sandbox behind it, all on
# 127.0.0.1: wrk posts seed 000's JSON for DURATION seconds (default 10) over
# CONNECTIONS connections (default 32), then the requests wrk saw answered
# are compared with the messages the sandbox received. Needs wrk (Debian:
# apt-get install wrk).
#
# API=batch posts seed 002's batch API instead: batches of BATCH messages
# (default 5) to the sandbox's demo robot, the link allowed with
# --allow-link-host; messages/s is then BATCH times the requests/s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROBOT=load
. benches/sandbox_env.sh
needs_wrk
CODE=$("$BIN" robots code load 2>/dev/null)
TOKEN=$("$BIN" tokens add load 2>/dev/null)
LINK=$URL
SANDBOX_HOST=$(echo "$LINK" | sed -E 's|^https?://([^/]+)/.*|\1|')
start_relay --allow-link-host "$SANDBOX_HOST"
API=${API:-notify}
BATCH=${BATCH:-5}
if [ "$API" = batch ]; then
  MESSAGES=$(for i in $(seq "$BATCH"); do printf '{"msgtype":"text","text":{"content":"这是要发送的消息 %s"}}\n' "$i"; done | paste -sd, -)
  BODY="{\"link\":\"$LINK\",\"data\":[$MESSAGES]}"
  URL="$BASE/api/v1/openapi/notification/wecom?access_token=$TOKEN"
  PER=$BATCH
else
  BODY='{"title": "服务器告警", "content": "CPU使用率超过90%,请及时处理!"}'
  URL="$BASE/api/notify/$CODE"
  PER=1
fi
# One request first: a refusal is shown instead of measured.
FIRST=$(curl -s -o "$TMP/first.json" -w '%{http_code}' -H 'Content-Type: application/json' --data "$BODY" "$URL")
[ "$FIRST" = 200 ] || { echo "the first request was answered $FIRST: $(cat "$TMP/first.json")" >&2; exit 1; }
cat >"$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$BODY]==]
LUA
BEFORE=$(wc -l <"$TMP/sent.jsonl")
wrk -t2 -c"${CONNECTIONS:-32}" -d"${DURATION:-10}s" --latency -s "$TMP/post.lua" "$URL" | tee "$TMP/wrk.out"
sleep 0.5
AFTER=$(wc -l <"$TMP/sent.jsonl")
ANSWERED=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
NON2XX=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.out")
RPS=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.out")
echo "$API: wrk counted $ANSWERED answers (${NON2XX:-0} not 2xx), $RPS requests/s = $(awk -v r="$RPS" -v p="$PER" 'BEGIN {printf "%.0f", r * p}') messages/s; the sandbox received $((AFTER - BEFORE)) messages"
for secret in "$CODE" "$TOKEN" "${LINK##*key=}"; do
  if grep -qF "$secret" "$TMP/relay.log"; then echo "a code, token or key appeared in the relay's log" >&2; exit 1; fi
done
