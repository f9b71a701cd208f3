#!/usr/bin/env bash
# Installs code-server 4.100.3 (= VS Code 1.100.3, the newest on Node 20) for the
# real-host test tier, following docs/real-vscode-host.md. The package's own
# postinstall cannot work here (it downloads ripgrep from GitHub and prebuilt
# native binaries), so it is installed with --ignore-scripts and the native
# modules are rebuilt from source one by one.
#
# Idempotent: a marker file written LAST means "complete"; an interrupted install
# has no marker and is redone from scratch rather than trusted.
#
# Location: ${HEARTH_VSCODE_CACHE:-$HOME/.cache/hearth/code-server-4.100.3}, outside
# the clone so that fresh CI clones on the same machine reuse it.
# Prints the install directory (the folder holding node_modules/) on its last line.
set -euo pipefail

VERSION=4.100.3
CACHE_DIR="${HEARTH_VSCODE_CACHE:-${HOME:-/root}/.cache/hearth/code-server-${VERSION}}"
MARKER="$CACHE_DIR/.hearth-install-complete"
LOG_DIR="${TMPDIR:-/tmp}"

log() { printf '[install-code-server] %s\n' "$*" >&2; }

installed() { [[ -f "$MARKER" && -x "$CACHE_DIR/node_modules/.bin/code-server" ]]; }
if installed; then
  log "code-server $VERSION already installed in $CACHE_DIR"
  echo "$CACHE_DIR"
  exit 0
fi

# Two runs on one machine (parallel CI clones) must not install into the same
# folder at once: the second waits, then finds the first one's install.
mkdir -p "$(dirname "$CACHE_DIR")"
exec 9>"$CACHE_DIR.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  if installed; then
    log "code-server $VERSION was installed meanwhile in $CACHE_DIR"
    echo "$CACHE_DIR"
    exit 0
  fi
fi

START=$(date +%s)
export npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false npm_config_loglevel=error npm_config_progress=false

# Runs a command quietly; on failure shows its captured output, then fails.
quiet() {
  local out
  out="$(mktemp "$LOG_DIR/hearth-install.XXXXXX")"
  if ! "$@" >"$out" 2>&1; then
    log "FAILED: $* (in $(pwd))"
    tail -n 60 "$out" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
}

# 1. Debian packages: chromium drives the workbench; ripgrep replaces the one the
#    postinstall would download; libkrb5-dev + pkg-config build the kerberos addon.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if ((${#need[@]})); then
  if [[ "$(id -u)" == 0 ]]; then
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quiet apt-get update
    quiet apt-get install -y --no-install-recommends "${need[@]}"
  else
    log "missing system packages: ${need[*]} — run as root or: sudo apt-get install -y ${need[*]}"
    exit 1
  fi
fi

# 2. The package itself, into a folder of its own (~300 MB). Start clean: a
#    partial tree from an interrupted run is not trusted.
log "installing code-server@$VERSION into $CACHE_DIR (takes 3-5 minutes)"
rm -rf "$CACHE_DIR"
mkdir -p "$CACHE_DIR"
cd "$CACHE_DIR"
echo '{"name":"hearth-code-server-cache","private":true}' >package.json
quiet npm install --ignore-scripts --no-save "code-server@$VERSION"

# 3. argon2 (code-server's password hashing) from source, no prebuilt download.
quiet npm rebuild argon2 --build-from-source

# 4. VS Code's own dependencies, then each native module rebuilt on its own so
#    one failure names its culprit. @vscode/ripgrep is skipped (step 5).
VSCODE_DIR="$CACHE_DIR/node_modules/code-server/lib/vscode"
cd "$VSCODE_DIR"
log "installing VS Code's dependencies"
quiet npm install --omit=dev --ignore-scripts
for mod in @vscode/spdlog kerberos native-watchdog node-pty @parcel/watcher @vscode/deviceid; do
  if [[ -d "node_modules/$mod" ]]; then
    log "rebuilding $mod"
    quiet npm rebuild "$mod"
  fi
done

# 5. Debian's ripgrep where VS Code looks for it.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg

# 6. The links the postinstall would have made, and the built-in extensions' deps.
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
log "installing built-in extensions' dependencies"
(cd extensions && quiet npm install --omit=dev --ignore-scripts)

"$CACHE_DIR/node_modules/.bin/code-server" --version >/dev/null
date -u +%FT%TZ >"$MARKER"
log "done in $(($(date +%s) - START)) s"
echo "$CACHE_DIR"
