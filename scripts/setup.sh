# Sourced by the other scripts: installs what a fresh machine lacks, once.
# Every step checks first, so a second run costs nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must be the exact version of the crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (about 3 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_node_modules() {
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing node modules"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

ensure_chromium() {
  command -v chromium >/dev/null || apt_install chromium
}

# The browser tests' other engines (tests/e2e/harness.mjs): Firefox ESR
# (puppeteer-core over WebDriver BiDi) and WebKitGTK (WebKitWebDriver under
# Xvfb); the CJK fonts for the Chinese screenshots.
ensure_browsers() {
  ensure_chromium
  apt_install firefox-esr webkit2gtk-driver xvfb xauth fonts-noto-cjk
}

# The static release binaries: musl targets; aarch64 links with rust-lld
# (.cargo/config.toml).
STATIC_TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)

ensure_static_targets() {
  local installed
  installed="$(rustup target list --installed)"
  for target in "${STATIC_TARGETS[@]}"; do
    if ! grep -qx "$target" <<<"$installed"; then
      log "adding the $target target"
      rustup target add "$target"
    fi
  done
}

build_static() {
  for target in "${STATIC_TARGETS[@]}"; do
    # (cargo says it drops the lib's cdylib crate type, meant for wasm32)
    cargo build --release --quiet --bin ramcheck --target "$target" 2>&1 | { grep -v -e 'dropping unsupported crate type' -e '^$' || true; } >&2
  done
}

# static_bin x86_64|aarch64: the path of the static binary.
static_bin() { echo "$ROOT/target/$1-unknown-linux-musl/release/ramcheck"; }

# The version in Cargo.toml, which everything released must carry.
crate_version() { awk -F'"' '/^version = / { print $2; exit }' "$ROOT/Cargo.toml"; }

# The oracle suite's real components (tests/oracles/run): containerd 1.6,
# Docker 20.10, busybox and Go (the oracle is a stdlib-only Go program).
ensure_oracle_tools() {
  command -v containerd >/dev/null && command -v dockerd >/dev/null && [ -x /usr/bin/docker ] \
    && command -v busybox >/dev/null && command -v go >/dev/null \
    || apt_install containerd docker.io busybox golang-go
}
