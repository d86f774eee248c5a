"""kubectl pg status against a real Patroni cluster under kubesim: the report tells what
SQL on each member says, and turns degraded (exit code 3) when a member is frozen or
killed. Run: see status_fixtures.py."""
from __future__ import annotations

import json
import signal
import subprocess

from kubesim_fixture import wait_for
from status_fixtures import KUBECTL_PG

# The columns of SHOW pool_nodes that status reports, by their JSON name. Left out:
# select_cnt (it counts SELECTs, status's own included) and load_balance_node (pgpool
# picks it per session).
POOL_NODE_COLUMNS = {"nodeId": "node_id", "hostname": "hostname", "port": "port",
                     "status": "status", "pgStatus": "pg_status", "lbWeight": "lb_weight",
                     "role": "role", "pgRole": "pg_role", "replicationDelay": "replication_delay",
                     "replicationState": "replication_state",
                     "replicationSyncState": "replication_sync_state",
                     "lastStatusChange": "last_status_change"}


def sql_facts(cluster, pod: str) -> dict:
    """What PostgreSQL itself says about a member."""
    in_recovery = cluster.sql(pod, "select pg_is_in_recovery()") == "t"
    timeline = cluster.sql(pod, "select received_tli from pg_stat_wal_receiver" if in_recovery
                           else "select timeline_id from pg_control_checkpoint()")
    return {"primary": not in_recovery, "timeline": int(timeline) if timeline else None}


def replication_facts(cluster, leader: str) -> dict[str, tuple[int | None, str]]:
    """The leader's pg_stat_replication: standby -> (bytes of WAL it has not replayed, as
    pg_wal_lsn_diff computes them; its sync_state)."""
    rows = cluster.sql(leader, "select application_name, pg_wal_lsn_diff(pg_current_wal_lsn(), "
                               "replay_lsn)::bigint, sync_state from pg_stat_replication")
    facts = {}
    for row in rows.splitlines():
        name, lag, sync_state = row.split("|")
        facts[name] = (int(lag) if lag else None, sync_state)
    return facts


def as_psql_text(value) -> str:
    """A status JSON value as psql prints the same field (null as empty, floats as pgpool's
    %f)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:f}" if isinstance(value, float) else str(value)


def cluster_truth(cluster) -> dict:
    """What PostgreSQL, Patroni and pgpool-II say, each asked directly."""
    leader = cluster.leader()
    members = sorted(p["metadata"]["name"] for p in cluster.pods())
    pgpools = sorted(p["metadata"]["name"] for p in cluster.pods("pooler"))
    return {
        "leader": leader,
        "replication": replication_facts(cluster, leader) if leader else None,
        "pendingRestart": {pod: bool(cluster.patroni(pod).get("pending_restart"))
                           for pod in members},
        "poolNodes": {pod: [{column: row[column] for column in POOL_NODE_COLUMNS.values()}
                            for row in cluster.pgpool_sql(pod, "SHOW pool_nodes")]
                      for pod in pgpools},
    }


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


def test_status_json_agrees_with_postgres_patroni_and_pgpool(orders):
    report, truth = orders.status_between(lambda: cluster_truth(orders))
    leader = truth["leader"]
    assert report["leader"] == leader
    members = {m["pod"]: m for m in report["members"]}
    for pod, member in members.items():
        # "15.4 (Debian 15.4-1.pgdg120+1)": status shows the version number
        assert member["postgresVersion"] == orders.sql(pod, "show server_version").split()[0], pod
        assert member["pendingRestart"] is truth["pendingRestart"][pod], pod

    # Lag and sync state: the leader's pg_stat_replication, read before and after status
    # with the same answer (nothing was written meanwhile), so exact equality.
    assert set(truth["replication"]) == set(members) - {leader}, truth["replication"]
    for pod, (lag_bytes, sync_state) in truth["replication"].items():
        member = members[pod]
        assert member["lagBytes"] == lag_bytes, (pod, member, lag_bytes)
        assert member["syncState"] == sync_state, (pod, member, sync_state)
        # replay_lag is NULL once an idle standby has caught up: status says 0 s, not unknown
        if lag_bytes == 0:
            assert member["lagSeconds"] is not None and member["lagSeconds"] >= 0, member
    assert (members[leader]["lagBytes"], members[leader]["syncState"]) == (None, None)

    # pgpool's backends as status shows them are what SHOW pool_nodes through that pod says.
    for pgpool in report["pgpool"]:
        assert pgpool["error"] is None, pgpool
        shown = [{column: as_psql_text(backend[key]) for key, column in POOL_NODE_COLUMNS.items()}
                 for backend in pgpool["backends"]]
        assert shown == truth["poolNodes"][pgpool["pod"]], pgpool["pod"]
    assert sorted(p["pod"] for p in report["pgpool"]) == sorted(truth["poolNodes"])


def test_pending_restart_is_what_patroni_says(orders):
    """A postmaster parameter changed in Patroni's dynamic configuration: every member is
    pending a restart (a notice, not a fault) until the change is undone."""
    leader = orders.leader()
    members = sorted(p["metadata"]["name"] for p in orders.pods())

    def pending() -> dict[str, bool]:
        return {pod: bool(orders.patroni(pod).get("pending_restart")) for pod in members}

    current = orders.patroni(leader, "config")["postgresql"]["parameters"]["max_connections"]
    orders.patch_patroni_config(leader, {"postgresql": {"parameters": {
        "max_connections": str(int(current) + 1)}}})
    try:
        wait_for(lambda: all(pending().values()), timeout=90, interval=1,
                 what="Patroni reporting a pending restart on every member")
        report, truth = orders.status_between(pending)
        assert {m["pod"]: m["pendingRestart"] for m in report["members"]} == truth
        assert report["health"] == "healthy", report["problems"]
        notices = [p["message"] for p in report["problems"] if p["reason"] == "PendingRestart"]
        assert len(notices) == len(members), report["problems"]
        assert all(p["severity"] == "notice" for p in report["problems"]), report["problems"]
    finally:
        orders.patch_patroni_config(leader, {"postgresql": {"parameters": {
            "max_connections": current}}})
    wait_for(lambda: not any(pending().values()), timeout=90, interval=1,
             what="Patroni clearing the pending restart once the change is undone")
    report, truth = orders.status_between(pending)
    # GET /cluster (the DCS's copy, updated one HA cycle after the change) may still say
    # pending here: each member's own GET /patroni is the current word.
    dcs_view = {m["name"]: m.get("pending_restart", False)
                for m in orders.patroni(leader, "cluster")["members"]}
    assert {m["pod"]: m["pendingRestart"] for m in report["members"]} == truth, \
        f"status disagrees with GET /patroni; GET /cluster says {dcs_view}"
    assert not any(truth.values())
    assert report["problems"] == [], report["problems"]


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

