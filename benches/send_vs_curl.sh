#!/usr/bin/env bash
# `wecom send` as a whole process next to curl posting the same JSON, both
# to the sandbox on 127.0.0.1 (nothing leaves the machine). Needs hyperfine
# (Debian: apt-get install hyperfine). RUNS=N sets the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install hyperfine (or run benches/store.sh)" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl: apt-get install curl" >&2; exit 1; }
. benches/sandbox_env.sh
"$BIN" send -r bench --text 'deploy done' --dry-run | grep -qxF "$JSON"   # the same body
hyperfine -N --warmup 10 --runs "${RUNS:-300}" \
  "$BIN send -r bench --text 'deploy done' -q" \
  "curl -s -o /dev/null -H 'Content-Type: application/json' -d '$JSON' '$URL'"
echo "messages the sandbox accepted: $(wc -l <"$TMP/sent.jsonl")"
