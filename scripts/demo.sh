#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine as root: installs what is missing,
# builds kubectl-pg and renders the example cluster for review.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh" build
"$root/scripts/build.sh" >&2
"$root/build/kubectl-pg" create orders -f "$root/examples/production.yaml" --dry-run=client -o yaml
