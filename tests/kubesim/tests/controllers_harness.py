"""An in-process cluster for the controllers' tests: a Store (with kubesim's admission:
defaulting and validation as the server wires them), the controllers and the virtual kubelet, in one event loop.

    @run
    async def test_x():
        async with Cluster(ready_delay=0.05) as c:
            c.create(STS, {...})
            await c.until(lambda: ...)

`until` polls a predicate every 10 ms up to a deadline and returns its first truthy
value (or raises AssertionError naming what was awaited).
"""
from __future__ import annotations

import asyncio
import functools
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim import defaults  # noqa: E402
from ksim.controllers import start_all  # noqa: E402
from ksim.kubelet.virtual import VirtualKubelet  # noqa: E402
from ksim.resources import REGISTRY  # noqa: E402
from ksim.store import Store  # noqa: E402

NS = REGISTRY.by_resource("", "v1", "namespaces")
POD = REGISTRY.by_resource("", "v1", "pods")
SVC = REGISTRY.by_resource("", "v1", "services")
EP = REGISTRY.by_resource("", "v1", "endpoints")
CM = REGISTRY.by_resource("", "v1", "configmaps")
SA = REGISTRY.by_resource("", "v1", "serviceaccounts")
PVC = REGISTRY.by_resource("", "v1", "persistentvolumeclaims")
PV = REGISTRY.by_resource("", "v1", "persistentvolumes")
NODE = REGISTRY.by_resource("", "v1", "nodes")
STS = REGISTRY.by_resource("apps", "v1", "statefulsets")
DEPLOY = REGISTRY.by_resource("apps", "v1", "deployments")
RS = REGISTRY.by_resource("apps", "v1", "replicasets")
REV = REGISTRY.by_resource("apps", "v1", "controllerrevisions")
JOB = REGISTRY.by_resource("batch", "v1", "jobs")
SLICE = REGISTRY.by_resource("discovery.k8s.io", "v1", "endpointslices")
SC = REGISTRY.by_resource("storage.k8s.io", "v1", "storageclasses")
PDB = REGISTRY.by_resource("policy", "v1", "poddisruptionbudgets")
EV = REGISTRY.by_resource("", "v1", "events")


def run(fn):
    """Runs an async test function in a fresh event loop."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(asyncio.wait_for(fn(*args, **kwargs), 60))
    return wrapper


class Cluster:
    def __init__(self, *, ready_delay: float = 0.0, run_seconds: float = 0.05,
                 exit_code: int = 0, termination_seconds: float = 0.0, state_dir=None,
                 namespace: str = "db"):
        self.store = Store()
        self.store.admission.append(defaults.Admission(self.store))
        self.kubelet = VirtualKubelet(ready_delay=ready_delay, run_seconds=run_seconds,
                                      exit_code=exit_code,
                                      termination_seconds=termination_seconds)
        self.config = {"api_port": 7443, "ca_pem": "-----BEGIN CERTIFICATE-----\nx\n",
                       "state_dir": state_dir}
        self.namespace = namespace
        self.tasks = []
        self.events: list = []       # (type, kind, namespace/name, obj) of every commit

    async def __aenter__(self) -> "Cluster":
        self.store.subscribe(lambda t, rt, o, old: self.events.append(
            (t, rt.kind, f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}", o)))
        await self.kubelet.start(self.store)
        self.tasks = start_all(self.store, self.kubelet, self.config)
        await self.until(lambda: self.store.try_get(NS, None, "default"), what="namespace default")
        if self.namespace:
            self.store.create(NS, {"metadata": {"name": self.namespace},
                                   "spec": {"finalizers": ["kubernetes"]}})
        return self

    async def __aexit__(self, *exc) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.kubelet.stop()

    # ---- helpers ---------------------------------------------------------------------
    async def until(self, pred, timeout: float = 10.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = pred()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.01)

    async def settle(self, timeout: float = 10.0) -> None:
        """Waits until every controller's queue is empty twice in a row."""
        async def quiet():
            return self.tasks.idle() and self.kubelet._sync.idle()
        deadline = time.monotonic() + timeout
        streak = 0
        while streak < 3:
            if time.monotonic() > deadline:
                raise AssertionError("controllers did not settle")
            streak = streak + 1 if await quiet() else 0
            await asyncio.sleep(0.01)

    def create(self, rt, obj: dict) -> dict:
        obj.setdefault("metadata", {})
        if rt.namespaced:
            obj["metadata"].setdefault("namespace", self.namespace)
        return self.store.create(rt, obj)

    def get(self, rt, name: str, namespace: str | None = None) -> dict | None:
        return self.store.try_get(rt, (namespace or self.namespace) if rt.namespaced else None,
                                  name)

    def patch_spec(self, rt, name: str, **changes) -> dict:
        obj = self.store.get(rt, self.namespace if rt.namespaced else None, name)
        obj["spec"].update(changes)
        return self.store.update(rt, obj)

    def names(self, rt, namespace: str | None = None) -> list[str]:
        items, _ = self.store.list(rt, namespace or self.namespace)
        return [o["metadata"]["name"] for o in items]

    def pods(self, namespace: str | None = None) -> list[dict]:
        return self.store.list(POD, namespace or self.namespace)[0]

    def status(self, rt, name: str) -> dict:
        obj = self.get(rt, name)
        return (obj or {}).get("status") or {}


def statefulset(name: str = "pg", replicas: int = 3, *, policy: str = "OrderedReady",
                image: str = "postgres:16", claims: bool = True, **spec) -> dict:
    obj = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
           "spec": {"replicas": replicas, "serviceName": name, "podManagementPolicy": policy,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{
                                     "name": "postgres", "image": image,
                                     "ports": [{"name": "postgresql",
                                                "containerPort": 5432}]}]}}}}
    if claims:
        obj["spec"]["volumeClaimTemplates"] = [{
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Gi"}}}}]
    obj["spec"].update(spec)
    return obj


def deployment(name: str = "pool", replicas: int = 2, image: str = "pgpool:4", **spec) -> dict:
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": "pgpool", "image": image}]}}}}
    obj["spec"].update(spec)
    return obj


def service(name: str, selector: dict | None, *, headless: bool = False, ports=None,
            **spec) -> dict:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
           "spec": {"ports": ports if ports is not None else [
               {"name": "postgresql", "port": 5432, "targetPort": "postgresql"}]}}
    if selector is not None:
        obj["spec"]["selector"] = selector
    if headless:
        obj["spec"]["clusterIP"] = "None"
    obj["spec"].update(spec)
    return obj
