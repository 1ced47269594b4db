#!/usr/bin/env bash
# A soak test of `wecom sandbox`, all on 127.0.0.1, in two phases of
# DURATION seconds each (default 120):
#   1. sends: wrk posts a text message over CONNECTIONS connections (default
#      16); requests/s and p99 from wrk, the sandbox's RSS at 0/30/60/120 s;
#   2. uploads: wrk posts a 64-byte multipart file upload, in 10 s rounds,
#      so the rate of the first and the last 10 s can be compared (it must
#      not fall as media_ids pile up), with RSS at the end.
# Targets (issue 18): RSS after the sends <= 64 MB; upload rate in the last
# 10 s >= 80 % of the first 10 s. Exits non-zero when one is missed.
# Records go to RECORD (default /dev/null, so the disk does not fill; give a
# file to include the cost of writing it). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-120}
CONNECTIONS=${CONNECTIONS:-16}
RECORD=${RECORD:-/dev/null}
. benches/sandbox_env.sh
needs_wrk
SEND_URL=$URL
BASE=${SEND_URL%%/cgi-bin/*}
UPLOAD_URL="$BASE/cgi-bin/webhook/upload_media?key=wecom-sandbox-demo-key&type=file"

rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SANDBOX/status"; }

cat >"$TMP/send.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"msgtype":"text","text":{"content":"soak: deploy of build 1234 finished, all checks green"}}'
LUA
cat >"$TMP/upload.lua" <<'LUA'
local boundary = "soakboundary0001"
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n"
  .. 'Content-Disposition: form-data; name="media"; filename="soak.txt"; filelength=64\r\n'
  .. "Content-Type: application/octet-stream\r\n\r\n"
  .. string.rep("x", 64) .. "\r\n--" .. boundary .. "--\r\n"
LUA

echo "== phase 1: ${DURATION} s of sends over $CONNECTIONS connections"
echo "RSS at 0 s: $(rss_mb) MB"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$TMP/send.lua" "$SEND_URL" >"$TMP/wrk-send.out" &
WRK=$!
for at in 30 60; do
  sleep 30
  echo "RSS at $at s: $(rss_mb) MB"
done
wait $WRK
SEND_RSS=$(rss_mb)
echo "RSS at $DURATION s: $SEND_RSS MB"
SEND_RATE=$(awk '/^Requests\/sec/ {print $2}' "$TMP/wrk-send.out")
SEND_P99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk-send.out")
SEND_ERRORS=$(awk '/Non-2xx|Socket errors/' "$TMP/wrk-send.out")
echo "sends: $SEND_RATE requests/s, p99 $SEND_P99 ${SEND_ERRORS:+($SEND_ERRORS)}"

echo "== phase 2: ${DURATION} s of uploads, in 10 s rounds"
ROUNDS=$((DURATION / 10))
FIRST="" LAST=""
for round in $(seq "$ROUNDS"); do
  wrk -t2 -c"$CONNECTIONS" -d10s --latency -s "$TMP/upload.lua" "$UPLOAD_URL" >"$TMP/wrk-upload.out"
  rate=$(awk '/^Requests\/sec/ {print $2}' "$TMP/wrk-upload.out")
  p99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk-upload.out")
  [ -n "$FIRST" ] || FIRST=$rate
  LAST=$rate
  echo "round $round: $rate uploads/s, p99 $p99, RSS $(rss_mb) MB"
done
UPLOAD_RSS=$(rss_mb)
echo "uploads: first 10 s $FIRST/s, last 10 s $LAST/s; RSS $UPLOAD_RSS MB"
if grep -q "^refused" "$TMP/sandbox.out"; then
  echo "the sandbox refused some requests:" >&2
  grep "^refused" "$TMP/sandbox.out" | head -5 >&2
fi

status=0
if awk -v rss="$SEND_RSS" 'BEGIN { exit !(rss > 64) }'; then
  echo "MISSED: RSS after the sends is $SEND_RSS MB (target <= 64 MB)" >&2
  status=1
fi
if awk -v first="$FIRST" -v last="$LAST" 'BEGIN { exit !(last < 0.8 * first) }'; then
  echo "MISSED: the last 10 s of uploads ran at $LAST/s, under 80 % of the first ($FIRST/s)" >&2
  status=1
fi
[ $status -eq 0 ] && echo "targets met: RSS <= 64 MB after the sends; last upload rate >= 80 % of the first"
exit $status
