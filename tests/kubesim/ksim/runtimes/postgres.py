"""The official `postgres` image (docker-library/postgres docker-entrypoint.sh):
ENTRYPOINT docker-entrypoint.sh, CMD postgres.

- With `command`: that command runs (client and job pods: psql, pg_dump,
  pg_basebackup, pg_restore from PostgreSQL 15 are on PATH).
- With only `args` not starting with `postgres` or `-`: the args run as given, as the
  entrypoint does (`exec "$@"`).
- Otherwise a server: on an empty PGDATA (default /var/lib/postgresql/data) initdb
  with POSTGRES_USER (postgres), POSTGRES_PASSWORD (required unless
  POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_INITDB_ARGS, POSTGRES_DB, and
  `host all all all <POSTGRES_HOST_AUTH_METHOD or scram-sha-256>`; then
  `postgres -c listen_addresses=*` plus the args.
"""
from __future__ import annotations

from ksim.runtimes import Context, Plan, explicit_argv

_SERVER = r"""set -e
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
  echo "Error: Database is uninitialized and superuser password is not specified." >&2
  echo "       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser." >&2
  exit 1
fi
mkdir -p "$PGDATA"; chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp); printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" $POSTGRES_INITDB_ARGS -D "$PGDATA"
  rm -f "$pwfile"
  printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    postgres --single -D "$PGDATA" -c listen_addresses= postgres <<EOF
CREATE DATABASE "$POSTGRES_DB";
EOF
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
"""


def plan(ctx: Context) -> Plan:
    argv = explicit_argv(ctx)
    if argv is not None:
        return Plan(argv, ctx.env)
    args = list(ctx.container.get("args") or [])
    if args and args[0] != "postgres" and not args[0].startswith("-"):
        return Plan(args, ctx.env)
    if args and args[0] == "postgres":
        args = args[1:]
    script = ctx.write("docker-entrypoint.sh", _SERVER, 0o755)
    return Plan(["/bin/sh", script] + args, ctx.env)
