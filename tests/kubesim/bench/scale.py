#!/usr/bin/python3
"""kubesim scale benchmark (prints figures; not a timed test).

    tests/kubesim/bench/scale.py [--statefulsets 10000] [--replicas 3] [--namespaces 100]
                                 [--concurrency 16] [--state DIR]

Starts kubesim (virtual kubelet), creates the StatefulSets through the API, waits until
every one reports readyReplicas == replicas, then measures: objects created per second,
time to all pods Ready, a paginated LIST (limit=500) of all StatefulSets across
namespaces, the server's resident memory (VmRSS and peak VmHWM), and start-up time of a
fresh instance and of a restart that reloads the whole state.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import ssl
import subprocess
import tempfile
import time

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
KUBESIM = os.path.join(os.path.dirname(HERE), "kubesim")


def sts(name: str, replicas: int, policy: str = "Parallel") -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"replicas": replicas, "serviceName": name, "podManagementPolicy": policy,
                     "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {
                         "containers": [{"name": "postgres", "image": "postgres:16",
                                         "ports": [{"containerPort": 5432}]}]}}}}


def rss(pid: int) -> tuple[int, int]:
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                vals[k] = int(v.split()[0]) * 1024
    return vals["VmRSS"], vals["VmHWM"]


def up(state: str) -> float:
    t0 = time.monotonic()
    out = subprocess.run([KUBESIM, "up", "--state", state], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return time.monotonic() - t0


async def run(a) -> None:
    state = a.state or tempfile.mkdtemp(prefix="kubesim-bench-")
    startup = up(state)
    info = json.load(open(os.path.join(state, "kubesim.json")))
    url, pid = info["url"], info["pid"]
    ctx = ssl.create_default_context(cafile=os.path.join(state, "ca.crt"))
    ctx.load_cert_chain(os.path.join(state, "admin.crt"), os.path.join(state, "admin.key"))
    conn = aiohttp.TCPConnector(ssl=ctx, limit=a.concurrency)
    async with aiohttp.ClientSession(connector=conn) as s:
        namespaces = [f"bench-{i}" for i in range(a.namespaces)]
        for ns in namespaces:
            async with s.post(url + "/api/v1/namespaces",
                              json={"metadata": {"name": ns}}) as r:
                assert r.status == 201, await r.text()
        queue: asyncio.Queue = asyncio.Queue()
        for i in range(a.statefulsets):
            queue.put_nowait((namespaces[i % a.namespaces], f"pg-{i}"))

        async def worker():
            while not queue.empty():
                ns, name = queue.get_nowait()
                async with s.post(f"{url}/apis/apps/v1/namespaces/{ns}/statefulsets",
                                  json=sts(name, a.replicas)) as r:
                    if r.status != 201:
                        raise RuntimeError(f"{r.status}: {await r.text()}")
        t0 = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(a.concurrency)))
        create_s = time.monotonic() - t0
        print(f"created {a.statefulsets} StatefulSets in {create_s:.1f} s "
              f"({a.statefulsets / create_s:.0f}/s through the API)", flush=True)

        async def state_counts():
            async with s.get(url + "/kubesim/state") as r:
                return (await r.json())["objects"]
        want_pods = a.statefulsets * a.replicas
        while True:
            async with s.get(f"{url}/api/v1/pods?limit=1&fieldSelector=status.phase%3DRunning"
                             ) as r:
                body = await r.json()
            running = len(body["items"]) + (body["metadata"].get("remainingItemCount") or 0)
            if running >= want_pods:
                break
            await asyncio.sleep(2)
        ready_s = time.monotonic() - t0
        counts = await state_counts()
        total = sum(counts.values())
        print(f"all {want_pods} pods Running {ready_s:.1f} s after the first create; "
              f"{total} objects in the store ({total / ready_s:.0f} objects/s overall incl. "
              f"controller-made pods, revisions, status updates)", flush=True)
        # Wait until the controllers are done (no write for 3 s, at most 5 minutes).
        async def rv():
            async with s.get(url + "/kubesim/state") as r:
                return (await r.json())["resourceVersion"]
        last, deadline = await rv(), time.monotonic() + 300
        while time.monotonic() < deadline:
            await asyncio.sleep(3)
            now = await rv()
            if now == last:
                break
            last = now
        settle_s = time.monotonic() - t0
        print(f"controllers idle {settle_s:.1f} s after the first create (resourceVersion "
              f"{last})", flush=True)
        pages = []
        t1 = time.monotonic()
        token = ""
        n = 0
        while True:
            q = "?limit=500" + (f"&continue={token}" if token else "")
            async with s.get(url + "/apis/apps/v1/statefulsets" + q) as r:
                body = await r.json()
            n += len(body["items"])
            pages.append(len(body["items"]))
            token = body["metadata"].get("continue")
            if not token:
                break
        list_s = time.monotonic() - t1
        print(f"paginated LIST of all StatefulSets: {n} items in {len(pages)} pages of 500 "
              f"in {list_s:.2f} s", flush=True)
    cur, peak = rss(pid)
    print(f"server memory: VmRSS {cur / 2**20:.0f} MiB, peak VmHWM {peak / 2**20:.0f} MiB",
          flush=True)
    subprocess.run([KUBESIM, "down", "--state", state], capture_output=True)
    size = os.path.getsize(os.path.join(state, "objects.marshal"))
    restart = up(state)
    print(f"start-up to ready: fresh {startup:.2f} s; restart reloading {total} objects "
          f"({size / 2**20:.0f} MiB objects.marshal) {restart:.2f} s", flush=True)
    subprocess.run([KUBESIM, "down", "--state", state], capture_output=True)
    if not a.state and not a.keep:
        shutil.rmtree(state, ignore_errors=True)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; command: {' '.join(os.sys.argv)}")


def size_arguments(doc: str, statefulsets: int, namespaces: int) -> argparse.ArgumentParser:
    """The benchmarks' common options: how many StatefulSets, replicas, namespaces."""
    p = argparse.ArgumentParser(description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--statefulsets", type=int, default=statefulsets)
    p.add_argument("--replicas", type=int, default=3)
    p.add_argument("--namespaces", type=int, default=namespaces)
    return p


def main() -> None:
    p = size_arguments(__doc__, 10000, 100)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--state", help="state directory (default: a temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the temporary state directory")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
