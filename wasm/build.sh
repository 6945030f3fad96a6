#!/usr/bin/env bash
# Rebuilds the WASM kernels and copies the artifact to wasm/pkg/hmp_kernels.wasm (committed).
#   bash wasm/build.sh           rebuild and update wasm/pkg/
#   bash wasm/build.sh --check   rebuild elsewhere; exit 1 if wasm/pkg/ is stale (CI)
#
# Why Debian's toolchain: it ships the wasm32-unknown-unknown std, and a pinned system rustc
# keeps the committed binary reproducible byte for byte. Override with CARGO=... if needed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cargo="${CARGO:-/usr/bin/cargo}"
# /usr/bin/cargo would otherwise pick the rustup rustc on PATH, which lacks the wasm32 std.
export RUSTC="${RUSTC:-/usr/bin/rustc}"
pkg="$here/pkg/hmp_kernels.wasm"
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if [[ $check -eq 1 ]]; then
  target="$(mktemp -d "${TMPDIR:-/tmp}/hmp-wasm-check.XXXXXX")"
  trap 'rm -rf "$target"' EXIT
else
  target="$here/target"
fi

# --remap-path-prefix keeps absolute checkout and registry paths out of the binary, so two
# checkouts in different directories produce the same bytes.
export RUSTFLAGS="-C target-feature=+simd128,+bulk-memory,+nontrapping-fptoint --remap-path-prefix=$here=/hmp-kernels --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$root=/hmp"
export CARGO_TARGET_DIR="$target"
export SOURCE_DATE_EPOCH=0
export CARGO_INCREMENTAL=0

"$cargo" build --quiet --release --locked --target wasm32-unknown-unknown --manifest-path "$here/Cargo.toml"
built="$target/wasm32-unknown-unknown/release/hmp_kernels.wasm"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c < "$1" | tr -d ' '; }

if [[ $check -eq 1 ]]; then
  if [[ ! -f "$pkg" ]]; then
    echo "wasm/pkg/hmp_kernels.wasm is missing; run: bash wasm/build.sh" >&2
    exit 1
  fi
  if cmp -s "$built" "$pkg"; then
    echo "wasm/pkg/hmp_kernels.wasm is up to date: sha256 $(sha "$pkg") ($(size "$pkg") bytes)"
  else
    echo "wasm/pkg/hmp_kernels.wasm is stale: committed $(sha "$pkg"), rebuilt $(sha "$built"); run: bash wasm/build.sh" >&2
    exit 1
  fi
else
  mkdir -p "$here/pkg"
  cp "$built" "$pkg"
  echo "wasm/pkg/hmp_kernels.wasm sha256 $(sha "$pkg") ($(size "$pkg") bytes)"
fi
