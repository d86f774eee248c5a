#!/usr/bin/env bash
# Configures and builds kubectl-pg into build/ (Release, warnings as errors).
# Usage: scripts/build.sh [extra cmake -D options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# ccache (when installed) makes a rebuild, a fresh clone or another git worktree
# of the same sources compile only what changed; CCACHE_BASEDIR rewrites the
# checkout's absolute paths to relative ones and CCACHE_NOHASHDIR leaves the
# build directory out of the hash, so clones in other directories share the
# cache (their debug info may then name another checkout's directory).
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >/dev/null
cmake --build "$root/build" --parallel "$(nproc)"
