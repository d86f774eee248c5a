"""pytest plugin for the `kubectl pg create` end-to-end tests: one kubesim with the
process kubelet (real Patroni, PostgreSQL and pgpool-II) for the session, and one
3-member cluster made by `kubectl pg create --wait` that the tests share (creating it
is the first thing measured; the later tests re-apply and inspect it, they do not
change what it runs).

Imported by the test modules (PYTHONPATH=tests/e2e). The binary is $KUBECTL_PG
(default build/kubectl-pg). Needs root (the process kubelet) and kubectl; skips
otherwise. KUBESIM_KEEP_STATE=1 keeps the state directory.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "kubesim", "tests"))

from kubesim_fixture import Cluster  # noqa: E402

KUBECTL_PG = os.environ.get("KUBECTL_PG", os.path.join(ROOT, "build", "kubectl-pg"))
NAMESPACE = "shop"
NAME = "orders"
MEMBERS = 3
PGPOOL = 2
WAIT_TIMEOUT = "4m"  # 3 members + pgpool on a loaded, shared 2-core machine


def run_pg(kube: Cluster, *args: str, timeout: float = 300, context: str | None = None,
           env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [KUBECTL_PG, *(["--context", context] if context else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else kube.env(), stdin=subprocess.DEVNULL)


def object_lines(stdout: str) -> dict[str, str]:
    """`kind/name action` lines of a create -> {ref: action}."""
    out = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and "/" in parts[0] and parts[1] in ("created", "configured",
                                                                 "unchanged"):
            out[parts[0]] = parts[1]
    return out


class Created:
    """The shared cluster and what its creation printed."""

    def __init__(self, kube: Cluster, result: subprocess.CompletedProcess, seconds: float):
        self.kube, self.result, self.seconds = kube, result, seconds
        self.namespace, self.name = NAMESPACE, NAME

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.kube.kubectl("-n", self.namespace, *args, check=check)

    def get_json(self, *args: str) -> dict:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def pods(self, component: str) -> list[dict]:
        return self.get_json("pods", "-l", f"app.kubernetes.io/instance={self.name},"
                                           f"app.kubernetes.io/component={component}")["items"]

    def leaders(self) -> list[str]:
        return [p["metadata"]["name"] for p in self.pods("database")
                if p["metadata"].get("labels", {}).get("spilo-role") == "master"]

    def sql(self, pod: str, query: str, check: bool = True) -> str:
        """psql as postgres over the member's local socket ("" on failure unless `check`)."""
        out = self.kubectl("exec", pod, "-c", "postgres", "--", "psql", "-X", "-A", "-t", "-U",
                           "postgres", "-d", "postgres", "-c", query, check=check)
        return out.stdout.strip() if out.returncode == 0 else ""

    def sql_via_pgpool(self, pod: str, query: str, sslmode: str = "require"
                       ) -> subprocess.CompletedProcess:
        """psql from member `pod` through the pgpool Service with the superuser's password
        (the member's PGPASSWORD_SUPERUSER: never on a command line)."""
        script = ('PGPASSWORD="$PGPASSWORD_SUPERUSER" PGCONNECT_TIMEOUT=5 '
                  f'PGSSLMODE={sslmode} psql -X -A -t -h {self.name}-pgpool -U postgres '
                  '-d postgres -c "$0"')
        return self.kubectl("exec", pod, "-c", "postgres", "--", "sh", "-c", script, query,
                            check=False)


def _require_environment() -> None:
    if os.geteuid() != 0:
        pytest.skip("the process kubelet needs root")
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    if not os.path.exists(KUBECTL_PG):
        pytest.skip(f"{KUBECTL_PG} is not built")


@pytest.fixture(scope="session")
def kube():
    _require_environment()
    state = tempfile.mkdtemp(prefix="kpg-e2e-create-")
    cluster = Cluster.up(state, "--kubelet", "process")
    try:
        yield cluster
    finally:
        cluster.down()
        if not os.environ.get("KUBESIM_KEEP_STATE"):
            shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def created(kube) -> Created:
    """`kubectl pg create orders -n shop --wait`, once for the session."""
    start = time.monotonic()
    result = run_pg(kube, "create", NAME, "-n", NAMESPACE, "--members", str(MEMBERS),
                    "--pgpool-replicas", str(PGPOOL), "--storage-size", "1Gi", "--wait",
                    "--timeout", WAIT_TIMEOUT)
    seconds = time.monotonic() - start
    assert result.returncode == 0, f"create failed ({result.returncode}):\n{result.stdout}\n" \
                                   f"{result.stderr}"
    print(f"\ncreate -> ready, {MEMBERS} members + {PGPOOL} pgpool: {seconds:.1f} s")
    return Created(kube, result, seconds)
