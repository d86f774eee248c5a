"""The disruption controller: PodDisruptionBudget status, after `KK pkg/controller/
disruption/disruption.go` (`getExpectedPodCount`, `countHealthyPods`, `updatePdbStatus`).

For each PodDisruptionBudget: the pods its selector picks in its namespace,
`currentHealthy` = those Ready and not being deleted, and from the spec:
- `minAvailable: N`: desiredHealthy N, expectedPods = the number of pods;
- `minAvailable: P%` or `maxUnavailable`: expectedPods = the replicas of the pods'
  controllers (StatefulSet, or Deployment through its ReplicaSet, or ReplicaSet, or Job
  parallelism), desiredHealthy = P% of it rounded up / expectedPods - maxUnavailable
  (percentages of maxUnavailable rounded up);
- disruptionsAllowed = max(currentHealthy - desiredHealthy, 0) (0 when nothing is
  expected), with the condition DisruptionAllowed (SufficientPods / InsufficientPods).
"""
from __future__ import annotations

from ..resources import REGISTRY
from ..selectors import selector_from_object
from .base import Controller
from .cache import PODS
from .util import (controller_ref, int_or_percent, is_pod_ready, is_terminating, now,
                   set_condition, status_update)

PDBS = REGISTRY.by_resource("policy", "v1", "poddisruptionbudgets")
_SCALABLE = {
    "StatefulSet": REGISTRY.by_resource("apps", "v1", "statefulsets"),
    "ReplicaSet": REGISTRY.by_resource("apps", "v1", "replicasets"),
    "Job": REGISTRY.by_resource("batch", "v1", "jobs"),
}
_MANAGER = "kube-controller-manager"


class DisruptionController(Controller):
    name = "disruption"
    primary = PDBS

    def setup(self) -> None:
        self.watch_primary()
        self.cache.on(PODS, self._on_pod)

    def _on_pod(self, etype: str, pod: dict, old: dict | None) -> None:
        ns = pod["metadata"]["namespace"]
        for pdb in self.cache.in_namespace(PDBS, ns):
            self.enqueue((ns, pdb["metadata"]["name"]))

    def reconcile(self, key) -> None:
        pdb = self.cache.get(PDBS, *key)
        if pdb is None or is_terminating(pdb):
            return
        spec = pdb.get("spec") or {}
        pods = self.cache.pods_matching(key[0], selector_from_object(spec.get("selector")))
        healthy = sum(1 for p in pods if not is_terminating(p) and is_pod_ready(p))
        min_available = spec.get("minAvailable")
        max_unavailable = spec.get("maxUnavailable")
        if max_unavailable is not None:
            expected = self._expected_scale(pods)
            desired = max(expected - int_or_percent(max_unavailable, expected, True), 0)
        elif isinstance(min_available, int) or (isinstance(min_available, str)
                                                and min_available.isdigit()):
            desired = int(min_available)
            expected = len(pods)
        elif min_available is not None:
            expected = self._expected_scale(pods)
            desired = int_or_percent(min_available, expected, True)
        else:
            expected, desired = len(pods), 0
        allowed = max(healthy - desired, 0) if expected > 0 else 0
        old = pdb.get("status") or {}
        status = {"observedGeneration": pdb["metadata"].get("generation", 1),
                  "disruptionsAllowed": allowed, "currentHealthy": healthy,
                  "desiredHealthy": desired, "expectedPods": expected}
        if old.get("disruptedPods"):
            status["disruptedPods"] = old["disruptedPods"]
        conds = [dict(c) for c in old.get("conditions") or ()]
        if allowed > 0:
            set_condition(conds, "DisruptionAllowed", "True", "SufficientPods", at=now())
        else:
            set_condition(conds, "DisruptionAllowed", "False", "InsufficientPods", at=now())
        for c in conds:
            c.setdefault("message", "")
            c["observedGeneration"] = status["observedGeneration"]
        status["conditions"] = conds
        if status != old:
            self.store.update(PDBS, status_update(pdb, status), subresource="status",
                              field_manager=_MANAGER)

    def _expected_scale(self, pods: list[dict]) -> int:
        """The summed replicas of the pods' controllers (each counted once)."""
        seen, total = set(), 0
        for pod in pods:
            ref = controller_ref(pod)
            if not ref or ref.get("kind") not in _SCALABLE or ref["uid"] in seen:
                continue
            seen.add(ref["uid"])
            found = self.cache.by_uid(ref["uid"])
            if found is None:
                continue
            owner = found[1]
            if ref["kind"] == "ReplicaSet":
                parent = controller_ref(owner)
                if parent and parent.get("kind") == "Deployment":
                    deployment = self.cache.by_uid(parent["uid"])
                    if deployment is not None and parent["uid"] not in seen:
                        seen.add(parent["uid"])
                        owner = deployment[1]
                    elif deployment is not None:
                        continue
            spec = owner.get("spec") or {}
            total += int(spec.get("parallelism", spec.get("replicas", 1)) or 0)
        return total
