"""kubectl pg status against a real Patroni cluster under kubesim: the report tells what
SQL on each member says, and turns degraded (exit code 3) when a member is frozen or
killed. Run: see status_fixtures.py."""
from __future__ import annotations

import json
import signal
import subprocess

from status_fixtures import KUBECTL_PG


def sql_facts(cluster, pod: str) -> dict:
    """What PostgreSQL itself says about a member."""
    in_recovery = cluster.sql(pod, "select pg_is_in_recovery()") == "t"
    timeline = cluster.sql(pod, "select received_tli from pg_stat_wal_receiver" if in_recovery
                           else "select timeline_id from pg_control_checkpoint()")
    return {"primary": not in_recovery, "timeline": int(timeline) if timeline else None}


def test_status_json_matches_sql(orders):
    code, report = orders.status_json()
    assert code == 0, report["problems"]
    assert report["kind"] == "ClusterStatus" and report["schemaVersion"] == 1
    assert report["health"] == "healthy"
    assert (report["membersDesired"], report["membersReady"]) == (3, 3)
    assert (report["pgpoolDesired"], report["pgpoolReady"]) == (2, 2)
    # SQL over exec answered everywhere: no problem at all, not even a notice.
    assert report["problems"] == [], report["problems"]

    members = {m["pod"]: m for m in report["members"]}
    assert sorted(members) == ["orders-0", "orders-1", "orders-2"]
    leader = report["leader"]
    for pod, member in members.items():
        facts = sql_facts(orders, pod)
        assert (member["role"] == "leader") == facts["primary"], (pod, member["role"], facts)
        assert member["timeline"] == facts["timeline"], (pod, member["timeline"], facts)
        assert member["ready"] is True
        assert member["postgresVersion"].startswith("15."), member["postgresVersion"]
    assert members[leader]["role"] == "leader"
    assert report["timeline"] == sql_facts(orders, leader)["timeline"]

    streaming = set(orders.sql(leader, "select application_name from pg_stat_replication "
                                       "where state = 'streaming'").split())
    replicas = {pod for pod in members if pod != leader}
    assert streaming == replicas
    for pod in replicas:
        assert members[pod]["streaming"] is True, members[pod]
        assert members[pod]["lagBytes"] is not None
        # pg_stat_replication.replay_lag: null until the standby has replayed a record
        # since it connected, then seconds.
        lag = members[pod]["lagSeconds"]
        assert lag is None or (isinstance(lag, (int, float)) and lag >= 0), members[pod]
    assert members[leader]["lagSeconds"] is None

    # SHOW pool_nodes through each pgpool pod: backend 0 the primary Service, backend 1
    # the replica Service (templates/patroni/31-configmap-pgpool.yaml), neither down
    # ("waiting" until pgpool's first connection to it: health checks are off).
    assert len(report["pgpool"]) == 2, report["pgpool"]
    for pgpool in report["pgpool"]:
        assert pgpool["error"] is None, pgpool
        backends = pgpool["backends"]
        assert [(b["nodeId"], b["hostname"].split(".")[0], b["role"]) for b in backends] == [
            (0, "orders-primary", "primary"), (1, "orders-replica", "standby")], backends
        assert all(b["status"] in ("up", "waiting") for b in backends), backends

    services = {s["name"]: s for s in report["services"]}
    assert set(services) == {"orders-headless", "orders-primary", "orders-replica",
                             "orders-pgpool"}
    leader_ip = members[leader]["podIP"]
    assert services["orders-primary"]["readyEndpoints"] == [f"{leader_ip}:5432"]
    assert [v["phase"] for v in report["volumes"]] == ["Bound"] * 3


def test_status_table(orders):
    out = orders.pg("status", "orders")
    assert out.returncode == 0, out.stderr
    for section in ("Members", "pgpool", "Services", "Storage"):
        assert f"\n{section}\n" in out.stdout, out.stdout
    assert "orders-primary" in out.stdout


def test_status_degraded_while_a_replica_is_frozen(orders):
    replica = next(m for m in ("orders-1", "orders-2") if m != orders.leader())
    frozen = orders.kube.cli("fault", "freeze", f"st-a/{replica}")
    assert frozen.returncode == 0, frozen.stderr
    try:
        out = orders.pg("status", "orders", "--watch", "--until", "degraded", "--timeout", "90s",
                        "--interval", "1s", "-o", "json", timeout=120)
        assert out.returncode == 3, out.stderr
        last = json.loads(out.stdout[out.stdout.rindex('{\n  "kind"'):])
        reasons = {p["reason"] for p in last["problems"] if p["severity"] == "warning"}
        assert reasons & {"PatroniUnreadable", "PodNotReady"}, last["problems"]
        member = next(m for m in last["members"] if m["pod"] == replica)
        assert member["patroniError"] or not member["ready"], member
    finally:
        orders.kube.cli("fault", "thaw", f"st-a/{replica}")
    out = orders.pg("status", "orders", "--watch", "--until", "healthy", "--timeout", "180s",
                    "-o", "json", timeout=200)
    assert out.returncode == 0, out.stderr


def test_status_degraded_after_a_member_is_killed(orders):
    replica = next(m for m in ("orders-1", "orders-2") if m != orders.leader())
    # A watch started before the fault sees the cluster go degraded, then recover.
    watch = subprocess.Popen([KUBECTL_PG, "status", "orders", "-n", "st-a", "--watch", "-o",
                              "json", "--interval", "200ms", "--until", "degraded",
                              "--timeout", "120s"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=orders.kube.env())
    try:
        first = watch.stdout.readline()
        assert first.startswith("{"), first + watch.stderr.read()
        killed = orders.kube.cli("fault", "kill", f"st-a/{replica}")
        assert killed.returncode == 0, killed.stderr
        rest, err = watch.communicate(timeout=150)
    finally:
        watch.kill()
    assert watch.returncode == 3, err
    last = json.loads(rest[rest.rindex('{\n  "kind"'):])
    assert last["health"] == "degraded"
    reasons = {p["reason"] for p in last["problems"] if p["severity"] == "warning"}
    assert reasons & {"MembersMissing", "PodNotReady", "PatroniUnreadable",
                      "ReplicaNotStreaming"}, last["problems"]
    orders.wait_healthy()
    code, _ = orders.status_json()
    assert code == 0


def test_status_watch_ends_on_sigint_with_130(orders):
    watch = subprocess.Popen([KUBECTL_PG, "status", "orders", "-n", "st-a", "--watch", "-o",
                              "json", "--interval", "1s"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=orders.kube.env())
    first = watch.stdout.readline()
    assert first.startswith("{"), first
    watch.send_signal(signal.SIGINT)
    watch.communicate(timeout=30)
    assert watch.returncode == 130


def test_status_of_a_missing_cluster_is_not_found(orders):
    out = orders.pg("status", "nosuch")
    assert out.returncode == 1
    assert 'cluster "nosuch" not found in namespace "st-a"' in out.stderr


def test_status_with_an_unreachable_api_server_exits_4(orders):
    out = subprocess.run([KUBECTL_PG, "status", "orders", "-n", "st-a", "-s",
                          "https://127.0.0.1:1", "--request-timeout", "5s"],
                         capture_output=True, text=True, timeout=60, env=orders.kube.env())
    assert out.returncode == 4, out.stderr

