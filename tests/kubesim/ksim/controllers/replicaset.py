"""The ReplicaSet controller, after `KK pkg/controller/replicaset/replica_set.go`.

Keeps `spec.replicas` active pods (not terminal, not being deleted) controlled by each
ReplicaSet: creates missing ones from the template (`generateName: <rs>-`, template
labels, annotations and finalizers, a controller ownerReference), deletes surplus ones
preferring unscheduled, then pending, then not-ready, then the most recently created
(`ActivePodsWithRanks`, simplified). Status: replicas (active pods),
fullyLabeledReplicas, readyReplicas, availableReplicas (ready for minReadySeconds),
observedGeneration. At most 500 pods are created per pass (slow-start bursts aside).
"""
from __future__ import annotations

from ..errors import ApiError
from ..resources import REGISTRY
from .base import Controller
from .cache import PODS
from .events import EventRecorder
from .util import (clone, condition, count_ready, is_pod_ready, is_terminating, now, now_dt,
                   owner_reference, pod_phase, spec_replicas, status_update)

REPLICASETS = REGISTRY.by_resource("apps", "v1", "replicasets")
_MANAGER = "kube-controller-manager"
_BURST = 500
_FAILURE_RETRY = 1.0         # seconds between attempts while pod creation fails
REPLICA_FAILURE = "ReplicaFailure"


def is_active(pod: dict) -> bool:
    return not is_terminating(pod) and pod_phase(pod) not in ("Succeeded", "Failed")


def pod_from_template(owner: dict, template: dict, name_prefix: str) -> dict:
    """controller.GetPodFromTemplate: the pod a workload controller creates."""
    tmeta = template.get("metadata") or {}
    m = owner["metadata"]
    meta = {"generateName": name_prefix, "namespace": m["namespace"],
            "labels": dict(tmeta.get("labels") or {}),
            "ownerReferences": [owner_reference(owner)]}
    for k in ("annotations", "finalizers"):
        if tmeta.get(k):
            meta[k] = clone(tmeta[k])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": clone(template.get("spec") or {})}


def _deletion_rank(pod: dict) -> tuple:
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(pod_phase(pod), 0)
    return (bool((pod.get("spec") or {}).get("nodeName")), phase_rank, is_pod_ready(pod),
            # newer pods first: invert the timestamp's order
            tuple(-ord(c) for c in pod["metadata"].get("creationTimestamp", "")))


class ReplicaSetController(Controller):
    name = "replicaset"
    primary = REPLICASETS

    def setup(self) -> None:
        self.events = EventRecorder(self.store, "replicaset-controller")
        self.watch_primary()
        self.cache.on(PODS, self.enqueue_controller_of("ReplicaSet", adopting=True))

    def reconcile(self, key) -> float | None:
        rs = self.cache.get(REPLICASETS, *key)
        if rs is None or is_terminating(rs):
            return None
        spec = rs.get("spec") or {}
        want = spec_replicas(rs)
        self.adopt_selected(rs, PODS)
        pods = self.cache.controlled(PODS, rs["metadata"]["uid"])
        active = [p for p in pods if is_active(p)]
        diff = len(active) - want
        failure = None
        if diff < 0:
            template = spec.get("template") or {}
            try:
                for _ in range(min(-diff, _BURST)):
                    self.store.create(PODS, pod_from_template(rs, template,
                                                              f"{rs['metadata']['name']}-"),
                                      field_manager=_MANAGER)
            except ApiError as e:
                if e.code == 409:
                    raise
                failure = e.message      # e.g. the template fails validation
                self.events.warning(rs, "FailedCreate", f"Error creating: {failure}")
        elif diff > 0:
            for pod in sorted(active, key=_deletion_rank)[:diff]:
                self.delete_if_present(PODS, pod)
        wait = self._write_status(rs, failure)
        return _FAILURE_RETRY if failure else wait

    def _write_status(self, rs: dict, failure: str | None) -> float | None:
        """Status as `calculateStatus`, with the ReplicaFailure condition (FailedCreate)
        while pods cannot be created."""
        spec = rs.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get(
            "labels") or {}
        at = now_dt()
        active = [p for p in self.cache.controlled(PODS, rs["metadata"]["uid"]) if is_active(p)]
        ready, available, wait = count_ready(active, min_ready, at)
        labeled = sum(1 for p in active
                      if all((p["metadata"].get("labels") or {}).get(k) == v
                             for k, v in template_labels.items()))
        status = {"replicas": len(active), "fullyLabeledReplicas": labeled,
                  "readyReplicas": ready, "availableReplicas": available,
                  "observedGeneration": rs["metadata"].get("generation", 1)}
        for k in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
            if not status[k]:
                del status[k]
        old = rs.get("status") or {}
        conds = [dict(c) for c in old.get("conditions") or () if c.get("type") != REPLICA_FAILURE]
        if failure:
            previous = condition(rs, REPLICA_FAILURE)
            conds.append(dict(previous or {}, type=REPLICA_FAILURE, status="True",
                              reason="FailedCreate", message=failure))
            conds[-1].setdefault("lastTransitionTime", now())
        if conds:
            status["conditions"] = conds
        if status != old:
            self.store.update(REPLICASETS, status_update(rs, status),
                              subresource="status", field_manager=_MANAGER)
        return None if wait is None else wait + 0.05
