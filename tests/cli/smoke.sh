#!/usr/bin/env bash
# The binary starts, prints help and its version, and rejects bad usage with
# exit code 2. Usage: smoke.sh PATH/TO/kubectl-pg
set -u
bin=$1
fail=0
check() { # check DESCRIPTION EXPECTED_EXIT COMMAND...
  local what=$1 want=$2; shift 2
  "$@" >/tmp/kpg-smoke.out 2>&1; local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; cat /tmp/kpg-smoke.out; fail=1
  else
    echo "ok: $what"
  fi
}
check "--help exits 0" 0 "$bin" --help
check "version exits 0" 0 "$bin" version
check "unknown command is a usage error" 2 "$bin" no-such-command
check "no command is a usage error" 2 "$bin"
"$bin" version | grep -q '^Client Version: v' || { echo "FAIL: version text"; fail=1; }
"$bin" version -o json | /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' \
  || { echo "FAIL: version -o json is not JSON"; fail=1; }
# create: validation errors exit 2 with nothing on stdout; applying needs a kubeconfig.
check "create --dry-run=client renders" 0 "$bin" create orders --dry-run=client
check "create with an invalid name is a validation error" 2 "$bin" create Orders --dry-run=client
check "create without a kubeconfig is a configuration error" 2 \
  env -u KUBECONFIG HOME=/nonexistent "$bin" create orders
check "create --wait with --dry-run is a usage error" 2 "$bin" create orders --dry-run=server --wait
check "create -o without --dry-run is a usage error" 2 "$bin" create orders -o json
check "--color with an unknown mode is a usage error" 2 "$bin" --color sometimes list
[ -z "$("$bin" create Orders --dry-run=client 2>/dev/null)" ] \
  || { echo "FAIL: invalid create printed on stdout"; fail=1; }
"$bin" create orders --dry-run=client -o json 2>/dev/null \
  | /usr/bin/python3 -c 'import json,sys; assert json.load(sys.stdin)["kind"] == "List"' \
  || { echo "FAIL: create -o json is not a v1 List"; fail=1; }
"$bin" create orders --dry-run=client 2>&1 >/dev/null | grep -q -- '--show-secrets' \
  || { echo "FAIL: create does not say on stderr how to get withheld passwords"; fail=1; }
# A closed stdout is an error (exit 1, said on stderr), not a silent death by SIGPIPE:
# the reading end is closed before kubectl-pg writes (Python restores SIGPIPE's default
# in the child, as a shell would).
got=$(/usr/bin/python3 -c '
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode, p.stderr.decode().splitlines()[-1])' "$bin" create orders --dry-run=client)
[ "$got" = "1 error: writing stdout: Broken pipe" ] \
  || { echo "FAIL: closed stdout: '$got'"; fail=1; }
# kubectl's global flags: listed in the help, -v up to 10, client-go's TLS flag rule.
for flag in --kubeconfig --context --cluster --user --namespace --server --token \
  --certificate-authority --client-certificate --client-key --insecure-skip-tls-verify \
  --tls-server-name --as --as-group --as-uid --request-timeout --v; do
  "$bin" --help | grep -q -- "$flag\b" || { echo "FAIL: --help does not list $flag"; fail=1; }
done
"$bin" --help | grep -q -- 'Log level 0..10' || { echo "FAIL: -v range in --help"; fail=1; }
check "-v 10 is accepted" 0 "$bin" version -v 10
check "-v 11 is a usage error" 2 "$bin" version -v 11
check "--certificate-authority with --insecure-skip-tls-verify is a configuration error" 2 \
  "$bin" create orders --server https://127.0.0.1:1 --insecure-skip-tls-verify \
  --certificate-authority /dev/null --as jane --as-group a --as-group b
grep -q 'specifying a root certificates file with the insecure flag is not allowed' \
  /tmp/kpg-smoke.out || { echo "FAIL: insecure + CA message"; cat /tmp/kpg-smoke.out; fail=1; }
[ "$("$bin" __complete --as)" = "$(printf -- '--as\n--as-group\n--as-uid\n:4')" ] \
  || { echo "FAIL: __complete --as"; fail=1; }
check "completion bash" 0 "$bin" completion bash
[ "$("$bin" __complete create --anti)" = "$(printf -- '--anti-affinity\n:4')" ] \
  || { echo "FAIL: __complete create --anti"; fail=1; }
got=$(bash -c 'source <("$0" completion bash); COMP_WORDS=("$0" cre); COMP_CWORD=1; _kubectl_pg
  echo "${COMPREPLY[*]}"' "$bin")
[ "$got" = create ] || { echo "FAIL: bash completion of 'cre' gave '$got'"; fail=1; }
exit $fail
