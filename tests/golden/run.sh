#!/usr/bin/env bash
# Golden tests: each tests/golden/<case>/spec.yaml (the examples/ specs) must
# render, with `create --dry-run=client -o yaml`, to exactly <case>/expected.yaml,
# and twice in a row to the same bytes. Passwords are withheld by default, so
# the output is reproducible. KPG_UPDATE_GOLDEN=1 rewrites expected.yaml; review
# the diff before committing it. The YAML (printed as the templates rendered
# it) must also read, with PyYAML's libyaml reader (YAML 1.1, as kubectl's
# go-yaml), as exactly the objects of `-o json` (yaml-cpp's reading).
# Usage: run.sh PATH/TO/kubectl-pg
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
for dir in "$here"/*/; do
  case=$(basename "$dir")
  out=$(mktemp)
  if ! "$bin" create -f "$dir/spec.yaml" --dry-run=client -o yaml >"$out" 2>/dev/null; then
    echo "FAIL: $case: create exited non-zero"; failed=$((failed + 1)); rm -f "$out"; continue
  fi
  if ! "$bin" create -f "$dir/spec.yaml" --dry-run=client -o yaml 2>/dev/null | cmp -s - "$out"; then
    echo "FAIL: $case: two renders differ"; failed=$((failed + 1)); rm -f "$out"; continue
  fi
  if ! "$bin" create -f "$dir/spec.yaml" --dry-run=client -o json 2>/dev/null |
    /usr/bin/python3 -c 'import json, sys, yaml
docs = list(yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader))
sys.exit(0 if docs == json.load(sys.stdin)["items"] else 1)' "$out"; then
    echo "FAIL: $case: -o yaml read by libyaml differs from -o json"; failed=$((failed + 1))
    rm -f "$out"; continue
  fi
  if [ "${KPG_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$out" "$dir/expected.yaml"
    echo "updated: $case"
  fi
  if diff -u "$dir/expected.yaml" "$out"; then
    echo "ok: $case"; passed=$((passed + 1))
  else
    echo "FAIL: $case: output differs from expected.yaml (KPG_UPDATE_GOLDEN=1 to accept)"
    failed=$((failed + 1))
  fi
  rm -f "$out"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
