"""The StatefulSet controller, after `KK pkg/controller/statefulset/stateful_set_control.go`
(`updateStatefulSet`), `stateful_set_utils.go` and `pkg/controller/history/`.

Per StatefulSet:

1. Revisions. The pod template is stored as a ControllerRevision named
   `<sts>-<hash>` (data `{"spec":{"template":{..., "$patch":"replace"}}}`, labels of the
   template plus `controller.kubernetes.io/hash`, numbered `revision`). An existing
   revision with the same data is reused (and renumbered to the newest when it is not
   the newest: a rollback). `status.updateRevision` is the template's revision,
   `currentRevision` the one the set is rolling from. Old revisions beyond
   `revisionHistoryLimit` that no pod uses are deleted.
2. Pods `<sts>-<ordinal>` for ordinals `start .. start+replicas-1` (`spec.ordinals.start`),
   made from the current revision's template below the partition and the update
   revision's template otherwise, with `generateName: <sts>-`, `spec.hostname`,
   `spec.subdomain = serviceName`, labels `statefulset.kubernetes.io/pod-name`,
   `apps.kubernetes.io/pod-index`, `controller-revision-hash`, one volume per
   volumeClaimTemplate (claim `<template>-<sts>-<ordinal>`, created first if missing
   and never deleted under the Retain policy), and a controller ownerReference.
3. OrderedReady: create the lowest missing ordinal only when every lower one is Running
   and Ready (and available for minReadySeconds); delete surplus pods from the highest
   ordinal, one at a time, waiting until each is gone; a failed pod is deleted and
   re-created. Parallel: create and delete all at once.
4. RollingUpdate: from the highest ordinal down to the partition, delete the first pod
   whose `controller-revision-hash` is not the update revision, then wait until the
   re-created pod is Running and Ready before the next one. OnDelete: never delete.
5. Status as `computeReplicaStatus` + `completeRollingUpdate` compute it.

PVC retention: `whenDeleted: Delete` gives each claim an ownerReference to the
StatefulSet (the GC deletes them with it); `whenScaled: Delete` gives the claims of a
condemned ordinal an ownerReference to its pod before the pod is deleted.
`maxUnavailable` (alpha, off by default in 1.32) is ignored, as 1.32 does by default.
"""
from __future__ import annotations

from ..errors import ApiError
from ..resources import REGISTRY
from ..selectors import selector_from_object
from .base import Controller
from .cache import PODS
from .events import EventRecorder
from .util import (available_in, clone, compute_hash, controller_ref, count_ready,
                   is_running_and_ready, is_terminating, now_dt, owner_reference, pod_phase,
                   spec_replicas, status_update)

STATEFULSETS = REGISTRY.by_resource("apps", "v1", "statefulsets")
REVISIONS = REGISTRY.by_resource("apps", "v1", "controllerrevisions")
PVCS = REGISTRY.by_resource("", "v1", "persistentvolumeclaims")

L_POD_NAME = "statefulset.kubernetes.io/pod-name"
L_POD_INDEX = "apps.kubernetes.io/pod-index"
L_REVISION = "controller-revision-hash"
L_HASH = "controller.kubernetes.io/hash"
_MANAGER = "kube-controller-manager"


def _start_ordinal(sts: dict) -> int:
    return int(((sts.get("spec") or {}).get("ordinals") or {}).get("start") or 0)


def _ordinal(sts_name: str, pod_name: str) -> int:
    """getOrdinal: the number after `<sts>-`, or -1 when the name has another shape."""
    prefix, _, suffix = pod_name.rpartition("-")
    if prefix != sts_name or not suffix.isdigit() or not suffix.isascii():
        return -1
    return int(suffix)


def _revision_of(pod: dict) -> str:
    return (pod["metadata"].get("labels") or {}).get(L_REVISION, "")


def _strategy(sts: dict) -> tuple[str, int]:
    us = (sts.get("spec") or {}).get("updateStrategy") or {}
    kind = us.get("type") or "RollingUpdate"
    partition = int(((us.get("rollingUpdate") or {}).get("partition")) or 0)
    return kind, partition


def _template_patch(sts: dict) -> dict:
    template = clone((sts.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def _template_from_revision(rev: dict) -> dict:
    template = clone(((rev.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


class StatefulSetController(Controller):
    name = "statefulset"
    primary = STATEFULSETS

    def setup(self) -> None:
        self.events = EventRecorder(self.store, "statefulset-controller")
        self.watch_primary()
        self.cache.on(PODS, self._on_dependent)
        self.cache.on(REVISIONS, self._on_dependent)
        self._hashes: dict = {}      # uid -> (generation, collisionCount, hash, data)

    def _on_dependent(self, etype: str, obj: dict, old: dict | None) -> None:
        """A pod or revision: its controller, or (an orphan) the set it is named after."""
        m = obj["metadata"]
        ref = controller_ref(obj)
        if ref is not None:
            if ref.get("kind") == "StatefulSet":
                self.enqueue((m["namespace"], ref["name"]))
        elif etype != "DELETED":
            parent = m["name"].rpartition("-")[0]
            if parent and self.cache.get(STATEFULSETS, m["namespace"], parent) is not None:
                self.enqueue((m["namespace"], parent))

    # ---- reconcile -------------------------------------------------------------------
    def reconcile(self, key) -> float | None:
        sts = self.cache.get(STATEFULSETS, *key)
        if sts is None:
            return None
        uid = sts["metadata"]["uid"]
        if is_terminating(sts):
            self._hashes.pop(uid, None)
            return None
        self._adopt_orphans(sts)
        revisions = self.cache.controlled(REVISIONS, uid)
        current, update, collisions = self._revisions(sts, revisions)
        revisions = self.cache.controlled(REVISIONS, uid)
        pods = self.cache.controlled(PODS, uid)
        self._sync_pods(sts, pods, current, update)
        pods = self.cache.controlled(PODS, uid)
        wait = self._write_status(sts, pods, current, update, collisions)
        self._truncate_history(sts, revisions, pods, current, update)
        return wait

    def _adopt_orphans(self, sts: dict) -> None:
        """Orphaned pods named after the set and revisions its selector matches (left by
        `kubectl delete --cascade=orphan`) are adopted, as `getPodsForStatefulSet` and
        `adoptOrphanRevisions` do, so a re-created set takes them over without a
        rolling restart."""
        m = sts["metadata"]
        pods = self.cache.orphans(PODS, m["namespace"])
        revisions = self.cache.orphans(REVISIONS, m["namespace"])
        if not pods and not revisions:
            return
        selector = selector_from_object((sts.get("spec") or {}).get("selector"))
        if selector is None or selector.empty:
            return
        self.adopt(sts, PODS, [p for p in pods
                               if _ordinal(m["name"], p["metadata"]["name"]) >= 0
                               and selector.match(p["metadata"].get("labels"))])
        self.adopt(sts, REVISIONS, [r for r in revisions
                                    if selector.match(r["metadata"].get("labels"))])

    # ---- revisions -------------------------------------------------------------------
    def _revisions(self, sts: dict, revisions: list[dict]) -> tuple[dict, dict, int]:
        m = sts["metadata"]
        status = sts.get("status") or {}
        collisions = int(status.get("collisionCount") or 0)
        cached = self._hashes.get(m["uid"])
        if cached and cached[:2] == (m.get("generation"), collisions):
            rev_hash, data = cached[2], cached[3]
        else:
            data = _template_patch(sts)
            rev_hash = compute_hash(data, collisions)
            self._hashes[m["uid"]] = (m.get("generation"), collisions, rev_hash, data)
        newest = max((r.get("revision", 0) for r in revisions), default=0)
        equal = [r for r in revisions if r.get("data") == data]
        if equal:
            update = max(equal, key=lambda r: r.get("revision", 0))
            if update.get("revision", 0) < newest:
                new = clone(update)
                new["revision"] = newest + 1
                update = self.store.update(REVISIONS, new, field_manager=_MANAGER)
        else:
            name = f"{m['name'][:223]}-{rev_hash}"
            labels = dict(((sts["spec"].get("template") or {}).get("metadata") or {}).get(
                "labels") or {})
            labels[L_HASH] = rev_hash
            rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                   "metadata": {"name": name, "namespace": m["namespace"], "labels": labels,
                                "ownerReferences": [owner_reference(sts)]},
                   "data": data, "revision": newest + 1}
            try:
                update = self.store.create(REVISIONS, rev, field_manager=_MANAGER)
            except ApiError as e:
                if e.code != 409:
                    raise
                existing = self.cache.get(REVISIONS, m["namespace"], name)
                if existing is not None and existing.get("data") == data and \
                        controller_ref(existing) and \
                        controller_ref(existing).get("uid") == m["uid"]:
                    update = existing
                else:
                    # A hash collision: bump collisionCount and try again (as history does).
                    self._write_collision(sts, collisions + 1)
                    raise
        current_name = status.get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == current_name), None)
        return current or update, update, collisions

    def _write_collision(self, sts: dict, count: int) -> None:
        status = dict(sts.get("status") or {}, collisionCount=count)
        self.store.update(STATEFULSETS, status_update(sts, status), subresource="status",
                          field_manager=_MANAGER)

    def _truncate_history(self, sts: dict, revisions: list[dict], pods: list[dict],
                          current: dict, update: dict) -> None:
        limit = (sts.get("spec") or {}).get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update(_revision_of(p) for p in pods)
        history = sorted((r for r in revisions if r["metadata"]["name"] not in live),
                         key=lambda r: r.get("revision", 0))
        for r in history[:max(len(history) - limit, 0)]:
            self.delete_if_present(REVISIONS, r)

    # ---- pods ------------------------------------------------------------------------
    def _sync_pods(self, sts: dict, pods: list[dict], current: dict, update: dict) -> None:
        name = sts["metadata"]["name"]
        spec = sts.get("spec") or {}
        count, start = spec_replicas(sts), _start_ordinal(sts)
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        min_ready = int(spec.get("minReadySeconds") or 0)
        at = now_dt()
        replicas: list = [None] * count
        condemned = []
        for pod in pods:
            o = _ordinal(name, pod["metadata"]["name"])
            if start <= o < start + count:
                replicas[o - start] = pod
            else:
                condemned.append(pod)
        condemned.sort(key=lambda p: _ordinal(name, p["metadata"]["name"]), reverse=True)

        def healthy(pod):
            return (not is_terminating(pod) and is_running_and_ready(pod)
                    and available_in(pod, min_ready, at) == 0)

        first_unhealthy = next((p for p in replicas + condemned
                                if p is not None and not healthy(p)), None)

        for i in range(count):
            ordinal = start + i
            pod = replicas[i]
            if pod is not None and pod_phase(pod) in ("Failed", "Succeeded") \
                    and not is_terminating(pod):
                self.delete_if_present(PODS, pod)
                pod = replicas[i] = self.cache.get(PODS, sts["metadata"]["namespace"],
                                                   pod["metadata"]["name"])
            if pod is None:
                if not self._create_pod(sts, ordinal, current, update):
                    return
                if monotonic:
                    return
                continue
            if is_terminating(pod):
                if monotonic:
                    return
                continue
            if not healthy(pod) and monotonic:
                return
            self._ensure_claims(sts, pod, ordinal)

        for pod in condemned:
            if is_terminating(pod):
                if monotonic:
                    return
                continue
            if monotonic and not healthy(pod) and pod is not first_unhealthy:
                return
            self._condemn(sts, pod)
            if monotonic:
                return

        kind, partition = _strategy(sts)
        if kind != "RollingUpdate":
            return
        update_name = update["metadata"]["name"]
        for i in range(count - 1, partition - 1, -1):
            pod = replicas[i]
            if pod is None:
                return
            if _revision_of(pod) != update_name and not is_terminating(pod):
                self.delete_if_present(PODS, pod)
                return
            if not healthy(pod):
                return

    def _pod_for(self, sts: dict, ordinal: int, current: dict, update: dict) -> dict:
        kind, partition = _strategy(sts)
        start = _start_ordinal(sts)
        revision = update
        if kind == "RollingUpdate" and ordinal < start + partition:
            revision = current
        if revision is update:
            template = clone((sts.get("spec") or {}).get("template") or {})
        else:
            template = _template_from_revision(revision)
        m = sts["metadata"]
        name = f"{m['name']}-{ordinal}"
        tmeta = template.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels[L_POD_NAME] = name
        labels[L_POD_INDEX] = str(ordinal)
        labels[L_REVISION] = revision["metadata"]["name"]
        pod_meta = {"name": name, "generateName": f"{m['name']}-", "namespace": m["namespace"],
                    "labels": labels, "ownerReferences": [owner_reference(sts)]}
        for k in ("annotations", "finalizers"):
            if tmeta.get(k):
                pod_meta[k] = tmeta[k]
        pod_spec = template.get("spec") or {}
        pod_spec["hostname"] = name
        service = (sts.get("spec") or {}).get("serviceName")
        if service:
            pod_spec["subdomain"] = service
        claims = self._claim_templates(sts)
        volumes = [{"name": c["metadata"]["name"], "persistentVolumeClaim": {
            "claimName": f"{c['metadata']['name']}-{m['name']}-{ordinal}"}} for c in claims]
        claim_names = {c["metadata"]["name"] for c in claims}
        volumes += [v for v in pod_spec.get("volumes") or () if v.get("name") not in claim_names]
        if volumes:
            pod_spec["volumes"] = volumes
        return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": pod_spec}

    def _create_pod(self, sts: dict, ordinal: int, current: dict, update: dict) -> bool:
        """Creates the claims and the pod of an ordinal; False when a claim is being
        deleted (the pod must wait for it to go, as the real controller does)."""
        if not self._ensure_claims(sts, None, ordinal):
            return False
        pod = self._pod_for(sts, ordinal, current, update)
        try:
            self.create_if_absent(PODS, pod)
        except ApiError as e:
            m = sts["metadata"]
            self.events.warning(sts, "FailedCreate",
                                f"create Pod {pod['metadata']['name']} in StatefulSet "
                                f"{m['name']} failed error: {e.message}")
            raise
        return True

    def _claim_templates(self, sts: dict) -> list[dict]:
        return list((sts.get("spec") or {}).get("volumeClaimTemplates") or ())

    def _ensure_claims(self, sts: dict, pod: dict | None, ordinal: int) -> bool:
        m = sts["metadata"]
        spec = sts.get("spec") or {}
        policy = spec.get("persistentVolumeClaimRetentionPolicy") or {}
        match_labels = (spec.get("selector") or {}).get("matchLabels") or {}
        ok = True
        for tmpl in self._claim_templates(sts):
            claim_name = f"{tmpl['metadata']['name']}-{m['name']}-{ordinal}"
            have = self.cache.get(PVCS, m["namespace"], claim_name)
            if have is not None:
                if is_terminating(have):
                    ok = False
                continue
            tm = tmpl.get("metadata") or {}
            labels = dict(tm.get("labels") or {})
            labels.update(match_labels)
            claim_meta = {"name": claim_name, "namespace": m["namespace"], "labels": labels}
            if tm.get("annotations"):
                claim_meta["annotations"] = dict(tm["annotations"])
            if policy.get("whenDeleted") == "Delete":
                claim_meta["ownerReferences"] = [owner_reference(sts, controller=False)]
            claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                     "metadata": claim_meta, "spec": clone(tmpl.get("spec") or {})}
            self.create_if_absent(PVCS, claim)
        return ok

    def _condemn(self, sts: dict, pod: dict) -> None:
        policy = (sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenScaled") == "Delete":
            ordinal = _ordinal(sts["metadata"]["name"], pod["metadata"]["name"])
            for tmpl in self._claim_templates(sts):
                claim = self.cache.get(
                    PVCS, sts["metadata"]["namespace"],
                    f"{tmpl['metadata']['name']}-{sts['metadata']['name']}-{ordinal}")
                if claim is None:
                    continue
                refs = claim["metadata"].get("ownerReferences") or []
                if any(r.get("uid") == pod["metadata"]["uid"] for r in refs):
                    continue
                new = clone(claim)
                new["metadata"]["ownerReferences"] = refs + [
                    owner_reference(pod, controller=False)]
                self.store.update(PVCS, new, field_manager=_MANAGER)
        self.delete_if_present(PODS, pod)

    # ---- status ----------------------------------------------------------------------
    def _write_status(self, sts: dict, pods: list[dict], current: dict, update: dict,
                      collisions: int) -> float | None:
        min_ready = int((sts.get("spec") or {}).get("minReadySeconds") or 0)
        at = now_dt()
        cur_name, upd_name = current["metadata"]["name"], update["metadata"]["name"]
        replicas = current_n = updated = 0
        ready, available, wait = count_ready(
            [p for p in pods if pod_phase(p) == "Running"], min_ready, at)
        for pod in pods:
            if pod_phase(pod):
                replicas += 1
            if not is_terminating(pod):
                rev = _revision_of(pod)
                if rev == cur_name:
                    current_n += 1
                if rev == upd_name:
                    updated += 1
        status = {"observedGeneration": sts["metadata"].get("generation", 1),
                  "replicas": replicas, "readyReplicas": ready, "currentReplicas": current_n,
                  "updatedReplicas": updated, "currentRevision": cur_name,
                  "updateRevision": upd_name, "collisionCount": collisions,
                  "availableReplicas": available}
        kind, _ = _strategy(sts)
        if kind == "RollingUpdate" and updated == replicas and ready == replicas:
            status["currentReplicas"] = updated
            status["currentRevision"] = upd_name
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[k]:
                del status[k]
        old = sts.get("status") or {}
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        if status != old:
            self.store.update(STATEFULSETS, status_update(sts, status), subresource="status",
                              field_manager=_MANAGER)
        return None if wait is None else wait + 0.05

