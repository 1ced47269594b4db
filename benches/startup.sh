#!/usr/bin/env bash
# Cold start to first frame: launches the release binary in tmux N times and
# polls the pane until the first frame is on screen.
# Usage: benches/startup.sh [runs]   (build first: cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
bin=target/release/wecom
tmp=$(mktemp -d)
trap 'tmux -L wecom-startup kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  tmux -u -L wecom-startup new-session -d -s s -x 100 -y 30 \
    "env WECOM_CONFIG_DIR=$tmp/c WECOM_DATA_DIR=$tmp/d $bin"
  until tmux -L wecom-startup capture-pane -p -t s 2>/dev/null | grep -q 'Checks'; do :; done
  end=$(date +%s%N)
  echo "run $i: $(( (end - start) / 1000000 )) ms"
  tmux -L wecom-startup send-keys -t s C-q
  while tmux -L wecom-startup has-session -t s 2>/dev/null; do sleep 0.01; done
done
