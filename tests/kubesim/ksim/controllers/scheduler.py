"""The scheduler stub: binds every pending pod to the one node.

A pod is bound when it has no spec.nodeName, is not being deleted, and asks for the
default scheduler (spec.schedulerName unset or "default-scheduler"). kubesim has one
node, so nodeSelector, affinity, taints and resources are not considered. Volumes are
(the VolumeBinding plugin, `KK pkg/scheduler/framework/plugins/volumebinding/`): a pod
waits while a PersistentVolumeClaim it mounts is missing, being deleted, or not yet
Bound, unless the claim's StorageClass binds `WaitForFirstConsumer` (the volume
controller provisions those once the pod is bound). So a pod's volumes exist before the
kubelet starts it. The binding sets spec.nodeName (field manager "kube-scheduler"); the
kubelet then writes the PodScheduled condition with the rest of the status.
"""
from __future__ import annotations

from ..kubelet.base import NODE_NAME
from ..resources import REGISTRY
from .base import Controller
from .cache import PODS
from .util import pod_claim_names

PVCS = REGISTRY.by_resource("", "v1", "persistentvolumeclaims")
STORAGECLASSES = REGISTRY.by_resource("storage.k8s.io", "v1", "storageclasses")


def _wants_binding(pod: dict) -> bool:
    spec = pod.get("spec") or {}
    return (not spec.get("nodeName") and not pod["metadata"].get("deletionTimestamp")
            and spec.get("schedulerName", "default-scheduler") == "default-scheduler")


class Scheduler(Controller):
    name = "scheduler"
    manager = "kube-scheduler"

    def setup(self) -> None:
        self.node_name = getattr(self.ctx.kubelet, "node_name", None) or NODE_NAME
        self._waiting: dict = {}      # (namespace, claim) -> {pod name}
        self.cache.on(PODS, self._on_pod)
        self.cache.on(PVCS, self._on_claim)

    def _on_pod(self, etype: str, pod: dict, old: dict | None) -> None:
        if etype != "DELETED" and _wants_binding(pod):
            self.enqueue((pod["metadata"]["namespace"], pod["metadata"]["name"]))

    def _on_claim(self, etype: str, pvc: dict, old: dict | None) -> None:
        key = (pvc["metadata"]["namespace"], pvc["metadata"]["name"])
        for pod in self._waiting.pop(key, ()):
            self.enqueue((key[0], pod))

    def keys(self):
        for pod in self.cache.all(PODS):
            if _wants_binding(pod):
                yield (pod["metadata"]["namespace"], pod["metadata"]["name"])

    def reconcile(self, key) -> None:
        pod = self.cache.get(PODS, *key)
        if pod is None or not _wants_binding(pod):
            return
        for claim in pod_claim_names(pod):
            if not self._claim_ready(key[0], claim):
                self._waiting.setdefault((key[0], claim), set()).add(key[1])
                return
        bound = dict(pod)
        bound["spec"] = dict(pod["spec"], nodeName=self.node_name)
        self.store.update(PODS, bound, field_manager=self.manager)

    def _claim_ready(self, namespace: str, name: str) -> bool:
        pvc = self.cache.get(PVCS, namespace, name)
        if pvc is None or pvc["metadata"].get("deletionTimestamp"):
            return False
        if (pvc.get("status") or {}).get("phase") == "Bound":
            return True
        cls = (pvc.get("spec") or {}).get("storageClassName")
        sc = self.cache.get(STORAGECLASSES, None, cls) if cls else None
        return sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
