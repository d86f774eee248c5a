#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine as root: installs what is missing,
# builds kubectl-pg, starts kubesim (the project's Kubernetes API server double)
# whose kubelet runs pods as real PostgreSQL/Patroni/pgpool-II processes, creates
# a highly available cluster with `kubectl pg create demo --wait`, shows it,
# writes and reads a row through pgpool, and leaves it running.
#
# Re-running reuses the running kubesim and the cluster (create is idempotent:
# every object comes back "unchanged", passwords are kept).
# Environment: KPG_DEMO_STATE (default /var/tmp/kubectl-pg-demo), KPG_DEMO_MEMBERS (3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${KPG_DEMO_STATE:-/var/tmp/kubectl-pg-demo}
members=${KPG_DEMO_MEMBERS:-3}
ns=demo
name=demo
kubesim="$root/tests/kubesim/kubesim"
pg="$root/build/kubectl-pg"

say() { printf '\n==> %s\n' "$*" >&2; }

say "installing what is missing (scripts/setup-debian.sh test)"
"$root/scripts/setup-debian.sh" test
command -v kubectl >/dev/null || {
  echo "demo: kubectl is needed to show the pods and run psql in them (kubectl exec); install it" \
       "(https://kubernetes.io/docs/tasks/tools/) and run this again" >&2
  exit 1
}
say "building kubectl-pg (scripts/build.sh)"
"$root/scripts/build.sh" >&2

if "$kubesim" status --state "$state" >/dev/null 2>&1; then
  say "kubesim is already running (state $state): reusing it"
else
  say "starting kubesim with the process kubelet (state $state)"
  "$kubesim" up --state "$state" --kubelet process >&2
fi
export KUBECONFIG="$state/kubeconfig"
# kubectl finds plugins on PATH: `kubectl pg` runs build/kubectl-pg.
export PATH="$root/build:$PATH"

say "kubectl pg create $name -n $ns --members $members --wait"
"$pg" create "$name" -n "$ns" --members "$members" --storage-size 1Gi --wait --timeout 5m

say "kubectl pg status $name -n $ns"
# 3 (degraded) can happen for a moment right after ready, e.g. a replica still
# catching up: shown, not fatal. Anything else (unreachable, not found) is.
status=0
"$pg" status "$name" -n "$ns" || status=$?
if [ "$status" != 0 ] && [ "$status" != 3 ]; then
  echo "demo: kubectl pg status failed (exit code $status)" >&2
  exit "$status"
fi

say "writing and reading a row through pgpool: kubectl pg connect $name (psql via the $name-pgpool Service)"
# connect runs psql in a member pod against the pgpool Service over TLS; the
# password comes from the pod's own environment, never a command line.
"$pg" connect "$name" -n "$ns" -- -X -v ON_ERROR_STOP=1 <<'SQL'
create table if not exists greetings (id serial primary key, said_at timestamptz default now(), text text);
insert into greetings (text) values ('hello through pgpool');
select id, said_at, text, inet_server_addr() as served_by, pg_is_in_recovery() as on_replica
  from greetings order by id desc limit 3;
SQL
leader=$(kubectl get pods -n "$ns" -l "app.kubernetes.io/instance=$name,spilo-role=master" \
  -o jsonpath='{.items[0].metadata.name}')

cat >&2 <<MSG

==> The cluster $ns/$name is running. To reach it:
  export KUBECONFIG=$state/kubeconfig PATH=$root/build:\$PATH
  kubectl get pods -n $ns -L spilo-role            # members, leader label, pgpool
  kubectl pg create $name -n $ns --wait            # re-apply: every object "unchanged"
  kubectl pg status $name -n $ns                 # members, replication, pgpool, problems
  kubectl pg connect $name -n $ns                # psql through pgpool (--primary, --replica)
  kubectl exec -it -n $ns $leader -c postgres -- psql -U postgres      # psql on the leader
  kubectl exec -it -n $ns $leader -c postgres -- sh -c \\
    'PGPASSWORD=\$PGPASSWORD_SUPERUSER PGSSLMODE=require psql -h $name-pgpool -U postgres'  # via pgpool
To stop it (pods, volumes and state are kept in $state until you delete it):
  $kubesim down --state $state
MSG
