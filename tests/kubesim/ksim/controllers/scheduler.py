"""The scheduler stub: binds every pending pod to the one node.

A pod is bound when it has no spec.nodeName, is not being deleted, and asks for the
default scheduler (spec.schedulerName unset or "default-scheduler"). kubesim has one
node, so nodeSelector, affinity, taints and resources are not considered. The binding
sets spec.nodeName (field manager "kube-scheduler"); the kubelet then writes the
PodScheduled condition with the rest of the status.
"""
from __future__ import annotations

from .base import Controller
from .cache import PODS
from ..kubelet.base import NODE_NAME

_MANAGER = "kube-scheduler"


def _wants_binding(pod: dict) -> bool:
    spec = pod.get("spec") or {}
    return (not spec.get("nodeName") and not pod["metadata"].get("deletionTimestamp")
            and spec.get("schedulerName", "default-scheduler") == "default-scheduler")


class Scheduler(Controller):
    name = "scheduler"

    def setup(self) -> None:
        self.node_name = getattr(self.ctx.kubelet, "node_name", None) or NODE_NAME
        self.cache.on(PODS, self._on_pod)

    def _on_pod(self, etype: str, pod: dict, old: dict | None) -> None:
        if etype != "DELETED" and _wants_binding(pod):
            self.enqueue((pod["metadata"]["namespace"], pod["metadata"]["name"]))

    def keys(self):
        for pod in self.cache.all(PODS):
            if _wants_binding(pod):
                yield (pod["metadata"]["namespace"], pod["metadata"]["name"])

    def reconcile(self, key) -> None:
        pod = self.cache.get(PODS, *key)
        if pod is None or not _wants_binding(pod):
            return
        bound = dict(pod)
        bound["spec"] = dict(pod["spec"], nodeName=self.node_name)
        self.store.update(PODS, bound, field_manager=_MANAGER)
