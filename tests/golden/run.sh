#!/usr/bin/env bash
# Golden tests: each tests/golden/<case>/spec.yaml (the examples/ specs) must
# render, with `create --dry-run=client -o yaml`, to exactly <case>/expected.yaml,
# and twice in a row to the same bytes. Passwords are withheld by default, so
# the output is reproducible. KPG_UPDATE_GOLDEN=1 rewrites expected.yaml; review
# the diff before committing it. The YAML (printed as the templates rendered
# it) must also read, with PyYAML's libyaml (YAML 1.1) and kubectl when on
# PATH, as exactly the objects of `-o json` (same_objects.py).
# Usage: run.sh PATH/TO/kubectl-pg
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
for dir in "$here"/*/; do
  case=$(basename "$dir")
  out=$(mktemp) json=$(mktemp)
  if ! "$bin" create -f "$dir/spec.yaml" --dry-run=client -o yaml >"$out" 2>/dev/null; then
    echo "FAIL: $case: create exited non-zero"; failed=$((failed + 1)); rm -f "$out"; continue
  fi
  if ! "$bin" create -f "$dir/spec.yaml" --dry-run=client -o yaml 2>/dev/null | cmp -s - "$out"; then
    echo "FAIL: $case: two renders differ"; failed=$((failed + 1)); rm -f "$out"; continue
  fi
  "$bin" create -f "$dir/spec.yaml" --dry-run=client -o json >"$json" 2>/dev/null
  if ! reading=$(/usr/bin/python3 "$here/same_objects.py" "$out" "$json" 2>&1); then
    echo "FAIL: $case: $reading"; failed=$((failed + 1)); rm -f "$out" "$json"; continue
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
  rm -f "$out" "$json"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
