"""Namespace lifecycle and per-namespace defaults.

- Every active namespace gets the ServiceAccount `default` (the serviceaccounts
  controller, `KK pkg/controller/serviceaccount/serviceaccounts_controller.go`) and the
  ConfigMap `kube-root-ca.crt` holding the cluster CA (`KK pkg/controller/certificates/
  rootcacertpublisher/publisher.go`); both are recreated when deleted and the
  ConfigMap is restored when changed.
- A namespace being deleted (the API sets deletionTimestamp and phase Terminating while
  spec.finalizers holds `kubernetes`) has all its content deleted (background
  propagation; pods go through their grace period), its status conditions kept as the
  namespace controller reports them (`KK pkg/controller/namespace/deletion/
  namespaced_resources_deleter.go`), and once nothing is left the `kubernetes`
  finalizer removed through the `finalize` subresource, which lets the API remove it.
"""
from __future__ import annotations

from ..errors import ApiError
from ..resources import REGISTRY
from .base import Controller
from .util import clone, now, set_condition, status_update

NAMESPACES = REGISTRY.by_resource("", "v1", "namespaces")
SERVICEACCOUNTS = REGISTRY.by_resource("", "v1", "serviceaccounts")
CONFIGMAPS = REGISTRY.by_resource("", "v1", "configmaps")

ROOT_CA = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.")
_MANAGER = "kube-controller-manager"


class NamespaceController(Controller):
    name = "namespace"

    def setup(self) -> None:
        self._namespaced = [rt for rt in REGISTRY.all() if rt.namespaced]
        self.cache.on(NAMESPACES, lambda e, o, old: self.enqueue(o["metadata"]["name"]))
        for rt in self._namespaced:
            self.cache.on(rt, self._on_content)

    def _on_content(self, etype: str, obj: dict, old: dict | None) -> None:
        m = obj["metadata"]
        ns = self.cache.get(NAMESPACES, None, m.get("namespace"))
        if ns is None:
            return
        if ns["metadata"].get("deletionTimestamp"):
            self.enqueue(ns["metadata"]["name"])
        elif etype != "ADDED" and m["name"] in ("default", ROOT_CA):
            self.enqueue(ns["metadata"]["name"])

    def keys(self):
        return [ns["metadata"]["name"] for ns in self.cache.all(NAMESPACES)]

    def reconcile(self, name: str) -> float | None:
        ns = self.cache.get(NAMESPACES, None, name)
        if ns is None:
            return None
        if ns["metadata"].get("deletionTimestamp"):
            return self._delete_content(ns)
        self._ensure_defaults(name)
        return None

    # ---- active namespaces -----------------------------------------------------------
    def _ensure_defaults(self, ns: str) -> None:
        if self.cache.get(SERVICEACCOUNTS, ns, "default") is None:
            self._create(SERVICEACCOUNTS, {"apiVersion": "v1", "kind": "ServiceAccount",
                                           "metadata": {"name": "default", "namespace": ns}})
        if not self.config.ca_pem:
            return
        data = {"ca.crt": self.config.ca_pem}
        ann = {"kubernetes.io/description": ROOT_CA_DESCRIPTION}
        cm = self.cache.get(CONFIGMAPS, ns, ROOT_CA)
        if cm is None:
            self._create(CONFIGMAPS, {"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": ROOT_CA, "namespace": ns,
                                                   "annotations": ann},
                                      "data": data})
        elif cm.get("data") != data or (cm["metadata"].get("annotations") or {}).get(
                "kubernetes.io/description") != ROOT_CA_DESCRIPTION:
            new = clone(cm)
            new["data"] = data
            new.pop("binaryData", None)
            new["metadata"].setdefault("annotations", {}).update(ann)
            self.store.update(CONFIGMAPS, new, field_manager=_MANAGER)

    def _create(self, rt, obj: dict) -> None:
        try:
            self.store.create(rt, obj, field_manager=_MANAGER)
        except ApiError as e:
            if e.code not in (403, 409):    # 403: the namespace began terminating
                raise

    # ---- terminating namespaces ------------------------------------------------------
    def _delete_content(self, ns: dict) -> float | None:
        name = ns["metadata"]["name"]
        remaining: dict = {}         # "pods." -> count
        finalizers: dict = {}        # finalizer -> count
        for rt in self._namespaced:
            for obj in self.cache.in_namespace(rt, name):
                m = obj["metadata"]
                label = f"{rt.resource}.{rt.group}"
                remaining[label] = remaining.get(label, 0) + 1
                for f in m.get("finalizers") or ():
                    finalizers[f] = finalizers.get(f, 0) + 1
                if not m.get("deletionTimestamp"):
                    self.delete_if_present(rt, obj)
        self._write_conditions(ns, remaining, finalizers)
        if remaining:
            return 5.0       # content events requeue sooner; this is the safety net
        spec_finalizers = list((ns.get("spec") or {}).get("finalizers") or ())
        if "kubernetes" in spec_finalizers:
            ns = self.cache.get(NAMESPACES, None, name)
            if ns is None:
                return None
            new = clone(ns)
            new.setdefault("spec", {})["finalizers"] = [
                f for f in spec_finalizers if f != "kubernetes"]
            self.store.update(NAMESPACES, new, subresource="finalize",
                              field_manager=_MANAGER)
        return None

    def _write_conditions(self, ns: dict, remaining: dict, finalizers: dict) -> None:
        status = clone(ns.get("status") or {})
        conds = status.setdefault("conditions", [])
        at = now()
        set_condition(conds, "NamespaceDeletionDiscoveryFailure", "False",
                      "ResourcesDiscovered", "All resources successfully discovered", at=at)
        set_condition(conds, "NamespaceDeletionGroupVersionParsingFailure", "False",
                      "ParsedGroupVersions", "All legacy kube types successfully parsed", at=at)
        set_condition(conds, "NamespaceDeletionContentFailure", "False", "ContentDeleted",
                      "All content successfully deleted, may be waiting on finalization", at=at)
        if remaining:
            parts = ", ".join(f"{k} has {v} resource instances"
                              for k, v in sorted(remaining.items()))
            set_condition(conds, "NamespaceContentRemaining", "True", "SomeResourcesRemain",
                          f"Some resources are remaining: {parts}", at=at)
        else:
            set_condition(conds, "NamespaceContentRemaining", "False", "ContentRemoved",
                          "All content successfully removed", at=at)
        if finalizers:
            parts = ", ".join(f"{k} in {v} resource instances"
                              for k, v in sorted(finalizers.items()))
            set_condition(conds, "NamespaceFinalizersRemaining", "True",
                          "SomeFinalizersRemain",
                          f"Some content in the namespace has finalizers remaining: {parts}",
                          at=at)
        else:
            set_condition(conds, "NamespaceFinalizersRemaining", "False",
                          "ContentHasNoFinalizers", "All content-preserving finalizers finished",
                          at=at)
        status["phase"] = "Terminating"
        if status != ns.get("status"):
            self.store.update(NAMESPACES, status_update(ns, status),
                              subresource="status", field_manager=_MANAGER)
