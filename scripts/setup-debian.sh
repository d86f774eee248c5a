#!/usr/bin/env bash
# Installs, as root on Debian 12, every Debian package kubectl-pg needs to build,
# test and run its demo. Idempotent: does nothing when all are installed.
# Usage: scripts/setup-debian.sh [build|test]   (default: test, which is a superset)
set -euo pipefail
want=${1:-test}

build_pkgs=(build-essential cmake ninja-build pkg-config ccache
  libcli11-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev libfmt-dev
  doctest-dev nlohmann-json3-dev libkainjow-mustache-dev libboost-dev)
# kubesim (tests/kubesim) and the end-to-end tests: the API server double, the
# processes its pods run (PostgreSQL, Patroni, pgpool-II) and real clients.
test_pkgs=(python3 python3-aiohttp python3-yaml python3-cryptography python3-pytest
  python3-kubernetes python3-websockets python3-psycopg2
  postgresql-15 postgresql-client-15 patroni pgpool2 libnss-wrapper
  nodejs npm iproute2 procps iptables openssl)

pkgs=("${build_pkgs[@]}")
[ "$want" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  # nodejs from another source (e.g. NodeSource) ships npm itself and conflicts
  # with Debian's npm package: an npm on PATH is enough.
  [ "$p" = npm ] && command -v npm >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  # Keep Debian from creating and starting a default PostgreSQL cluster.
  mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
