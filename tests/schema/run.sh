#!/usr/bin/env bash
# Schema test: every object every example renders (-o json) is checked by
# check.js against the official Kubernetes API definitions (npm packages
# pinned in package-lock.json, installed with `npm ci`) and against each
# other. Self-tests first prove the checker catches each kind of mistake.
# Exit 77 (ctest: skipped) when node or npm is missing.
# Usage: run.sh PATH/TO/kubectl-pg
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "skipped: node and npm are needed (scripts/setup-debian.sh installs them)"
  exit 77
fi
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
   ! cmp -s "$here/package-lock.json" "$here/node_modules/.lock-copy"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci"; exit 1; }
  cp "$here/package-lock.json" "$here/node_modules/.lock-copy"
fi
passed=0 failed=0
expect() { # expect WANT(0|1) NAME < json
  if node "$here/check.js" "$2" > "$here/.out" 2>&1; then got=0; else got=1; fi
  if [ "$got" = "$1" ]; then passed=$((passed + 1)); [ "$1" = 0 ] && cat "$here/.out"
  else failed=$((failed + 1)); echo "FAIL: $2 (checker exit $got, want $1)"; cat "$here/.out"; fi
  rm -f "$here/.out"
}
mutate() { # mutate PYTHON-STATEMENT: edits `items` of the list on stdin
  /usr/bin/python3 -c "import json,sys
doc=json.load(sys.stdin); items=doc['items']
by=lambda k,n: next(o for o in items if o['kind']==k and o['metadata']['name']==n)
$1
json.dump(doc,sys.stdout)"
}
for spec in "$root"/examples/*.yaml; do
  name=$(basename "$spec" .yaml)
  "$bin" create -f "$spec" --dry-run=client -o json 2>/dev/null > "$here/.$name.json" \
    || { echo "FAIL: $name: create failed"; failed=$((failed + 1)); continue; }
  expect 0 "$name" < "$here/.$name.json"
done
sample="$here/.minimal.json"
mutate "by('StatefulSet','orders')['spec']['replicaz']=3" < "$sample" > "$here/.mutated.json"
expect 1 "self-test: unknown field" < "$here/.mutated.json"
mutate "by('StatefulSet','orders')['spec']['replicas']='3'" < "$sample" > "$here/.mutated.json"
expect 1 "self-test: wrong type" < "$here/.mutated.json"
mutate "by('Service','orders-pgpool')['spec']['ports'][0]['targetPort']='nope'" < "$sample" > "$here/.mutated.json"
expect 1 "self-test: targetPort" < "$here/.mutated.json"
mutate "by('Secret','orders-superuser')['data'].pop('password')" < "$sample" > "$here/.mutated.json"
expect 1 "self-test: secretKeyRef key" < "$here/.mutated.json"
mutate "by('Service','orders-headless')['spec'].pop('clusterIP')" < "$sample" > "$here/.mutated.json"
expect 1 "self-test: serviceName not headless" < "$here/.mutated.json"
mutate "by('Deployment','orders-pgpool')['spec']['selector']['matchLabels']['x']='y'" < "$sample" > "$here/.mutated.json"
expect 1 "self-test: selector" < "$here/.mutated.json"
rm -f "$here"/.*.json
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
