"""Any image kubesim does not know: the spec's command runs with the host's tools if
there is one; otherwise a process that sleeps until SIGTERM (exit 0), so unknown
images still reach Running and terminate promptly."""
from __future__ import annotations

from ksim.runtimes import Context, Plan, explicit_argv

SLEEPER = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]


def plan(ctx: Context) -> Plan:
    argv = explicit_argv(ctx)
    if argv is None and ctx.container.get("args"):
        argv = list(ctx.container["args"])
    return Plan(argv or list(SLEEPER), ctx.env)
