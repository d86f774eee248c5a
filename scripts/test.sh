#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine as root: installs what is
# missing, builds, and runs every suite through ctest (unit, golden, schema,
# kubesim, end to end). Exit code 0 only when every test passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh" test
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure --timeout 1200 "$@"
