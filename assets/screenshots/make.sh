#!/usr/bin/env bash
# Remakes the README's screenshots from the real binary in a real terminal:
# xterm under Xvfb, with DejaVu Sans Mono for Latin text and Noto Sans Mono
# CJK SC for Chinese (xterm draws a CJK character over two cells, as the
# app measures it). tmux drives the app inside that xterm, the way a user's
# keys would, and ImageMagick's `import` takes the window.
#
# Needs: Xvfb, xterm, tmux, ImageMagick, fonts-noto-cjk, fonts-dejavu-core
#   apt-get install -y --no-install-recommends xvfb xterm tmux imagemagick \
#       fonts-noto-cjk fonts-dejavu-core x11-utils
# and a release build: cargo build --release
#
# Run from the project root: assets/screenshots/make.sh
# It writes assets/screenshots/{en,zh-CN}-{composer,card,help}.png.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/assets/screenshots"
wecom="${WECOM_BIN:-$root/target/release/wecom}"
[ -x "$wecom" ] || { echo "no $wecom: run cargo build --release first" >&2; exit 1; }
for tool in Xvfb xterm tmux import; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (see the comment at the top)" >&2; exit 1; }
done

work=$(mktemp -d)
display=":${SHOT_DISPLAY:-77}"
sock="shots-$$"
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1

t() { tmux -L "$sock" "$@"; }
keys() { t send-keys -t shot "$@"; sleep 0.4; }
# Pastes text the way a terminal does (bracketed paste), so the editor takes
# it as one piece rather than as typed keys.
paste() {
    printf '%s' "$1" > "$work/paste"
    t load-buffer -b p "$work/paste"
    t paste-buffer -p -d -b p -t shot
    sleep 0.6
}

# One language: a fresh config and data directory with two saved robots
# (fake keys pointing at nothing: nothing is sent), the app in tmux, an
# xterm attached to it, and the three pictures.
shoot() {
    local lang=$1 robot1=$2 robot2=$3 text=$4
    local cfg="$work/$lang/config" data="$work/$lang/data"
    mkdir -p "$cfg" "$data"
    export WECOM_CONFIG_DIR="$cfg" WECOM_DATA_DIR="$data"
    "$wecom" robots add "$robot1" "http://127.0.0.1:9/cgi-bin/webhook/send?key=00000000-0000-0000-0000-00000000fake" >/dev/null
    "$wecom" robots add "$robot2" "http://127.0.0.1:9/cgi-bin/webhook/send?key=11111111-1111-1111-1111-11111111fake" >/dev/null

    t new-session -d -s shot -x 120 -y 35 \
        "env TERM=xterm-256color WECOM_CONFIG_DIR=$cfg WECOM_DATA_DIR=$data $wecom --lang $lang"
    t set -g status off
    DISPLAY="$display" xterm -geometry 120x35+0+0 -bg '#1d1f21' -fg '#d0d0d0' \
        -fa 'DejaVu Sans Mono' -fd 'Noto Sans Mono CJK SC' -fs 11 -bw 0 \
        -xrm 'XTerm*cjkWidth: false' -xrm 'XTerm*forceBoxChars: true' \
        -xrm 'XTerm*color4: #3465a4' -xrm 'XTerm*color8: #8a8a8a' -xrm 'XTerm*color12: #729fcf' \
        -title shot \
        -e tmux -L "$sock" attach -t shot &
    local xterm=$!
    sleep 2

    # 1. The composer: markdown in the editor, its preview, the byte counter.
    # Enter on the robots pane starts writing to the selected robot.
    keys Enter
    paste "$text"
    snap "$lang-composer"

    # 2. A card form with its mock-up: a shipped template (Ctrl-O).
    keys C-o
    keys Down Enter
    snap "$lang-card"

    # 3. The help screen (F1).
    keys F1
    snap "$lang-help"

    keys Escape C-q
    sleep 0.5
    kill "$xterm" 2>/dev/null || true
    t kill-server 2>/dev/null || true
    sleep 0.5
}

snap() {
    sleep 0.8
    local id
    id=$(DISPLAY="$display" xwininfo -root -tree | awk '/"shot"/ {print $1; exit}')
    DISPLAY="$display" import -window "${id:-root}" "$out/$1.png"
    echo "wrote assets/screenshots/$1.png"
}

shoot en ops-alerts release-notes '# Release 2.4.0 is live
> Deployed to **production** at 14:05 by <@zhangsan>

**Orders API**: <font color="info">healthy</font>
**Payments**: <font color="warning">degraded</font>, watching
**Error rate**: <font color="comment">0.4 %</font>

[Release notes](https://example.com/releases/2.4.0)'

shoot zh-CN 运维告警 发布通知 '# 版本 2.4.0 已上线
> 14:05 由 **张三** 发布到生产环境 <@zhangsan>

**订单接口**：<font color="info">正常</font>
**支付**：<font color="warning">降级</font>，观察中
**错误率**：<font color="comment">0.4 %</font>

[发布说明](https://example.com/releases/2.4.0)'
