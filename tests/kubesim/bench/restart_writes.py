#!/usr/bin/python3
"""Writes after a plain restart (prints figures; not a timed test).

    tests/kubesim/bench/restart_writes.py [--statefulsets 1000] [--replicas 3]
                                          [--namespaces 10] [--seconds 20]
                                          [--pod-management-policy OrderedReady|Parallel]
                                          [--services]

In one process, as `python3 -m ksim serve` wires them (ksim.__main__.make_store: the
Store with defaulting admission and managedFields tracking; the controllers; the virtual
kubelet): creates the StatefulSets, waits until the controllers are idle, saves the store,
loads it into a fresh Store with fresh controllers and kubelet (a restart with nothing
changed), and counts every commit for `--seconds`. A restart with nothing changed should
write nothing; each write is listed by kind, field manager and the paths it changed.
"""
from __future__ import annotations

import asyncio
import collections
import os
import platform
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..")]

from ksim import controllers  # noqa: E402
from ksim.__main__ import make_store  # noqa: E402
from ksim.kubelet.virtual import VirtualKubelet  # noqa: E402
from ksim.resources import REGISTRY  # noqa: E402
from ksim.server import Settings  # noqa: E402
from scale import size_arguments, sts  # noqa: E402

NS = REGISTRY.by_kind("v1", "Namespace")
STS = REGISTRY.by_kind("apps/v1", "StatefulSet")
SVC = REGISTRY.by_kind("v1", "Service")
PDB = REGISTRY.by_kind("policy/v1", "PodDisruptionBudget")


def service(name: str) -> dict:
    """A headless Service for the set's pods (Endpoints and EndpointSlices follow them)."""
    return {"metadata": {"name": name}, "spec": {"clusterIP": "None", "selector": {"app": name},
                                                 "ports": [{"name": "pg", "port": 5432}]}}


def pdb(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"maxUnavailable": 1,
                                                 "selector": {"matchLabels": {"app": name}}}}


def changed(old, new, path="") -> list[str]:
    """Paths where `new` differs from `old` (resourceVersion left out)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new)):
            if k == "resourceVersion":
                continue
            if old.get(k) != new.get(k):
                out += changed(old.get(k), new.get(k), f"{path}.{k}")
        return out
    return [path or "."]


def managers(obj: dict) -> str:
    return ",".join(sorted({m.get("manager", "") for m in
                            obj["metadata"].get("managedFields") or []}))


async def start(settings: Settings):
    store = make_store(settings)
    kubelet = VirtualKubelet()
    tasks = controllers.start_all(store, kubelet, {"state_dir": settings.state_dir})
    await kubelet.start(store)
    return store, kubelet, tasks


async def stop(kubelet, tasks) -> None:
    for t in tasks:
        t.cancel()
    await kubelet.stop()


async def idle(store, tasks, quiet: float = 2.0, limit: float = 900.0) -> float:
    """Waits until the controllers' queues are empty and nothing was written for `quiet`
    seconds; returns the time waited."""
    t0 = time.monotonic()
    last, since = store.resource_version, time.monotonic()
    while time.monotonic() - t0 < limit:
        await asyncio.sleep(0.2)
        if store.resource_version != last or not tasks.idle():
            last, since = store.resource_version, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return time.monotonic() - t0


async def run(a) -> None:
    state = tempfile.mkdtemp(prefix="kubesim-restart-")
    settings = Settings(state_dir=state)
    path = os.path.join(state, "objects.marshal")
    store, kubelet, tasks = await start(settings)
    namespaces = [f"bench-{i}" for i in range(a.namespaces)]
    for ns in namespaces:
        store.create(NS, {"metadata": {"name": ns}})
    t0 = time.monotonic()
    for i in range(a.statefulsets):
        ns = namespaces[i % a.namespaces]
        objs = [(STS, sts(f"pg-{i}", a.replicas, a.pod_management_policy))]
        if a.services:
            objs += [(SVC, service(f"pg-{i}")), (PDB, pdb(f"pg-{i}"))]
        for rt, obj in objs:
            obj["metadata"]["namespace"] = ns
            store.create(rt, obj, field_manager="kubectl")
        if i % 100 == 99:
            await asyncio.sleep(0)
    settle = await idle(store, tasks)
    total = sum(store.count(rt) for rt in REGISTRY.all())
    print(f"{a.statefulsets} StatefulSets x {a.replicas}: {total} objects, controllers idle "
          f"after {time.monotonic() - t0:.1f} s (settled {settle:.1f} s)", flush=True)
    await stop(kubelet, tasks)
    store.save(path)

    store, kubelet, tasks = await start(settings)
    writes = collections.Counter()
    store.subscribe(lambda etype, rt, obj, old: writes.update([(
        etype, rt.kind, managers(obj) if etype != "MODIFIED" else "",
        ", ".join(changed(old, obj)[:6]) if old is not None else "")]))
    t0 = time.monotonic()
    rv0 = int(store.resource_version)
    await asyncio.sleep(a.seconds)
    n = int(store.resource_version) - rv0
    print(f"after the restart: {n} writes in {time.monotonic() - t0:.0f} s "
          f"({n / max(1, a.statefulsets) * 10000:.0f} per 10,000 StatefulSets)")
    for (etype, kind, mgr, paths), count in writes.most_common(30):
        print(f"  {count:7d}  {etype:8s} {kind:22s} {mgr} {paths}")
    await stop(kubelet, tasks)
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; command: {' '.join(sys.argv)}")


def main() -> None:
    p = size_arguments(__doc__, 1000, 10)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--services", action="store_true",
                   help="also a headless Service and a PodDisruptionBudget per StatefulSet")
    p.add_argument("--pod-management-policy", choices=("OrderedReady", "Parallel"),
                   default="OrderedReady")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
