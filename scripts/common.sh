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
