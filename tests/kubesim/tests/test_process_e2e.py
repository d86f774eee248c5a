"""End-to-end proof of the process kubelet: a hand-written Patroni StatefulSet of three
Spilo members, a pgpool-II Deployment and Services, applied with the real kubectl.
Real Patroni elects a leader through kubesim, replicas stream, SQL through the pgpool
Service reaches the leader, kubectl exec/logs work, deleting the leader pod fails over
with no acknowledged write lost (read on the new primary itself), the deleted pod
returns as a replica on its old volume and replays every acknowledged write, and
`kubesim down` leaves no process behind, also after a failure. Needs root; skipped
otherwise."""
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from patroni_cluster import NS, Cluster  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the process kubelet needs root")


def _our_processes(state: str, slot: str) -> list[str]:
    """Processes that belong to this kubesim: in its cgroup tree, or naming its state dir."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cgroup") as f:
                cg = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"/kubesim-{slot}/" in cg or state in cmd:
            found.append(f"{pid}: {cmd}")
    return found


@pytest.fixture
def cluster(tmp_path):
    """A kubesim with the process kubelet. Afterwards, whether the test passed or failed,
    `kubesim down` must succeed and leave no process and no network namespace behind."""
    state = str(tmp_path / "kubesim")
    c = Cluster(state)
    c.up()                  # stops what it started when it fails
    slot = open(os.path.join(state, "network-slot")).read().strip()
    yield c                 # pytest resumes here whatever the test's outcome
    r = c.down()
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 10
    while _our_processes(state, slot) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _our_processes(state, slot) == []
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"ksim{slot}-" not in netns


def test_patroni_cluster_elects_replicates_fails_over_and_cleans_up(cluster):
    c = cluster
    t0 = time.monotonic()
    c.apply()
    c.wait(c.healthy, 120, "3 ready members, one leader, 2 streaming replicas")
    print(f"\napply -> ready 3-member cluster: {time.monotonic() - t0:.1f} s")

    # exactly one leader, elected through kubesim: the lock object names it
    leaders = c.leaders()
    assert len(leaders) == 1
    leader = leaders[0]["metadata"]["name"]
    lock = c.kubectl("get", "configmap", "-n", NS, "demo-leader",
                     "-o", "jsonpath={.metadata.annotations.leader}")
    assert lock == leader
    replicas = sorted(p["metadata"]["name"] for p in c.members()
                      if p["metadata"]["name"] != leader)
    assert c.streaming_replicas(leader) == replicas
    assert "the leader with the lock" in c.kubectl("logs", "-n", NS, leader, "--tail", "50")

    # SQL through the pgpool Service reaches the leader
    pgpool = c.service_ip("pgpool")
    leader_ip = leaders[0]["status"]["podIP"]
    r = c.psql(pgpool, "create table failover_probe(seq int primary key); "
                       "select inet_server_addr(), pg_is_in_recovery()")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == f"{leader_ip}|f"
    c.kubectl("exec", "-n", NS, leader, "--", "sh", "-c",
              "echo old-volume > /home/postgres/pgdata/marker")

    # delete the leader pod while writing through pgpool: a graceful deletion (SIGTERM,
    # Patroni stops PostgreSQL, whose shutdown ships all WAL to the streaming replicas),
    # so even with asynchronous replication no acknowledged write may be lost
    f = c.delete_leader_while_writing(pgpool)
    print(f"failover: primary Service moved after {f.service_moved_s:.2f} s, first write "
          f"acknowledged {f.first_write_s:.2f} s after the delete; writes acknowledged by "
          f"{f.ack_servers()}")
    assert f.service_moved_s < 30
    new_leader = c.wait(lambda: [p for p in c.leaders()], 30, "a new leader")[0]
    new_name = new_leader["metadata"]["name"]
    assert new_name != leader
    assert [new_leader["status"]["podIP"]] == f.new_ips
    assert f.lost == set(), f.loss_report()
    # pgpool sent every write to the old primary, then every write to the new one
    assert [ip for ip, _ in f.ack_servers()] == [f.old_ip, f.new_ips[0]]

    # the deleted pod comes back as a replica on its old volume
    def returned():
        p = [m for m in c.members() if m["metadata"]["name"] == leader]
        return p and c.ready(p[0]) and p[0]["metadata"]["labels"].get("role") == "replica"
    c.wait(returned, 90, f"{leader} back as a replica")
    assert c.kubectl("exec", "-n", NS, leader, "--", "cat",
                     "/home/postgres/pgdata/marker").strip() == "old-volume"
    c.wait(lambda: leader in c.streaming_replicas(new_name), 60,
           f"{leader} streaming from the new leader")
    # ... and replays every acknowledged write from the new leader's timeline
    acked = f.writer.acknowledged()
    c.wait(lambda: acked <= c.member_rows(leader), 30,
           f"every acknowledged write replayed on {leader}")
