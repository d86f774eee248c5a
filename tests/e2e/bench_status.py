#!/usr/bin/python3
"""Benchmark of `kubectl pg status` on a healthy 3-member cluster (prints figures; not a
timed test). Needs root (kubesim's process kubelet: real Patroni, PostgreSQL, pgpool-II).

    tests/e2e/bench_status.py [--runs 20] [--kubectl-pg build/kubectl-pg]

Starts kubesim, applies a cluster rendered by `kubectl-pg create --dry-run=client` with
the real kubectl, waits until it is healthy, then times `status -o json` and `status`
(table) and counts the API requests of one run (-v 6).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile

import status_fixtures
from status_fixtures import Cluster, render_and_apply, timed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--kubectl-pg", default=status_fixtures.KUBECTL_PG)
    a = p.parse_args()
    status_fixtures.KUBECTL_PG = a.kubectl_pg

    state = tempfile.mkdtemp(prefix="kpg-bench-status-")
    kube = Cluster.up(state, "--kubelet", "process")
    try:
        cluster = render_and_apply(kube, "bench", "orders")
        cluster.wait_healthy()
        for label, args in [("status -o json", ("-o", "json")), ("status (table)", ())]:
            times = timed(lambda: cluster.pg("status", "orders", *args), runs=a.runs)
            print(f"{label:16s} median {statistics.median(times):.3f} s  min {min(times):.3f} s"
                  f"  max {max(times):.3f} s  ({a.runs} runs)", flush=True)
        log = cluster.pg("status", "orders", "-v", "6")
        requests = [line for line in log.stderr.splitlines() if " GET " in line]
        print(f"requests per status: {len(requests)}")
    finally:
        kube.down()
        shutil.rmtree(state, ignore_errors=True)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}; command: {' '.join(os.sys.argv)}")


if __name__ == "__main__":
    main()
