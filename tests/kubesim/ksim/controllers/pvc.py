"""PersistentVolume binding and provisioning, after `KK pkg/controller/volume/
persistentvolume/pv_controller.go` with a built-in provisioner for `kubesim.io/hostpath`.

- A claim without `spec.storageClassName` gets the default StorageClass's name (the
  retroactive default-class assignment of 1.28+).
- A claim with `spec.volumeName` binds to that volume; otherwise to the smallest
  Available volume of its class whose capacity and access modes suffice; otherwise, when
  its class's provisioner is `kubesim.io/hostpath`, a volume `pvc-<claim uid>` is
  provisioned: hostPath `<state>/volumes/pvc-<uid>` (the directory is created), capacity
  = the request, reclaim policy from the class. `WaitForFirstConsumer` classes wait
  until a pod using the claim is bound to the node.
- Binding sets the claim's `spec.volumeName`, the annotations
  `pv.kubernetes.io/bind-completed`, `pv.kubernetes.io/bound-by-controller`,
  `volume.kubernetes.io/storage-provisioner` (and the beta one), then its status (phase
  Bound, capacity, accessModes); the volume's claimRef and phase Bound.
- When a bound claim is deleted its volume is Released; a Released volume with policy
  Delete that kubesim provisioned is deleted with its directory.
"""
from __future__ import annotations

import os
import re
import shutil

from ..resources import REGISTRY
from .base import Controller
from .bootstrap import PROVISIONER, STORAGECLASSES
from .cache import PODS
from .util import clone, pod_claim_names, pod_phase, status_update

PVCS = REGISTRY.by_resource("", "v1", "persistentvolumeclaims")
PVS = REGISTRY.by_resource("", "v1", "persistentvolumes")
A_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
A_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
_MANAGER = "persistent-volume-binder"
_UNITS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
          "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
          "m": 0.001}


def quantity(text) -> float:
    """A resource.Quantity as a number ("1Gi" -> 1073741824); 0 when unparsable."""
    m = re.fullmatch(r"([0-9.]+)(?:[eE]([-+]?\d+))?([a-zA-Z]*)", str(text or "0").strip())
    if not m or m.group(3) not in _UNITS:
        return 0.0
    value = float(m.group(1)) * (10 ** int(m.group(2)) if m.group(2) else 1)
    return value * _UNITS[m.group(3)]


def _request(pvc: dict) -> str:
    return (((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get(
        "storage", "0")


class VolumeController(Controller):
    name = "persistentvolume"
    manager = _MANAGER

    def setup(self) -> None:
        self.cache.on(PVCS, self._on_claim)
        self.cache.on(PVS, self._on_volume)
        self.cache.on(STORAGECLASSES, self._on_class)
        self.cache.on(PODS, self._on_pod)

    def _on_claim(self, etype: str, pvc: dict, old: dict | None) -> None:
        self.enqueue(("claim", pvc["metadata"]["namespace"], pvc["metadata"]["name"]))
        volume = (pvc.get("spec") or {}).get("volumeName")
        if etype == "DELETED" and volume:
            self.enqueue(("volume", "", volume))

    def _on_volume(self, etype: str, pv: dict, old: dict | None) -> None:
        self.enqueue(("volume", "", pv["metadata"]["name"]))
        ref = (pv.get("spec") or {}).get("claimRef")
        if ref:
            self.enqueue(("claim", ref.get("namespace", ""), ref.get("name", "")))

    def _on_class(self, etype: str, sc: dict, old: dict | None) -> None:
        for pvc in self.cache.all(PVCS):
            if (pvc.get("status") or {}).get("phase") != "Bound":
                self.enqueue(("claim", pvc["metadata"]["namespace"], pvc["metadata"]["name"]))

    def _on_pod(self, etype: str, pod: dict, old: dict | None) -> None:
        # A binding matters to WaitForFirstConsumer claims, the end of a pod to the
        # protection of the claims it used.
        for claim in pod_claim_names(pod):
            self.enqueue(("claim", pod["metadata"]["namespace"], claim))

    def keys(self):
        for pvc in self.cache.all(PVCS):
            yield ("claim", pvc["metadata"]["namespace"], pvc["metadata"]["name"])
        for pv in self.cache.all(PVS):
            yield ("volume", "", pv["metadata"]["name"])

    def reconcile(self, key) -> None:
        kind, ns, name = key
        if kind == "claim":
            self._sync_claim(ns, name)
        else:
            self._sync_volume(name)

    # ---- claims ----------------------------------------------------------------------
    def _default_class(self) -> dict | None:
        defaults = [sc for sc in self.cache.all(STORAGECLASSES)
                    if (sc["metadata"].get("annotations") or {}).get(A_DEFAULT_CLASS) == "true"]
        # Several defaults: the newest wins, as the admission plugin picks it.
        return max(defaults, key=lambda sc: (sc["metadata"].get("creationTimestamp", ""),
                                             sc["metadata"]["name"]), default=None)

    def _sync_claim(self, ns: str, name: str) -> None:
        pvc = self.cache.get(PVCS, ns, name)
        if pvc is None:
            return
        if pvc["metadata"].get("deletionTimestamp"):
            if not self._claim_in_use(pvc):
                self.set_finalizer(PVCS, pvc, PVC_PROTECTION, False)
            return
        if PVC_PROTECTION not in (pvc["metadata"].get("finalizers") or ()):
            self.set_finalizer(PVCS, pvc, PVC_PROTECTION, True)
            return       # the update brings the claim back here
        spec = pvc.get("spec") or {}
        if "storageClassName" not in spec or spec["storageClassName"] is None:
            sc = self._default_class()
            if sc is None:
                return
            new = clone(pvc)
            new["spec"]["storageClassName"] = sc["metadata"]["name"]
            self.store.update(PVCS, new, field_manager=_MANAGER)
            return
        if (pvc.get("status") or {}).get("phase") == "Bound" and spec.get("volumeName"):
            return
        pv = self._find_volume(pvc)
        if pv is None:
            cls = spec.get("storageClassName") or ""
            sc = self.cache.get(STORAGECLASSES, None, cls) if cls else None
            if sc is None or sc.get("provisioner") != PROVISIONER:
                self._claim_status(pvc, None)
                return
            if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and \
                    not self._has_consumer(pvc):
                self._claim_status(pvc, None)
                return
            pv = self._provision(pvc, sc)
        self._bind(pvc, pv)

    def _claim_in_use(self, pvc: dict) -> bool:
        """pvc-protection: a pod that has not ended mounts the claim."""
        name = pvc["metadata"]["name"]
        return any(name in pod_claim_names(pod) and pod_phase(pod) not in ("Succeeded", "Failed")
                   for pod in self.cache.in_namespace(PODS, pvc["metadata"]["namespace"]))

    def _has_consumer(self, pvc: dict) -> bool:
        """WaitForFirstConsumer: a pod bound to the node mounts the claim."""
        name = pvc["metadata"]["name"]
        return any(name in pod_claim_names(pod) and (pod.get("spec") or {}).get("nodeName")
                   for pod in self.cache.in_namespace(PODS, pvc["metadata"]["namespace"]))

    def _find_volume(self, pvc: dict) -> dict | None:
        spec = pvc.get("spec") or {}
        m = pvc["metadata"]
        if spec.get("volumeName"):
            pv = self.cache.get(PVS, None, spec["volumeName"])
            return pv
        for pv in self.cache.all(PVS):
            ref = (pv.get("spec") or {}).get("claimRef") or {}
            if ref.get("uid") == m["uid"] or (ref.get("name") == m["name"] and
                                              ref.get("namespace") == m["namespace"] and
                                              not ref.get("uid")):
                return pv
        want = quantity(_request(pvc))
        modes = set(spec.get("accessModes") or ())
        best = None
        for pv in self.cache.all(PVS):
            ps = pv.get("spec") or {}
            if ps.get("claimRef") or (pv.get("status") or {}).get("phase") not in (
                    None, "Available"):
                continue
            if (ps.get("storageClassName") or "") != (spec.get("storageClassName") or ""):
                continue
            size = quantity((ps.get("capacity") or {}).get("storage"))
            if size < want or not modes <= set(ps.get("accessModes") or ()):
                continue
            if best is None or size < quantity(best["spec"]["capacity"]["storage"]):
                best = pv
        return best

    def _provision(self, pvc: dict, sc: dict) -> dict:
        m = pvc["metadata"]
        name = f"pvc-{m['uid']}"
        existing = self.cache.get(PVS, None, name)
        if existing is not None:
            return existing
        base = self.config.volumes_dir()
        path = os.path.join(base, name) if base else f"/var/lib/kubesim/volumes/{name}"
        if base:
            os.makedirs(path, exist_ok=True)
        spec = pvc.get("spec") or {}
        pv = {"apiVersion": "v1", "kind": "PersistentVolume",
              "metadata": {"name": name, "annotations": {A_PROVISIONED_BY: PROVISIONER},
                           "finalizers": [PV_PROTECTION]},
              "spec": {"capacity": {"storage": _request(pvc)},
                       "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                       "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
                       "storageClassName": sc["metadata"]["name"],
                       "volumeMode": spec.get("volumeMode") or "Filesystem",
                       "hostPath": {"path": path, "type": "DirectoryOrCreate"},
                       "claimRef": self._claim_ref(pvc)}}
        return self.store.create(PVS, pv, field_manager=_MANAGER)

    @staticmethod
    def _claim_ref(pvc: dict) -> dict:
        m = pvc["metadata"]
        return {"kind": "PersistentVolumeClaim", "namespace": m["namespace"],
                "name": m["name"], "uid": m["uid"], "apiVersion": "v1",
                "resourceVersion": m["resourceVersion"]}

    def _bind(self, pvc: dict, pv: dict) -> None:
        ps = pv.get("spec") or {}
        ref = ps.get("claimRef") or {}
        if ref.get("uid") != pvc["metadata"]["uid"]:
            new = clone(pv)
            new["spec"]["claimRef"] = self._claim_ref(pvc)
            pv = self.store.update(PVS, new, field_manager=_MANAGER)
        self._volume_status(pv, "Bound")
        pvc = self.cache.get(PVCS, pvc["metadata"]["namespace"], pvc["metadata"]["name"])
        ann = pvc["metadata"].get("annotations") or {}
        want_ann = {"pv.kubernetes.io/bind-completed": "yes",
                    "pv.kubernetes.io/bound-by-controller": "yes"}
        provisioner = (pv["metadata"].get("annotations") or {}).get(A_PROVISIONED_BY)
        if provisioner:
            want_ann["volume.beta.kubernetes.io/storage-provisioner"] = provisioner
            want_ann["volume.kubernetes.io/storage-provisioner"] = provisioner
        if pvc["spec"].get("volumeName") != pv["metadata"]["name"] or \
                any(ann.get(k) != v for k, v in want_ann.items()):
            new = clone(pvc)
            new["spec"]["volumeName"] = pv["metadata"]["name"]
            new["metadata"].setdefault("annotations", {}).update(want_ann)
            self.store.update(PVCS, new, field_manager=_MANAGER)
            pvc = self.cache.get(PVCS, pvc["metadata"]["namespace"], pvc["metadata"]["name"])
        self._claim_status(pvc, pv)

    def _claim_status(self, pvc: dict, pv: dict | None) -> None:
        if pv is None:
            status = {"phase": "Pending"}
        else:
            ps = pv.get("spec") or {}
            status = {"phase": "Bound", "accessModes": list(ps.get("accessModes") or ()),
                      "capacity": dict(ps.get("capacity") or {})}
        if (pvc.get("status") or {}) == status:
            return
        self.store.update(PVCS, status_update(pvc, status),
                          subresource="status", field_manager=_MANAGER)

    def _volume_status(self, pv: dict, phase: str) -> None:
        if (pv.get("status") or {}).get("phase") == phase:
            return
        self.store.update(PVS, status_update(pv, {"phase": phase}),
                          subresource="status", field_manager=_MANAGER)

    # ---- volumes ---------------------------------------------------------------------
    def _sync_volume(self, name: str) -> None:
        pv = self.cache.get(PVS, None, name)
        if pv is None:
            return
        if pv["metadata"].get("deletionTimestamp"):
            if (pv.get("status") or {}).get("phase") != "Bound":
                self.set_finalizer(PVS, pv, PV_PROTECTION, False)
            return
        if PV_PROTECTION not in (pv["metadata"].get("finalizers") or ()):
            self.set_finalizer(PVS, pv, PV_PROTECTION, True)
            return
        ref = (pv.get("spec") or {}).get("claimRef")
        if not ref:
            self._volume_status(pv, "Available")
            return
        claim = self.cache.get(PVCS, ref.get("namespace"), ref.get("name"))
        if claim is not None and (not ref.get("uid") or claim["metadata"]["uid"] == ref["uid"]):
            return      # bound, or being bound by the claim's sync
        if not ref.get("uid"):
            return      # pre-bound to a claim that does not exist yet
        # The claim is gone: Released, then reclaimed.
        self._volume_status(pv, "Released")
        policy = (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy", "Retain")
        ours = (pv["metadata"].get("annotations") or {}).get(A_PROVISIONED_BY) == PROVISIONER
        if policy == "Delete" and ours:
            path = ((pv.get("spec") or {}).get("hostPath") or {}).get("path", "")
            base = self.config.volumes_dir()
            self.delete_if_present(PVS, self.cache.get(PVS, None, name))
            if base and path.startswith(base + os.sep):
                shutil.rmtree(path, ignore_errors=True)
