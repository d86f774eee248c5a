#!/usr/bin/python3
"""Benchmark of `kubectl pg list -A` over many clusters (prints figures; not a timed test).

    tests/e2e/bench_list.py [--clusters 10000] [--namespaces 100] [--members 1]
                            [--pgpool 1] [--runs 5] [--state DIR] [--keep]
                            [--kubectl-pg build/kubectl-pg]

Starts kubesim with the virtual kubelet and creates, through the API, what `list` reads
of each cluster: a StatefulSet (`--members` pods whose template carries Patroni's leader
label, so each cluster of one member has a leader) and a pgpool Deployment (`--pgpool`
pods), with the labels kubectl-pg's templates write. Once every pod is Running it times,
`--runs` times each (median and min):
  - kubectl-pg list -A            (3 paginated LISTs: StatefulSets, Deployments, leader pods)
  - kubectl get statefulsets -A -l app.kubernetes.io/managed-by=kubectl-pg
and the same two with -o json, and counts kubectl-pg's requests (-v 6).
With --state DIR of an earlier --keep run, its objects are reused, and clusters are added
only up to --clusters (a store that stopped loading early can be topped up).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import ssl
import statistics
import subprocess
import tempfile
import time

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KUBESIM = os.path.join(ROOT, "tests", "kubesim", "kubesim")
MANAGED = "app.kubernetes.io/managed-by=kubectl-pg"


def labels(name: str, app: str, component: str) -> dict:
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": name,
            "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": name,
            "app.kubernetes.io/managed-by": "kubectl-pg"}


def statefulset(name: str, members: int) -> dict:
    pod_labels = dict(labels(name, "postgresql", "database"), **{"spilo-role": "master"})
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "labels": labels(name, "postgresql", "database")},
            "spec": {"replicas": members, "serviceName": f"{name}-headless",
                     "podManagementPolicy": "Parallel",
                     "selector": {"matchLabels": {"app.kubernetes.io/name": "postgresql",
                                                  "app.kubernetes.io/instance": name}},
                     "template": {"metadata": {"labels": pod_labels}, "spec": {
                         "containers": [{"name": "postgres",
                                         "image": "ghcr.io/zalando/spilo-17:4.0-p3"}]}}}}


def deployment(name: str, replicas: int) -> dict:
    pod_labels = labels(name, "pgpool", "pooler")
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"{name}-pgpool", "labels": pod_labels},
            "spec": {"replicas": replicas,
                     "selector": {"matchLabels": {"app.kubernetes.io/name": "pgpool",
                                                  "app.kubernetes.io/instance": name}},
                     "template": {"metadata": {"labels": pod_labels}, "spec": {
                         "containers": [{"name": "pgpool",
                                         "image": "docker.io/pgpool/pgpool:4.4.3"}]}}}}


async def count(s: aiohttp.ClientSession, url: str, path: str) -> int:
    """How many objects a LIST of `path` returns (one item and remainingItemCount)."""
    async with s.get(f"{url}{path}?limit=1&labelSelector={MANAGED}") as r:
        body = await r.json()
    return len(body["items"]) + (body["metadata"].get("remainingItemCount") or 0)


async def load(url: str, ctx: ssl.SSLContext, a) -> None:
    conn = aiohttp.TCPConnector(ssl=ctx, limit=a.concurrency)
    async with aiohttp.ClientSession(connector=conn) as s:
        namespaces = [f"bench-{i}" for i in range(a.namespaces)]
        for ns in namespaces:
            async with s.post(url + "/api/v1/namespaces", json={"metadata": {"name": ns}}) as r:
                assert r.status in (201, 409), await r.text()  # 409: kept from a --keep run
        # Clusters are numbered in creation order: a kept store holds the first ones but
        # for the up to --concurrency in flight when its load stopped, so that many
        # before the count are offered again (409 for those that exist).
        made = await count(s, url, "/apis/apps/v1/deployments")
        if made >= a.clusters:
            return
        first = max(0, made - a.concurrency)
        queue: asyncio.Queue = asyncio.Queue()
        for i in range(first, a.clusters):
            queue.put_nowait((namespaces[i % a.namespaces], f"pg-{i}"))

        async def post(path: str, body: dict) -> None:
            async with s.post(url + path, json=body) as r:
                if r.status == 409:
                    return  # made by the kept run, whose load stopped around this cluster
                if r.status != 201:
                    raise RuntimeError(f"{r.status}: {await r.text()}")

        async def worker():
            while not queue.empty():
                ns, name = queue.get_nowait()
                await post(f"/apis/apps/v1/namespaces/{ns}/statefulsets",
                           statefulset(name, a.members))
                await post(f"/apis/apps/v1/namespaces/{ns}/deployments",
                           deployment(name, a.pgpool))
        t0 = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(a.concurrency)))
        print(f"created clusters {first} to {a.clusters - 1} (StatefulSet + Deployment) in "
              f"{time.monotonic() - t0:.1f} s", flush=True)
        want = a.clusters * (a.members + a.pgpool)
        deadline = time.monotonic() + 1800
        while True:
            async with s.get(f"{url}/api/v1/pods?limit=1&fieldSelector=status.phase%3DRunning"
                             ) as r:
                body = await r.json()
            running = len(body["items"]) + (body["metadata"].get("remainingItemCount") or 0)
            if running >= want:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"only {running} of {want} pods Running after 30 min")
            await asyncio.sleep(3)
        print(f"all {want} pods Running {time.monotonic() - t0:.1f} s after the first create",
              flush=True)
        last, deadline = None, time.monotonic() + 600
        while time.monotonic() < deadline:  # until the controllers are idle
            async with s.get(url + "/kubesim/state") as r:
                now = (await r.json())["resourceVersion"]
            if now == last:
                break
            last = now
            await asyncio.sleep(3)


def timed(cmd: list[str], env: dict, runs: int) -> tuple[float, float, str]:
    times, out = [], ""
    for _ in range(runs):
        t0 = time.monotonic()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        times.append(time.monotonic() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr}")
        out = done.stdout
    return statistics.median(times), min(times), out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clusters", type=int, default=10000)
    p.add_argument("--namespaces", type=int, default=100)
    p.add_argument("--members", type=int, default=1)
    p.add_argument("--pgpool", type=int, default=1)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--state", help="state directory (default: a temporary one)")
    p.add_argument("--keep", action="store_true", help="keep kubesim running and its state")
    p.add_argument("--kubectl-pg", default=os.path.join(ROOT, "build", "kubectl-pg"))
    a = p.parse_args()

    state = a.state or tempfile.mkdtemp(prefix="kpg-bench-list-")
    up = subprocess.run([KUBESIM, "up", "--state", state, "--timeout", "600"],
                        capture_output=True, text=True)
    if up.returncode:
        raise SystemExit(up.stdout + up.stderr)
    info = json.load(open(os.path.join(state, "kubesim.json")))
    ctx = ssl.create_default_context(cafile=os.path.join(state, "ca.crt"))
    ctx.load_cert_chain(os.path.join(state, "admin.crt"), os.path.join(state, "admin.key"))
    asyncio.run(load(info["url"], ctx, a))
    env = dict(os.environ, KUBECONFIG=os.path.join(state, "kubeconfig"),
               KUBECACHEDIR=os.path.join(state, "kubectl-cache"))
    try:
        subprocess.run(["kubectl", "api-resources"], env=env, capture_output=True)  # warm cache
        rows = {}
        for label, cmd in [
            ("kubectl-pg list -A", [a.kubectl_pg, "list", "-A"]),
            ("kubectl get statefulsets -A -l ...", ["kubectl", "get", "statefulsets", "-A", "-l",
                                                     MANAGED]),
            ("kubectl-pg list -A -o json", [a.kubectl_pg, "list", "-A", "-o", "json"]),
            ("kubectl get statefulsets -A -l ... -o json",
             ["kubectl", "get", "statefulsets", "-A", "-l", MANAGED, "-o", "json"]),
        ]:
            rows[label] = timed(cmd, env, a.runs)
            median, best, out = rows[label]
            print(f"{label:45s} median {median:6.2f} s  min {best:6.2f} s  "
                  f"({len(out.splitlines())} output lines)", flush=True)
        log = subprocess.run([a.kubectl_pg, "list", "-A", "-v", "6"], env=env,
                             capture_output=True, text=True)
        requests = [line for line in log.stderr.splitlines() if " GET " in line]
        print(f"kubectl-pg list -A: {len(requests)} requests "
              f"({', '.join(sorted({r.split('?')[0].split()[-1] for r in requests}))})")
    finally:
        if not a.keep:
            subprocess.run([KUBESIM, "down", "--state", state], capture_output=True)
            if not a.state:
                shutil.rmtree(state, ignore_errors=True)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}; command: {' '.join(os.sys.argv)}")


if __name__ == "__main__":
    main()
