"""kubesim's controllers (what kube-controller-manager, kube-scheduler and the API
server's own bootstrap controllers do), run in the server's event loop.

`start_all(store, kubelet, config)` builds the shared cache (ksim/controllers/cache.py),
fills it from the store, and starts one asyncio task per controller; it returns the
tasks (cancel them to stop). `config` is a `ControllerConfig`, a dict or any object with
some of its attributes (`api_host`, `api_port`, `ca_pem`, `state_dir`,
`resync_seconds`, `service_cluster_ip`); see config.py. `kubelet` gives the node name
the scheduler binds pods to (None: `kubesim-node-1`).

Call it after the store is loaded and before the server accepts requests; start the
kubelet with `await kubelet.start(store)` as well (start_all does not).
"""
from __future__ import annotations

import asyncio

from .base import Context, Controller
from .bootstrap import Bootstrap
from .cache import Cache
from .config import ControllerConfig
from .deployment import DeploymentController
from .disruption import DisruptionController
from .endpoints import EndpointsController
from .endpointslice import EndpointSliceController
from .gc import GarbageCollector
from .job import JobController
from .namespace import NamespaceController
from .pvc import VolumeController
from .replicaset import ReplicaSetController
from .scheduler import Scheduler
from .statefulset import StatefulSetController

CONTROLLERS = (Bootstrap, NamespaceController, Scheduler, StatefulSetController,
               DeploymentController, ReplicaSetController, JobController,
               EndpointsController, EndpointSliceController, VolumeController,
               DisruptionController, GarbageCollector)

__all__ = ["start_all", "build", "ControllerConfig", "Controller", "Context", "CONTROLLERS"]


def build(store, kubelet=None, config=None) -> tuple[Cache, list[Controller]]:
    """The cache (started: filled and subscribed) and the controllers, not yet running."""
    cfg = ControllerConfig.from_any(config)
    cache = Cache(store)
    ctx = Context(store, cache, cfg, kubelet)
    controllers = [cls(ctx) for cls in CONTROLLERS]
    for c in controllers:
        c.setup()
    cache.start()
    return cache, controllers


class ControllerTasks(list):
    """The controllers' tasks (a list), with `.cache` and `.controllers` for tests."""

    def __init__(self, tasks, cache: Cache, controllers: list[Controller]):
        super().__init__(tasks)
        self.cache = cache
        self.controllers = controllers

    def idle(self) -> bool:
        """Every controller's queue is empty (delayed keys aside)."""
        return all(c.idle() for c in self.controllers)


def start_all(store, kubelet=None, config=None) -> list[asyncio.Task]:
    """Starts every controller in the running event loop; returns their tasks."""
    cache, controllers = build(store, kubelet, config)
    loop = asyncio.get_running_loop()
    return ControllerTasks(
        [loop.create_task(c.run(), name=f"controller-{c.name}") for c in controllers],
        cache, controllers)
