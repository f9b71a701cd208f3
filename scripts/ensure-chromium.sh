#!/usr/bin/env bash
# Makes sure Debian's Chromium (the only browser the tests use: Playwright must
# never download one) and the fonts the screenshots need are installed.
# Idempotent; installs with apt-get when run as root, fails clearly otherwise.
# Prints the browser's path on its last line.
set -euo pipefail

log() { printf '[ensure-chromium] %s\n' "$*" >&2; }

find_chromium() {
  command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

path="$(find_chromium)"
need=()
[[ -n "$path" ]] || need+=(chromium)
# Without a font package the workbench and webview text render as boxes.
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)

if ((${#need[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    if [[ -z "$path" ]]; then
      log "chromium is not installed and this is not root. Install it with: sudo apt-get install -y chromium fonts-liberation"
      exit 1
    fi
    log "note: missing ${need[*]} (not root, continuing without)"
  else
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    out="$(mktemp)"
    if ! { apt-get update && apt-get install -y --no-install-recommends "${need[@]}"; } >"$out" 2>&1; then
      tail -n 40 "$out" >&2
      rm -f "$out"
      log "apt-get failed"
      exit 1
    fi
    rm -f "$out"
    path="$(find_chromium)"
  fi
fi

if [[ -z "$path" ]]; then
  log "chromium still not found on PATH"
  exit 1
fi
log "$("$path" --version 2>/dev/null || echo chromium) at $path"
echo "$path"
