#!/usr/bin/python3
"""Benchmark of the process kubelet with the Patroni demo cluster (prints figures).

    sudo /usr/bin/python3 tests/kubesim/tests/bench_process_ha.py [--idle-seconds 30]

Measures, on a fresh kubesim (`kubesim up --kubelet process`):
- apply -> ready: from `kubectl apply -f manifests/patroni-demo.yaml` until 3 members
  are Ready with one leader and 2 streaming replicas, and pgpool is Ready;
- kubesim's own CPU (% of one core) and RSS with that cluster idle, over --idle-seconds;
- failover: a writer inserts every 50 ms through the pgpool Service while the leader
  pod is deleted; time until the primary Service's endpoints move, and until the first
  acknowledged write after that; acknowledged writes lost.
"""
import argparse
import os
import platform
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from patroni_cluster import Cluster, process_cpu_seconds, process_rss_kib  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--idle-seconds", type=float, default=30.0)
    a = ap.parse_args()
    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    print(f"machine: {platform.node()} {platform.system()} {platform.release()}, {os.cpu_count()} CPUs "
          f"({cpu}), load average {os.getloadavg()[0]:.2f}")
    print(f"command: {' '.join(sys.argv)}")
    with tempfile.TemporaryDirectory(prefix="kubesim-bench-") as tmp:
        c = Cluster(os.path.join(tmp, "state"))
        c.up()
        try:
            t0 = time.monotonic()
            c.apply()
            c.wait(c.healthy, 180, "a healthy cluster")
            print(f"apply -> ready 3-member cluster: {time.monotonic() - t0:.1f} s (goal < 45 s)")

            pid = c.server_pid()
            cpu0, w0 = process_cpu_seconds(pid), time.monotonic()
            time.sleep(a.idle_seconds)
            share = (process_cpu_seconds(pid) - cpu0) / (time.monotonic() - w0) * 100
            print(f"kubesim idle: {share:.1f} % of one core over {a.idle_seconds:.0f} s (goal < 5 %), "
                  f"RSS {process_rss_kib(pid) / 1024:.0f} MiB")

            pgpool = c.service_ip("pgpool")
            r = c.psql(pgpool, "create table failover_probe(seq int primary key)")
            assert r.returncode == 0, r.stderr
            f = c.delete_leader_while_writing(pgpool)
            print(f"failover (leader pod deleted): primary Service moved after {f.service_moved_s:.2f} s, "
                  f"first acknowledged write after {f.first_write_s:.2f} s (goal < 15 s); "
                  f"acknowledged writes lost: {len(f.lost)} of {len(f.writer.acked)}")
        finally:
            c.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
