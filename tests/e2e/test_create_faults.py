"""`kubectl pg create` when things go wrong, against the shared kubesim: a spec error
applies nothing (exit 2); a read-only user is told which permission is missing; the
API server restarting in the middle of create leaves a partial cluster that a re-run
completes; a cluster that cannot become ready times out with a diagnosis (exit 6) that
names the stuck pod and quotes the end of its log."""
from __future__ import annotations

import re
import subprocess

from create_fixtures import kube  # noqa: F401 (pytest fixtures)
from create_fixtures import KUBECTL_PG, object_lines, run_pg
from kubesim_fixture import wait_for


def _namespace_exists(kube, name: str) -> bool:
    return kube.kubectl("get", "namespace", name, check=False).returncode == 0


def test_spec_error_exits_2_and_applies_nothing(kube):
    out = run_pg(kube, "create", "broken", "-n", "spec-error", "--members", "0",
                 "--pgpool-replicas", "1")
    assert out.returncode == 2, out.stderr
    assert "spec.members" in out.stderr
    assert out.stdout == ""
    assert not _namespace_exists(kube, "spec-error")


def test_readonly_user_is_told_the_missing_permission(kube):
    out = run_pg(kube, "create", "ro", "-n", "readonly-ns", "--wait=false", context="readonly")
    assert out.returncode == 1, out.stderr
    assert "is forbidden" in out.stderr and 'cannot patch resource "namespaces"' in out.stderr, \
        out.stderr
    assert "0 objects were applied; not applied: namespace/readonly-ns" in out.stderr
    assert not _namespace_exists(kube, "readonly-ns")


def test_api_server_restart_mid_create_then_rerun_completes(kube):
    args = ["create", "restart", "-n", "restart", "--members", "1", "--pgpool-replicas", "1",
            "--storage-size", "1Gi", "--wait=false"]
    # 500 ms per request: the 22 objects take ~11 s, so the restart, begun once the first
    # object is applied, lands in the middle. A restarting server finishes the request in
    # flight, then refuses connections for 3 s; create does not retry writes.
    assert kube.cli("fault", "--latency", "500").returncode == 0
    try:
        proc = subprocess.Popen([KUBECTL_PG, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=kube.env(),
                                stdin=subprocess.DEVNULL)
        first = proc.stdout.readline()
        assert first.startswith("namespace/restart created"), first
        restarted = kube.cli("fault", "--restart", "--downtime", "3")
        assert restarted.returncode == 0, restarted.stderr
        rest, err = proc.communicate(timeout=120)
    finally:
        kube.cli("fault", "--clear")
    assert proc.returncode == 1, (first + rest, err)
    applied = object_lines(first + rest)
    summary = re.search(r"^(\d+) objects were applied(?: \(listed above\))?; "
                        r"not applied: (.+)\.$", err, re.MULTILINE)
    assert summary, err
    not_applied = summary.group(2).split(", ")
    assert int(summary.group(1)) == len(applied) >= 1, (applied, err)
    assert len(applied) + len(not_applied) == 22 and not set(applied) & set(not_applied), err
    assert "Re-run the same command" in err, err
    # the API server is back after its downtime (3 s): then the same command completes
    wait_for(lambda: kube.kubectl("get", "--raw", "/readyz", check=False).returncode == 0,
             timeout=30, interval=0.2, what="the API server back after the restart")
    rerun = run_pg(kube, *args)
    assert rerun.returncode == 0, rerun.stderr
    lines = object_lines(rerun.stdout)
    assert len(lines) == 22
    for ref, action in lines.items():  # what the first run applied is unchanged now
        assert action == ("unchanged" if ref in applied else "created"), (ref, action)
    assert {ref for ref, action in lines.items() if action == "created"} == set(not_applied)
    kube.kubectl("delete", "namespace", "restart", "--wait=false")


def test_timeout_explains_which_pod_is_stuck_and_why(kube):
    # An image the process kubelet runs as a plain sleeper: Patroni's port never answers.
    out = run_pg(kube, "create", "stuck", "-n", "stuck", "--members", "1",
                 "--pgpool-replicas", "1", "--storage-size", "1Gi",
                 "--spilo-image", "registry.example.com/not-spilo:1", "--wait", "--timeout", "25s")
    try:
        assert out.returncode == 6, out.stderr
        assert "timed out after 25s waiting for cluster stuck/stuck" in out.stderr
        assert "pod stuck/stuck-0 is Running, not Ready" in out.stderr, out.stderr
        assert "readiness probe failing" in out.stderr
        assert "no leader yet" in out.stderr
        # The sleeper writes no log and kubesim records no Events about pods (only the
        # controllers' FailedCreate), so neither section appears; but the log was read:
        # an unreadable one would be reported as "log of container postgres: <why>".
        assert "log of container postgres:" not in out.stderr, out.stderr
    finally:
        kube.kubectl("delete", "namespace", "stuck", "--wait=false")


def test_timeout_quotes_the_last_log_lines_of_a_hung_member(kube):
    """Real Patroni, hung (cgroup-frozen) as soon as it has logged: the diagnosis names
    the pod and quotes the end of its log exactly as `kubectl logs --tail 12` shows it
    (frozen, it writes nothing more)."""
    proc = subprocess.Popen([KUBECTL_PG, "create", "hung", "-n", "hung", "--members", "1",
                             "--pgpool-replicas", "1", "--storage-size", "1Gi", "--wait",
                             "--timeout", "30s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=kube.env(), stdin=subprocess.DEVNULL)
    try:
        def log_of_hung_0() -> str:
            out = kube.kubectl("logs", "-n", "hung", "hung-0", "-c", "postgres", check=False)
            return out.stdout.strip() if out.returncode == 0 else ""
        wait_for(log_of_hung_0, timeout=60, interval=0.2, what="hung-0's first log line")
        frozen = kube.cli("fault", "freeze", "hung/hung-0")
        assert frozen.returncode == 0, frozen.stderr
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 6, err
        assert "pod hung/hung-0 is Running, not Ready" in err, err
        tail = kube.kubectl("logs", "-n", "hung", "hung-0", "-c", "postgres", "--tail",
                            "12").stdout
        assert tail.strip(), "Patroni logged nothing"
        quoted = "".join(f"    {line}\n" for line in tail.splitlines())
        assert "  last log lines of container postgres:\n" + quoted in err, (err, tail)
    finally:
        proc.kill()
        kube.cli("fault", "thaw", "hung/hung-0")
        kube.kubectl("delete", "namespace", "hung", "--wait=false", check=False)
