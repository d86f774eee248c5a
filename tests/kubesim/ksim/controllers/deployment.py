"""The Deployment controller, after `KK pkg/controller/deployment/` (`sync.go`,
`rolling.go`, `recreate.go`, `progress.go`, `util/deployment_util.go`).

- The new ReplicaSet is the one whose template equals the Deployment's (ignoring the
  `pod-template-hash` label); when none does, `<deploy>-<hash>` is created with the
  label `pod-template-hash` on itself, its selector and its template, annotations
  `deployment.kubernetes.io/revision` (one more than the highest), `desired-replicas`
  and `max-replicas`; the Deployment gets the same revision annotation.
- RollingUpdate: the new ReplicaSet grows while all ReplicaSets' replicas stay within
  replicas + maxSurge (25%, rounded up); old ones shrink (first their unavailable pods)
  while available pods stay at least replicas - maxUnavailable (25%, rounded down; 1
  when both are 0). Recreate: old ReplicaSets go to 0 and their pods must be gone before
  the new one grows.
- Status: replicas, updatedReplicas, readyReplicas, availableReplicas,
  unavailableReplicas, observedGeneration, collisionCount and the conditions Available
  (MinimumReplicasAvailable / MinimumReplicasUnavailable) and Progressing
  (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated, NewReplicaSetAvailable,
  ProgressDeadlineExceeded after progressDeadlineSeconds without progress,
  DeploymentPaused / DeploymentResumed).
- Old ReplicaSets with no replicas beyond revisionHistoryLimit (10) are deleted.
"""
from __future__ import annotations

import datetime

from ..errors import ApiError
from ..resources import REGISTRY
from .base import Controller
from .cache import PODS
from .replicaset import REPLICA_FAILURE, REPLICASETS
from .util import (clone, compute_hash, condition, controller_ref, int_or_percent,
                   is_terminating, now, now_dt, owner_reference, parse_time, set_condition,
                   spec_replicas, status_update)

DEPLOYMENTS = REGISTRY.by_resource("apps", "v1", "deployments")
L_HASH = "pod-template-hash"
A_REVISION = "deployment.kubernetes.io/revision"
A_DESIRED = "deployment.kubernetes.io/desired-replicas"
A_MAX = "deployment.kubernetes.io/max-replicas"
_MANAGER = "kube-controller-manager"


def _status(obj: dict, field: str) -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def _revision(rs: dict) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(A_REVISION, "0"))
    except ValueError:
        return 0


def _template_without_hash(template: dict) -> dict:
    t = clone(template or {})
    labels = (t.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(L_HASH, None)
    return t


def surge_and_unavailable(d: dict) -> tuple[int, int]:
    """ResolveFenceposts: (maxSurge, maxUnavailable) as pod counts."""
    spec = d.get("spec") or {}
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0, 0
    ru = strategy.get("rollingUpdate") or {}
    replicas = spec_replicas(d)
    surge = int_or_percent(ru.get("maxSurge", "25%"), replicas, True)
    unavailable = int_or_percent(ru.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


class DeploymentController(Controller):
    name = "deployment"
    primary = DEPLOYMENTS

    def setup(self) -> None:
        self.watch_primary()
        self._on_rs = self.enqueue_controller_of("Deployment", adopting=True)
        self.cache.on(REPLICASETS, self._on_rs)
        self.cache.on(PODS, self._on_pod)

    def _on_pod(self, etype: str, pod: dict, old: dict | None) -> None:
        # Recreate waits for old pods to be gone: only pod deletions matter here.
        if etype != "DELETED":
            return
        ref = controller_ref(pod)
        if not ref or ref.get("kind") != "ReplicaSet":
            return
        rs = self.cache.get(REPLICASETS, pod["metadata"]["namespace"], ref["name"])
        if rs is not None:
            self._on_rs("MODIFIED", rs, None)

    # ---- reconcile -------------------------------------------------------------------
    def reconcile(self, key) -> float | None:
        d = self.cache.get(DEPLOYMENTS, *key)
        if d is None or is_terminating(d):
            return None
        spec = d.get("spec") or {}
        self.adopt_selected(d, REPLICASETS)
        all_rs = self.cache.controlled(REPLICASETS, d["metadata"]["uid"])
        all_rs.sort(key=lambda r: (r["metadata"].get("creationTimestamp", ""),
                                   r["metadata"]["name"]))
        want = _template_without_hash(spec.get("template"))
        new_rs = next((r for r in all_rs
                       if _template_without_hash((r.get("spec") or {}).get("template")) == want),
                      None)
        created = False
        if new_rs is None and not spec.get("paused"):
            new_rs = self._create_new_rs(d, all_rs)
            if new_rs is None:
                return 0.01      # collision: collisionCount was bumped
            created = True
            all_rs.append(new_rs)
        old_rss = [r for r in all_rs if new_rs is None or
                   r["metadata"]["uid"] != new_rs["metadata"]["uid"]]
        if new_rs is not None:
            self._sync_revision(d, new_rs, old_rss)
        if not spec.get("paused"):
            strategy = (spec.get("strategy") or {}).get("type", "RollingUpdate")
            if strategy == "Recreate":
                self._recreate(d, new_rs, old_rss)
            else:
                self._rolling(d, new_rs, old_rss)
            self._cleanup(d, old_rss)
        all_rs = [self.cache.get(REPLICASETS, r["metadata"]["namespace"], r["metadata"]["name"])
                  for r in all_rs]
        all_rs = [r for r in all_rs if r is not None]
        if new_rs is not None:
            new_rs = self.cache.get(REPLICASETS, new_rs["metadata"]["namespace"],
                                    new_rs["metadata"]["name"])
        return self._write_status(d, new_rs, all_rs, created)

    def _create_new_rs(self, d: dict, all_rs: list[dict]) -> dict | None:
        m = d["metadata"]
        spec = d["spec"]
        collisions = int((d.get("status") or {}).get("collisionCount") or 0)
        template = clone(spec.get("template") or {})
        pod_hash = compute_hash(template, collisions)
        template.setdefault("metadata", {}).setdefault("labels", {})[L_HASH] = pod_hash
        selector = clone(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[L_HASH] = pod_hash
        revision = max((_revision(r) for r in all_rs), default=0) + 1
        surge, _ = surge_and_unavailable(d)
        labels = dict(template["metadata"]["labels"])
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": f"{m['name']}-{pod_hash}", "namespace": m["namespace"],
                           "labels": labels, "ownerReferences": [owner_reference(d)],
                           "annotations": {A_REVISION: str(revision),
                                           A_DESIRED: str(spec_replicas(d)),
                                           A_MAX: str(spec_replicas(d) + surge)}},
              "spec": {"replicas": self._initialspec_replicas(d, all_rs),
                       "minReadySeconds": int(spec.get("minReadySeconds") or 0),
                       "selector": selector, "template": template}}
        try:
            return self.store.create(REPLICASETS, rs, field_manager=_MANAGER)
        except ApiError as e:
            if e.code != 409:
                raise
            existing = self.cache.get(REPLICASETS, m["namespace"], rs["metadata"]["name"])
            if existing is not None and controller_ref(existing) and \
                    controller_ref(existing).get("uid") == m["uid"]:
                return existing
            status = dict(d.get("status") or {}, collisionCount=collisions + 1)
            self.store.update(DEPLOYMENTS, status_update(d, status), subresource="status",
                              field_manager=_MANAGER)
            return None

    def _initialspec_replicas(self, d: dict, all_rs: list[dict]) -> int:
        strategy = ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate")
        active_old = [r for r in all_rs if spec_replicas(r) > 0]
        if strategy == "Recreate":
            return 0 if active_old else spec_replicas(d)
        surge, _ = surge_and_unavailable(d)
        total = sum(spec_replicas(r) for r in all_rs)
        return max(0, min(spec_replicas(d) + surge - total, spec_replicas(d)))

    def _sync_revision(self, d: dict, new_rs: dict, old_rss: list[dict]) -> None:
        """Keeps the new ReplicaSet's revision the newest (a rollback renumbers it) and
        its desired/max annotations current; mirrors the revision on the Deployment."""
        newest_old = max((_revision(r) for r in old_rss), default=0)
        revision = _revision(new_rs)
        if revision <= newest_old:
            revision = newest_old + 1
        surge, _ = surge_and_unavailable(d)
        want = {A_REVISION: str(revision), A_DESIRED: str(spec_replicas(d)),
                A_MAX: str(spec_replicas(d) + surge)}
        ann = new_rs["metadata"].get("annotations") or {}
        if any(ann.get(k) != v for k, v in want.items()):
            new = clone(new_rs)
            new["metadata"].setdefault("annotations", {}).update(want)
            self.store.update(REPLICASETS, new, field_manager=_MANAGER)
        dann = d["metadata"].get("annotations") or {}
        if dann.get(A_REVISION) != str(revision):
            new = clone(d)
            new["metadata"].setdefault("annotations", {})[A_REVISION] = str(revision)
            self.store.update(DEPLOYMENTS, new, field_manager=_MANAGER)

    def _scale(self, rs: dict, replicas: int) -> None:
        rs = self.cache.get(REPLICASETS, rs["metadata"]["namespace"], rs["metadata"]["name"])
        if rs is None or spec_replicas(rs) == replicas:
            return
        new = clone(rs)
        new["spec"]["replicas"] = replicas
        self.store.update(REPLICASETS, new, field_manager=_MANAGER)

    def _rolling(self, d: dict, new_rs: dict | None, old_rss: list[dict]) -> None:
        replicas = spec_replicas(d)
        surge, max_unavailable = surge_and_unavailable(d)
        all_rs = old_rss + ([new_rs] if new_rs is not None else [])
        # Scale the new ReplicaSet up (or down when the Deployment shrank).
        if new_rs is not None:
            current = spec_replicas(new_rs)
            if current > replicas:
                self._scale(new_rs, replicas)
            elif current < replicas:
                total = sum(spec_replicas(r) for r in all_rs)
                room = replicas + surge - total
                if room > 0:
                    self._scale(new_rs, current + min(room, replicas - current))
            new_rs = self.cache.get(REPLICASETS, new_rs["metadata"]["namespace"],
                                    new_rs["metadata"]["name"])
        # Scale old ReplicaSets down.
        old_rss = [self.cache.get(REPLICASETS, r["metadata"]["namespace"], r["metadata"]["name"])
                   for r in old_rss]
        old_rss = [r for r in old_rss if r is not None]
        if sum(spec_replicas(r) for r in old_rss) == 0:
            return
        all_rs = old_rss + ([new_rs] if new_rs is not None else [])
        all_pods = sum(spec_replicas(r) for r in all_rs)
        min_available = replicas - max_unavailable
        new_unavailable = (spec_replicas(new_rs) - _status(new_rs, "availableReplicas")
                           if new_rs is not None else 0)
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return
        # First the old ReplicaSets' unhealthy pods (cleanupUnhealthyReplicas).
        scaled = 0
        for rs in old_rss:
            if scaled >= max_scaled_down:
                break
            unhealthy = spec_replicas(rs) - _status(rs, "availableReplicas")
            if spec_replicas(rs) == 0 or unhealthy <= 0:
                continue
            n = min(max_scaled_down - scaled, unhealthy)
            self._scale(rs, spec_replicas(rs) - n)
            scaled += n
        old_rss = [self.cache.get(REPLICASETS, r["metadata"]["namespace"], r["metadata"]["name"])
                   for r in old_rss]
        old_rss = [r for r in old_rss if r is not None]
        all_rs = old_rss + ([new_rs] if new_rs is not None else [])
        # Then as far as availability allows (scaleDownOldReplicaSetsForRollingUpdate).
        available = sum(_status(r, "availableReplicas") for r in all_rs)
        if available <= min_available:
            return
        budget = available - min_available
        for rs in old_rss:
            if budget <= 0:
                break
            if spec_replicas(rs) == 0:
                continue
            n = min(spec_replicas(rs), budget)
            self._scale(rs, spec_replicas(rs) - n)
            budget -= n

    def _recreate(self, d: dict, new_rs: dict | None, old_rss: list[dict]) -> None:
        for rs in old_rss:
            if spec_replicas(rs) > 0:
                self._scale(rs, 0)
        for rs in old_rss:
            if self.cache.controlled(PODS, rs["metadata"]["uid"]):
                return       # old pods still running or terminating
        if new_rs is not None and spec_replicas(new_rs) != spec_replicas(d):
            self._scale(new_rs, spec_replicas(d))

    def _cleanup(self, d: dict, old_rss: list[dict]) -> None:
        limit = (d.get("spec") or {}).get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        idle = [r for r in old_rss
                if spec_replicas(r) == 0 and _status(r, "replicas") == 0 and not is_terminating(r)]
        idle.sort(key=_revision)
        for rs in idle[:max(len(idle) - limit, 0)]:
            self.delete_if_present(REPLICASETS, rs)

    # ---- status ----------------------------------------------------------------------
    def _write_status(self, d: dict, new_rs: dict | None, all_rs: list[dict],
                      created: bool) -> float | None:
        replicas = spec_replicas(d)
        _, max_unavailable = surge_and_unavailable(d)
        old = d.get("status") or {}
        available = sum(_status(r, "availableReplicas") for r in all_rs)
        total = sum(spec_replicas(r) for r in all_rs)
        status = {"observedGeneration": d["metadata"].get("generation", 1),
                  "replicas": sum(_status(r, "replicas") for r in all_rs),
                  "updatedReplicas": _status(new_rs, "replicas") if new_rs else 0,
                  "readyReplicas": sum(_status(r, "readyReplicas") for r in all_rs),
                  "availableReplicas": available,
                  "unavailableReplicas": max(total - available, 0)}
        if "collisionCount" in old:
            status["collisionCount"] = old["collisionCount"]
        conds = clone(old.get("conditions") or [])
        at = now()
        if available >= replicas - max_unavailable:
            set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                          "Deployment has minimum availability.", at=at, update_time=True)
        else:
            set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                          "Deployment does not have minimum availability.", at=at,
                          update_time=True)
        wait = self._progress(d, new_rs, status, old, conds, created, at)
        # A ReplicaSet that cannot create pods surfaces on the Deployment (getReplicaFailures).
        failure = next((c for r in all_rs for c in (r.get("status") or {}).get("conditions") or ()
                        if c.get("type") == REPLICA_FAILURE and c.get("status") == "True"), None)
        if failure is not None:
            set_condition(conds, REPLICA_FAILURE, "True", failure.get("reason", ""),
                          failure.get("message", ""), at=at, update_time=True)
        else:
            conds[:] = [c for c in conds if c.get("type") != REPLICA_FAILURE]
        for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                  "unavailableReplicas"):
            if not status[k]:
                del status[k]
        status["conditions"] = conds
        if status != old:
            self.store.update(DEPLOYMENTS, status_update(d, status),
                              subresource="status", field_manager=_MANAGER)
        return wait

    def _progress(self, d: dict, new_rs: dict | None, status: dict, old: dict, conds: list,
                  created: bool, at: str) -> float | None:
        spec = d.get("spec") or {}
        replicas = spec_replicas(d)
        rs_name = new_rs["metadata"]["name"] if new_rs else ""
        if spec.get("paused"):
            set_condition(conds, "Progressing", "Unknown", "DeploymentPaused",
                          "Deployment is paused", at=at, update_time=True)
            return None
        prev = condition({"status": {"conditions": conds}}, "Progressing")
        if prev is not None and prev.get("reason") == "DeploymentPaused":
            set_condition(conds, "Progressing", "Unknown", "DeploymentResumed",
                          "Deployment is resumed", at=at, update_time=True)
        if created:
            set_condition(conds, "Progressing", "True", "NewReplicaSetCreated",
                          f'Created new replica set "{rs_name}"', at=at, update_time=True)
            return None
        complete = (status["updatedReplicas"] == replicas and status["replicas"] == replicas
                    and status["availableReplicas"] == replicas
                    and status["observedGeneration"] >= d["metadata"].get("generation", 1))
        if new_rs is not None and complete:
            set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                          f'ReplicaSet "{rs_name}" has successfully progressed.', at=at,
                          update_time=True)
            return None
        progressed = (status["updatedReplicas"] > int(old.get("updatedReplicas") or 0)
                      or status["replicas"] < int(old.get("replicas") or 0)
                      or status["readyReplicas"] > int(old.get("readyReplicas") or 0)
                      or status["availableReplicas"] > int(old.get("availableReplicas") or 0))
        deadline = spec.get("progressDeadlineSeconds", 600)
        cur = condition({"status": {"conditions": conds}}, "Progressing")
        if new_rs is not None and (progressed or cur is None):
            reason = "ReplicaSetUpdated" if cur is not None else "FoundNewReplicaSet"
            message = (f'ReplicaSet "{rs_name}" is progressing.' if cur is not None
                       else f'Found new replica set "{rs_name}"')
            set_condition(conds, "Progressing", "True", reason, message, at=at)
            for c in conds:
                if c["type"] == "Progressing":
                    c["lastUpdateTime"] = at
            return float(deadline) + 0.5 if deadline is not None else None
        if cur is None or deadline is None or cur.get("reason") == "ProgressDeadlineExceeded":
            return None
        since = parse_time(cur.get("lastUpdateTime")) or now_dt()
        left = since + datetime.timedelta(seconds=int(deadline)) - now_dt()
        if left.total_seconds() > 0:
            return left.total_seconds() + 0.5
        set_condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                      f'ReplicaSet "{rs_name}" has timed out progressing.', at=at,
                      update_time=True)
        return None
