#!/usr/bin/python3
"""Benchmark of `kubectl pg status` on a healthy 3-member cluster (prints figures; not a
timed test). Needs root (kubesim's process kubelet: real Patroni, PostgreSQL, pgpool-II).

    tests/e2e/bench_status.py [--runs 20] [--kubectl-pg build/kubectl-pg [--kubectl-pg B ...]]

Starts kubesim, applies a cluster rendered by `kubectl-pg create --dry-run=client` with
the real kubectl, waits until it is healthy, then times `status -o json` and `status`
(table), counts the API requests of one run and prints that run's -v 6 lines (each API
request and each SQL exec with its duration), for finding where the time goes. With
several --kubectl-pg binaries (e.g. main's build and a branch's), each is measured in
turn against the same cluster, so before/after figures share the machine's conditions.
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
    p.add_argument("--kubectl-pg", action="append", help="binary to measure (repeatable); "
                   f"default {status_fixtures.KUBECTL_PG}")
    a = p.parse_args()
    binaries = a.kubectl_pg or [status_fixtures.KUBECTL_PG]
    status_fixtures.KUBECTL_PG = binaries[0]

    state = tempfile.mkdtemp(prefix="kpg-bench-status-")
    kube = Cluster.up(state, "--kubelet", "process")
    try:
        cluster = render_and_apply(kube, "bench", "orders")
        cluster.wait_healthy()
        for binary in binaries:
            status_fixtures.KUBECTL_PG = binary
            print(binary, flush=True)
            for label, args in [("status -o json", ("-o", "json")), ("status (table)", ())]:
                times = timed(lambda: cluster.pg("status", "orders", *args), runs=a.runs)
                print(f"  {label:16s} median {statistics.median(times):.3f} s"
                      f"  min {min(times):.3f} s  max {max(times):.3f} s  ({a.runs} runs)",
                      flush=True)
            log = cluster.pg("status", "orders", "-v", "6")
            requests = [line for line in log.stderr.splitlines() if " GET " in line]
            print(f"  requests per status: {len(requests)}; one run at -v 6:")
            for line in log.stderr.splitlines():
                print(f"    {line}")
    finally:
        kube.down()
        shutil.rmtree(state, ignore_errors=True)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}; command: {' '.join(os.sys.argv)}")


if __name__ == "__main__":
    main()
