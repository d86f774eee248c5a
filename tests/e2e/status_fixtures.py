"""pytest plugin for the status/list/delete end-to-end tests: one kubesim with the
process kubelet (real Patroni, PostgreSQL and pgpool-II) for the session, and clusters
made as a user would make them before `create` applies by itself:

    kubectl-pg create NAME -n NS --dry-run=client --show-secrets -o yaml \\
        | kubectl apply --server-side -f -

Loaded with `-p status_fixtures` (PYTHONPATH=tests/e2e), so the session fixtures are
shared by every test module. The binary is $KUBECTL_PG (default build/kubectl-pg).
Needs root (the process kubelet) and kubectl; skips otherwise.
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

from kubesim_fixture import Cluster, wait_for  # noqa: E402

KUBECTL_PG = os.environ.get("KUBECTL_PG", os.path.join(ROOT, "build", "kubectl-pg"))
MEMBERS = 3
PGPOOL = 2
READY_TIMEOUT = 240  # seconds: 3 members + pgpool on a loaded 2-core machine


class PgCluster:
    """One rendered and applied cluster: `kubectl-pg` and SQL helpers around it."""

    def __init__(self, kube: Cluster, namespace: str, name: str):
        self.kube, self.namespace, self.name = kube, namespace, name

    # ------------------------------------------------------------ the binary
    def pg(self, *args: str, input: str | None = None, timeout: float = 60,
           namespaced: bool = True) -> subprocess.CompletedProcess:
        cmd = [KUBECTL_PG, *args, *(["-n", self.namespace] if namespaced else [])]
        return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout,
                              env=self.kube.env(), stdin=None if input is not None
                              else subprocess.DEVNULL)

    def status_json(self, *args: str) -> tuple[int, dict]:
        out = self.pg("status", self.name, "-o", "json", *args)
        assert out.returncode in (0, 3), f"status failed ({out.returncode}): {out.stderr}"
        return out.returncode, json.loads(out.stdout)

    def status_between(self, facts, timeout: float = 120) -> tuple[dict, object]:
        """`status -o json` run between two readings of `facts()`; repeated until both
        readings agree (nothing changed while status ran: a WAL record, pgpool's first
        connection to a backend), then (report, facts). Fails at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            before = facts()
            code, report = self.status_json()
            after = facts()
            if before == after:
                return report, after
            assert time.monotonic() < deadline, \
                f"{self.name}: facts kept changing while status ran: {before} != {after}"

    # ------------------------------------------------------------ kubectl
    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.kube.kubectl("-n", self.namespace, *args, check=check)

    def get(self, kind: str, selector: str) -> list[dict]:
        out = self.kubectl("get", kind, "-l", selector, "-o", "json")
        return json.loads(out.stdout)["items"]

    def pods(self, component: str = "database") -> list[dict]:
        return self.get("pods", f"app.kubernetes.io/instance={self.name},"
                                f"app.kubernetes.io/component={component}")

    def sql(self, pod: str, query: str) -> str:
        out = self.kubectl("exec", pod, "-c", "postgres", "--", "psql", "-X", "-A", "-t", "-U",
                           "postgres", "-d", "postgres", "-c", query)
        return out.stdout.strip()

    def pgpool_sql(self, pod: str, query: str) -> list[dict[str, str]]:
        """`query` through pgpool-II itself (port 9999 in pgpool pod `pod`), as the pgpool
        pod's own user (its environment: no password on a command line): rows as
        {column: text}."""
        script = ('PGPASSWORD="$POSTGRES_PASSWORD" exec psql -X -A -F "|" -h 127.0.0.1 '
                  '-p 9999 -U "$POSTGRES_USERNAME" -d postgres -c "$0"')
        out = self.kubectl("exec", pod, "-c", "pgpool", "--", "sh", "-c", script, query)
        header, *rows = out.stdout.strip().splitlines()[:-1]  # drop "(N rows)"
        columns = header.split("|")
        return [dict(zip(columns, row.split("|"))) for row in rows]

    def patroni(self, pod: str, path: str = "patroni") -> dict:
        """GET /<path> of the member's Patroni REST API (port 8008) through the pod proxy."""
        out = self.kubectl("get", "--raw",
                           f"/api/v1/namespaces/{self.namespace}/pods/{pod}:8008/proxy/{path}")
        return json.loads(out.stdout)

    def patch_patroni_config(self, pod: str, patch: dict) -> None:
        """PATCH /config (Patroni's dynamic configuration, what `patronictl edit-config`
        changes) from inside member `pod`, with the REST API credentials of its environment."""
        script = ('exec curl -sS -f -o /dev/null -u '
                  '"$PATRONI_RESTAPI_USERNAME:$PATRONI_RESTAPI_PASSWORD" -X PATCH '
                  '-H "Content-Type: application/json" -d "$0" http://127.0.0.1:8008/config')
        self.kubectl("exec", pod, "-c", "postgres", "--", "sh", "-c", script, json.dumps(patch))

    # ------------------------------------------------------------ state
    @staticmethod
    def ready(pod: dict) -> bool:
        return any(c["type"] == "Ready" and c["status"] == "True"
                   for c in (pod.get("status") or {}).get("conditions", []))

    def leader(self) -> str | None:
        leaders = [p["metadata"]["name"] for p in self.pods()
                   if p["metadata"].get("labels", {}).get("spilo-role") == "master"]
        return leaders[0] if len(leaders) == 1 else None

    def lock_holder(self) -> str:
        """The member holding Patroni's leader lock (ConfigMap NAME-leader), or ""."""
        return self.kubectl("get", "configmap", f"{self.name}-leader", "-o",
                            "jsonpath={.metadata.annotations.leader}").stdout

    def healthy(self) -> bool:
        """Every member Ready, one leader streaming to every replica, pgpool Ready."""
        members = self.pods()
        pgpool = self.pods("pooler")
        if len(members) != MEMBERS or len(pgpool) != PGPOOL:
            return False
        if not all(self.ready(p) for p in members + pgpool):
            return False
        leader = self.leader()
        if leader is None:
            return False
        streaming = self.sql(leader, "select count(*) from pg_stat_replication "
                                     "where state = 'streaming'")
        return streaming == str(MEMBERS - 1)

    def wait_healthy(self, timeout: float = READY_TIMEOUT) -> None:
        def check():
            try:
                return self.healthy()
            except AssertionError:
                return False
        wait_for(check, timeout=timeout, interval=1.0, what=f"cluster {self.name} healthy")


def render_and_apply(kube: Cluster, namespace: str, name: str, *create_args: str) -> PgCluster:
    rendered = subprocess.run([KUBECTL_PG, "create", name, "-n", namespace, "--dry-run=client",
                               "--show-secrets", "-o", "yaml", *create_args],
                              capture_output=True, text=True, timeout=60, check=True)
    kube.kubectl("apply", "--server-side", "-f", "-", input=rendered.stdout)
    return PgCluster(kube, namespace, name)


@pytest.fixture(scope="session")
def kubesim():
    if os.geteuid() != 0:
        pytest.skip("the process kubelet needs root")
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    if not os.access(KUBECTL_PG, os.X_OK):
        pytest.skip(f"no kubectl-pg binary at {KUBECTL_PG} (set KUBECTL_PG)")
    state = tempfile.mkdtemp(prefix="kpg-e2e-status-")
    cluster = Cluster.up(state, "--kubelet", "process")
    yield cluster
    cluster.down()
    if not os.environ.get("KUBESIM_KEEP_STATE"):
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def clusters(kubesim):
    """Three clusters applied at once so they start together: `orders` in st-a (status
    and list; tests that break it restore it), `doomed` in st-b (the delete tests), both
    awaited here, and `synced` in st-c (`--synchronous-mode on`; the failover tests),
    awaited only by the tests that use it."""
    made = {"orders": render_and_apply(kubesim, "st-a", "orders"),
            "doomed": render_and_apply(kubesim, "st-b", "doomed"),
            "synced": render_and_apply(kubesim, "st-c", "synced", "--synchronous-mode", "on")}
    for name in ("orders", "doomed"):
        made[name].wait_healthy()
    return made


@pytest.fixture
def orders(clusters) -> PgCluster:
    cluster = clusters["orders"]
    cluster.wait_healthy()  # a previous test may have broken it
    return cluster


@pytest.fixture
def doomed(clusters) -> PgCluster:
    return clusters["doomed"]


@pytest.fixture
def synced(clusters) -> PgCluster:
    cluster = clusters["synced"]
    cluster.wait_healthy()
    return cluster


def timed(fn, runs: int = 5) -> list[float]:
    """Wall-clock seconds of `runs` calls of fn."""
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        fn()
        times.append(time.monotonic() - t0)
    return times
