"""Drives the hand-written Patroni + pgpool cluster (manifests/patroni-demo.yaml) on a
kubesim started with the process kubelet, using the real kubectl and psql. Shared by
the end-to-end proof (test_process_e2e.py) and the benchmark (bench_process_ha.py)."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KUBESIM = os.path.join(HERE, "..", "kubesim")
MANIFEST = os.path.join(HERE, "manifests", "patroni-demo.yaml")
KUBECTL = "/usr/bin/kubectl"
PSQL = "/usr/lib/postgresql/15/bin/psql"
NS = "db"
SUPERUSER_PASSWORD = "su-secret"


class Cluster:
    def __init__(self, state_dir: str):
        self.state = state_dir
        self.env = dict(os.environ, KUBECONFIG=os.path.join(state_dir, "kubeconfig"))

    # ------------------------------------------------------------- kubesim
    def up(self) -> None:
        subprocess.run([KUBESIM, "up", "--state", self.state, "--kubelet", "process"],
                       check=True, capture_output=True, text=True)

    def down(self) -> subprocess.CompletedProcess:
        return subprocess.run([KUBESIM, "down", "--state", self.state], capture_output=True, text=True)

    def server_pid(self) -> int:
        with open(os.path.join(self.state, "kubesim.json")) as f:
            return int(json.load(f)["pid"])

    # ------------------------------------------------------------- kubectl
    def kubectl(self, *args: str, check: bool = True, timeout: float = 60) -> str:
        r = subprocess.run([KUBECTL, *args], env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r.stdout

    def apply(self) -> None:
        self.kubectl("apply", "-f", MANIFEST)

    def pods(self) -> list[dict]:
        return json.loads(self.kubectl("get", "pods", "-n", NS, "-o", "json"))["items"]

    def members(self) -> list[dict]:
        return [p for p in self.pods() if p["metadata"]["name"].startswith("demo-")]

    @staticmethod
    def ready(pod: dict) -> bool:
        return any(c["type"] == "Ready" and c["status"] == "True"
                   for c in (pod.get("status") or {}).get("conditions", []))

    def leaders(self) -> list[dict]:
        return [p for p in self.members() if p["metadata"].get("labels", {}).get("role") == "master"]

    def service_ip(self, name: str) -> str:
        return self.kubectl("get", "svc", "-n", NS, name, "-o", "jsonpath={.spec.clusterIP}")

    def endpoint_ips(self, name: str) -> list[str]:
        ep = json.loads(self.kubectl("get", "endpoints", "-n", NS, name, "-o", "json"))
        return [a["ip"] for s in ep.get("subsets") or [] for a in s.get("addresses") or []]

    def exec_sql(self, pod: str, sql: str) -> str:
        return self.kubectl("exec", "-n", NS, pod, "-c", "postgres", "--", "psql", "-U", "postgres",
                            "-Atc", sql)

    def streaming_replicas(self, leader: str) -> list[str]:
        out = self.exec_sql(leader, "select application_name from pg_stat_replication "
                                    "where state = 'streaming' order by 1")
        return out.split()

    # ------------------------------------------------------------------ SQL
    def psql(self, host: str, sql: str, timeout: int = 3) -> subprocess.CompletedProcess:
        env = dict(os.environ, PGPASSWORD=SUPERUSER_PASSWORD, PGCONNECT_TIMEOUT=str(timeout))
        return subprocess.run([PSQL, "-h", host, "-U", "postgres", "-d", "postgres", "-Atc", sql],
                              env=env, capture_output=True, text=True, timeout=timeout + 5)

    def wait(self, pred, timeout: float, what: str, interval: float = 0.25):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = pred()
            except (AssertionError, subprocess.SubprocessError, ValueError) as e:
                last = e
            if last and not isinstance(last, Exception):
                return last
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")

    def delete_leader_while_writing(self, pgpool: str) -> "Failover":
        """Deletes the leader pod while a Writer inserts through `pgpool` (the table
        failover_probe must exist); returns once writes flow again on the new primary."""
        leader = self.leaders()[0]
        f = Failover(leader["metadata"]["name"], leader["status"]["podIP"], Writer(pgpool))
        f.writer.start()
        self.wait(lambda: len(f.writer.acked) >= 20, 30, "writes flowing")
        t_delete = time.monotonic()
        self.kubectl("delete", "pod", "-n", NS, f.old_leader, "--wait=false")

        def primary_moved():
            ips = self.endpoint_ips("demo-primary")
            return ips if ips and ips != [f.old_ip] else None
        f.new_ips = self.wait(primary_moved, 30, "the primary Service to follow the new leader", 0.1)
        t_switch = time.monotonic()
        self.wait(lambda: f.writer.first_ack_after(t_switch), 30, "a write on the new primary", 0.1)
        t_write = f.writer.first_ack_after(t_switch)
        self.wait(lambda: sum(1 for _, t in f.writer.acked if t > t_write) >= 10, 30,
                  "more writes on the new primary")
        f.writer.stop()
        f.service_moved_s, f.first_write_s = t_switch - t_delete, t_write - t_delete
        assert len(f.new_ips) == 1, f"the primary Service has endpoints {f.new_ips}"
        f.lost = f.writer.acknowledged() - self.primary_rows(f.new_ips[0])
        return f

    def primary_rows(self, ip: str) -> set[int]:
        """The sequence numbers in failover_probe on the primary at `ip`, read from that
        server itself. Not through pgpool: it load-balances a plain SELECT to backend 1
        (the demo-replica Service), and right after a failover the surviving replica
        is still restarting to follow the new timeline, so it misses the newest writes."""
        r = self.psql(ip, "select pg_is_in_recovery(), coalesce(string_agg(seq::text, ' '), '') "
                          "from failover_probe")
        assert r.returncode == 0, r.stderr
        in_recovery, seqs = r.stdout.strip().split("|")
        assert in_recovery == "f", f"{ip} is in recovery: not the primary any more"
        return {int(x) for x in seqs.split()}

    def member_rows(self, pod: str) -> set[int]:
        """The sequence numbers in failover_probe on one member (primary or replica)."""
        return {int(x) for x in self.exec_sql(pod, "select seq from failover_probe").split()}

    def healthy(self) -> bool:
        """3 members Ready, exactly one leader with 2 streaming replicas, pgpool Ready."""
        pods = self.pods()
        members = [p for p in pods if p["metadata"]["name"].startswith("demo-")]
        pgpool = [p for p in pods if p["metadata"]["name"].startswith("pgpool-")]
        if len(members) != 3 or not all(self.ready(p) for p in members + pgpool) or not pgpool:
            return False
        leaders = [p for p in members if p["metadata"].get("labels", {}).get("role") == "master"]
        if len(leaders) != 1:
            return False
        return len(self.streaming_replicas(leaders[0]["metadata"]["name"])) == 2


class Failover:
    """What delete_leader_while_writing saw (seconds are counted from the delete)."""

    def __init__(self, old_leader: str, old_ip: str, writer: "Writer"):
        self.old_leader, self.old_ip, self.writer = old_leader, old_ip, writer
        self.new_ips: list[str] = []
        self.service_moved_s = self.first_write_s = 0.0
        self.lost: set[int] = set()

    def ack_servers(self) -> list[tuple[str, int]]:
        """The servers that acknowledged the writes, in order, as (address, run length):
        [(old primary, n), (new primary, m)] when pgpool switched once and cleanly."""
        servers = (self.writer.servers[seq][0] for seq, _ in self.writer.acked)
        return [(ip, len(list(run))) for ip, run in itertools.groupby(servers)]

    def loss_report(self) -> str:
        """The lost sequence numbers with the server and WAL LSN that acknowledged each."""
        return (f"acknowledged writes lost: {sorted(self.lost)}; old primary {self.old_ip}, new "
                f"{self.new_ips}; acknowledged by (seq, server, LSN): "
                f"{[(s, *self.writer.servers[s]) for s in sorted(self.lost)]}")


class Writer(threading.Thread):
    """One autocommit INSERT every `period` seconds through `host`, reconnecting after
    errors; `acked` holds (sequence number, time) of every INSERT that returned success,
    `servers` the server address and WAL insert LSN that acknowledged each sequence
    number (what a loss report names)."""

    def __init__(self, host: str, period: float = 0.05):
        super().__init__(daemon=True)
        self.host, self.period = host, period
        self.acked: list[tuple[int, float]] = []     # (seq, monotonic time of the ack)
        self.servers: dict[int, tuple[str, str]] = {}  # seq -> (inet_server_addr, LSN)
        self.errors = 0
        self._halt = threading.Event()

    def run(self) -> None:
        import psycopg2
        seq, conn = 0, None
        while not self._halt.is_set():
            seq += 1
            try:
                if conn is None:
                    conn = psycopg2.connect(host=self.host, user="postgres", dbname="postgres",
                                            password=SUPERUSER_PASSWORD, connect_timeout=1)
                    conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("insert into failover_probe(seq) values (%s) returning "
                                "host(inet_server_addr()), pg_current_wal_insert_lsn()::text", (seq,))
                    self.servers[seq] = cur.fetchone()
                self.acked.append((seq, time.monotonic()))
            except psycopg2.Error:
                self.errors += 1
                try:
                    if conn is not None:
                        conn.close()
                except psycopg2.Error:
                    pass
                conn = None
            self._halt.wait(self.period)
        if conn is not None:
            conn.close()

    def acknowledged(self) -> set[int]:
        return {seq for seq, _ in self.acked}

    def first_ack_after(self, t: float) -> float | None:
        return next((at for _seq, at in self.acked if at > t), None)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


def process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
