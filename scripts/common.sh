# Shared by the scripts: paths and the tools they put on PATH.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
# Builds share one target directory outside the checkout, so a fresh clone
# (CI's, for one) reuses compiled dependencies instead of starting cold.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ordering-portal/target}
# Incremental artefacts only help repeated local edits; elsewhere they cost
# gigabytes of disk.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
log() { printf '==> %s\n' "$*" >&2; }

# Cargo knows the portal's own crates by name and version, not by checkout,
# and checks their freshness against the source paths of the build that
# made them: after a build from another checkout (a CI clone, say) it would
# take them as fresh and reuse binaries made from other sources. So when
# the checkout using the shared build directory changes, those crates are
# rebuilt; compiled dependencies are kept.
claim_build_dir() {
  local stamp="$CARGO_TARGET_DIR/.checkout"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$ROOT" ]; then
    return
  fi
  if [ -d "$CARGO_TARGET_DIR" ]; then
    log "the build directory was last used by another checkout: rebuilding the portal's own crates"
    for profile in dev release; do
      cargo clean --quiet --profile "$profile" -p app -p server -p frontend
    done
    cargo clean --quiet --target-dir "$CARGO_TARGET_DIR/front" --target wasm32-unknown-unknown \
      --profile wasm-release -p app -p frontend
  fi
  mkdir -p "$CARGO_TARGET_DIR"
  printf '%s\n' "$ROOT" >"$stamp"
}

# The session cookie of an account with the demo password, signed in at
# the server at $BASE, as a Cookie header value; its jar goes in $WORK.
cookie_of() {
  local jar="$WORK/$1.jar"
  curl -s -o /dev/null -c "$jar" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"demo-password\"}" "$BASE/ordering/api/login"
  # curl marks HttpOnly cookies with a #HttpOnly_ prefix.
  sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 { print $6 "=" $7 }' | tail -n 1
}

# Serves the release build on 127.0.0.1:$1 over a fresh SQLite database
# with the demo data, until the calling script exits. Sets WORK (its
# scratch directory), BASE and SERVER_PID; fails when the server does not
# start.
start_demo_server() {
  local binary="$CARGO_TARGET_DIR/release/ordering-portal"
  if [ ! -x "$binary" ]; then
    log "no release server: cargo leptos build --release --precompress"
    exit 1
  fi
  WORK=$(mktemp -d)
  SERVER_PID=
  trap 'stop_demo_server' EXIT
  BASE="http://127.0.0.1:$1"
  DATABASE_URL="sqlite://$WORK/portal.db" FILES_DIR="$WORK/files" RUST_LOG=warn \
    LEPTOS_SITE_ADDR="127.0.0.1:$1" LEPTOS_SITE_ROOT="$ROOT/target/site" \
    "$binary" serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "$BASE/login" && return
    sleep 0.1
  done
  log "the server did not start"
  cat "$WORK/server.log" >&2
  exit 1
}

stop_demo_server() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
