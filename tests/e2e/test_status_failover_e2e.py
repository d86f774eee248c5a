"""kubectl pg status on a cluster with synchronous replication (`create --synchronous-mode
on`), before and after a failover: the synchronous standby is the one PostgreSQL
replicates to synchronously, and when the leader hangs, status shows the promoted member,
the next timeline and the failover's time; resumed, the old leader rejoins as a replica
of the new timeline (status asks a hung Patroni nothing but GET /patroni: see
src/pg/patroni_dcs.hpp for what GET /cluster did). Its own cluster (`synced` in st-c), so the
other modules' `orders` keeps its leader. Run: see status_fixtures.py."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from kubesim_fixture import wait_for

TIMEOUT = 240  # seconds: Patroni's ttl (30 s) and a rejoin with pg_rewind, on a loaded machine


def sync_states(cluster) -> tuple[str | None, dict[str, str]]:
    """The labelled leader and its pg_stat_replication: standby -> sync_state."""
    leader = cluster.leader()
    if leader is None:
        return None, {}
    rows = cluster.sql(leader, "select application_name, sync_state from pg_stat_replication")
    return leader, dict(row.split("|") for row in rows.splitlines())


def wait_for_sync_standby(cluster) -> None:
    wait_for(lambda: "sync" in sync_states(cluster)[1].values(), timeout=TIMEOUT, interval=1,
             what=f"{cluster.name}: a synchronous standby in pg_stat_replication")


def wal_timeline(cluster, pod: str) -> int:
    """The timeline of the WAL the member writes now (its current WAL file's first 8 hex
    digits): right after a promotion, unlike pg_control_checkpoint()."""
    return int(cluster.sql(pod, "select pg_walfile_name(pg_current_wal_lsn())")[:8], 16)


def test_sync_standby_is_the_member_postgres_replicates_to_synchronously(synced):
    wait_for_sync_standby(synced)
    report, (leader, states) = synced.status_between(lambda: sync_states(synced))
    assert report["health"] == "healthy", report["problems"]
    assert report["leader"] == leader
    members = {m["pod"]: m for m in report["members"]}
    assert set(states) == set(members) - {leader}, states
    assert list(states.values()).count("sync") == 1, states  # synchronous_node_count 1
    for pod, state in states.items():
        assert members[pod]["syncState"] == state, (pod, members[pod])
        assert members[pod]["role"] == ("sync_standby" if state == "sync" else "replica"), \
            (pod, members[pod], state)


def test_failover_shows_the_new_leader_timeline_and_time(synced):
    wait_for_sync_standby(synced)
    code, before = synced.status_json()
    assert code == 0, before["problems"]
    old, timeline = before["leader"], before["timeline"]
    sync_standby = [m["pod"] for m in before["members"] if m["role"] == "sync_standby"]
    assert len(sync_standby) == 1, before["members"]
    if timeline == 1:
        assert before["lastFailover"] is None, before["lastFailover"]

    hung_at = datetime.now(timezone.utc).replace(microsecond=0)
    frozen = synced.kube.cli("fault", "freeze", f"{synced.namespace}/{old}")
    assert frozen.returncode == 0, frozen.stderr
    try:
        # Nothing but GET /patroni is asked of Patroni: a GET /cluster queued at the hung
        # Patroni would reload its DCS view beside its first HA cycle once it resumes
        # (src/pg/patroni_dcs.hpp), and that has let the old primary take the lock back.
        traced = synced.pg("status", synced.name, "-o", "json", "-v", "6")
        proxied = re.findall(r"\S+:8008/proxy/\S*", traced.stderr)
        assert proxied and all(url.endswith("/proxy/patroni") for url in proxied), traced.stderr

        # Patroni takes the lock, promotes, and records the timeline switch in the
        # history one HA cycle later: status shows each step as it lands.
        def failed_over():
            _, report = synced.status_json()
            done = report["leader"] not in (None, old) and \
                report["lastFailover"] not in (None, before["lastFailover"])
            return report if done else None
        after = wait_for(failed_over, timeout=TIMEOUT, interval=1,
                         what=f"a leader other than the hung {old}, its timeline switch recorded")
        new = after["leader"]
        assert synced.lock_holder() == new
        # synchronous_mode: only the synchronous standby may be promoted
        assert new == sync_standby[0], (new, sync_standby)
        assert after["timeline"] == timeline + 1, after
        assert wal_timeline(synced, new) == timeline + 1
        failover = after["lastFailover"]
        assert (failover["newLeader"], failover["timeline"]) == (new, timeline + 1), failover
        happened = datetime.fromisoformat(failover["time"].replace("Z", "+00:00"))
        assert happened >= hung_at, (failover, hung_at)
        assert after["health"] == "degraded"  # the hung member is not answering
    finally:
        synced.kube.cli("fault", "thaw", f"{synced.namespace}/{old}")

    # The old leader comes back as a replica of the new timeline; no new failover.
    out = synced.pg("status", synced.name, "--watch", "--until", "healthy", "--timeout",
                    f"{TIMEOUT}s", "--interval", "2s", "-o", "json", timeout=TIMEOUT + 30)
    assert out.returncode == 0, out.stderr
    code, healed = synced.status_json()
    assert code == 0, healed["problems"]
    assert (healed["leader"], healed["timeline"]) == (new, timeline + 1), healed
    assert synced.lock_holder() == new
    rejoined = next(m for m in healed["members"] if m["pod"] == old)
    assert rejoined["role"] in ("replica", "sync_standby"), rejoined
    assert (rejoined["timeline"], rejoined["streaming"]) == (timeline + 1, True), rejoined
    assert healed["lastFailover"] == failover
