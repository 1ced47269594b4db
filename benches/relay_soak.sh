#!/usr/bin/env bash
# A soak test of `wecom serve` (the relay) with the sandbox behind it, all on
# 127.0.0.1: wrk posts seed 000's notify JSON for DURATION seconds (default
# 120) over CONNECTIONS connections (default 16), the rate limit lifted, as
# benches/sandbox_soak.sh does for the sandbox. Reports requests/s and p99
# from wrk, the relay's RSS at 0/30/60/DURATION s, its stderr log size, and
# the size of wecom.db (every delivery is an outbox row and a history row).
# The history is pruned only when a process starts, so the database grows
# with the messages during the run. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-120}
CONNECTIONS=${CONNECTIONS:-16}
ROBOT=soak RECORD=/dev/null
. benches/sandbox_env.sh
needs_wrk
CODE=$("$BIN" robots code soak 2>/dev/null)
start_relay
URL="$BASE/api/notify/$CODE"
BODY='{"title": "服务器告警", "content": "CPU使用率超过90%,请及时处理!"}'
FIRST=$(curl -s -o "$TMP/first.json" -w '%{http_code}' -H 'Content-Type: application/json' --data "$BODY" "$URL")
[ "$FIRST" = 200 ] || { echo "the first request was answered $FIRST: $(cat "$TMP/first.json")" >&2; exit 1; }
cat >"$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$BODY]==]
LUA

rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$RELAY/status"; }
fds() { ls "/proc/$RELAY/fd" | wc -l; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ${DURATION} s of notify posts over $CONNECTIONS connections"
echo "RSS at 0 s: $(rss_mb) MB, $(fds) fds"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$TMP/post.lua" "$URL" >"$TMP/wrk.out" &
WRK=$!
for at in 30 60; do
  sleep 30
  echo "RSS at $at s: $(rss_mb) MB, $(fds) fds, load average $(cut -d' ' -f1 /proc/loadavg)"
done
wait $WRK
echo "RSS at $DURATION s: $(rss_mb) MB, $(fds) fds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
sleep 2
echo "RSS 2 s after the load: $(rss_mb) MB, $(fds) fds"
RPS=$(awk '/^Requests\/sec/ {print $2}' "$TMP/wrk.out")
P99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk.out")
ANSWERED=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
ERRORS=$(awk '/Non-2xx|Socket errors/' "$TMP/wrk.out")
echo "notify: $ANSWERED answers, $RPS requests/s, p99 $P99 ${ERRORS:+($ERRORS)}"
echo "relay log: $(wc -l <"$TMP/relay.log") lines, $(du -h "$TMP/relay.log" | cut -f1); wecom.db: $(du -ch "$TMP"/data/wecom.db* | tail -1 | cut -f1)"
for secret in "$CODE" "$(sed -n 's/^Demo webhook: .*key=//p' "$TMP/sandbox.out")"; do
  if grep -qF "$secret" "$TMP/relay.log"; then echo "LEAK: a secret is in the relay's log" >&2; exit 1; fi
done
