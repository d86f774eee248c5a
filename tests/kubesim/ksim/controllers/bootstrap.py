"""What a fresh cluster has before anyone writes: the system namespaces, the
`kubernetes` Service with its Endpoints and EndpointSlice in `default`, and a default
StorageClass.

The `kubernetes` Service, Endpoints and EndpointSlice are kept as kube-apiserver's
endpoint reconciler keeps them (`KK pkg/controlplane/reconcilers/`,
`KK pkg/controlplane/controller/kubernetesservice/`): recreated or repaired whenever
they are deleted or changed. They point at the API server's own address
(`config.api_host:api_port`), so in-cluster clients that resolve the endpoints (Spilo,
Patroni) reach kubesim directly. The StorageClass `standard` (provisioner
`kubesim.io/hostpath`, Immediate binding, reclaim Delete, annotated default) is made
only when no StorageClass exists at start-up.
"""
from __future__ import annotations

from ..resources import REGISTRY
from .base import Controller
from .util import clone

NAMESPACES = REGISTRY.by_resource("", "v1", "namespaces")
SERVICES = REGISTRY.by_resource("", "v1", "services")
ENDPOINTS = REGISTRY.by_resource("", "v1", "endpoints")
ENDPOINTSLICES = REGISTRY.by_resource("discovery.k8s.io", "v1", "endpointslices")
STORAGECLASSES = REGISTRY.by_resource("storage.k8s.io", "v1", "storageclasses")

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DEFAULT_STORAGE_CLASS = "standard"
PROVISIONER = "kubesim.io/hostpath"
_MANAGER = "kube-apiserver"


def default_storage_class() -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": DEFAULT_STORAGE_CLASS, "annotations": {
                "storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": PROVISIONER, "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate", "allowVolumeExpansion": True}


class Bootstrap(Controller):
    name = "bootstrap"
    manager = _MANAGER

    def setup(self) -> None:
        for rt in (NAMESPACES, SERVICES, ENDPOINTS, ENDPOINTSLICES):
            self.cache.on(rt, self._on_change)
        self._storage_class_checked = False

    def _on_change(self, etype: str, obj: dict, old: dict | None) -> None:
        m = obj["metadata"]
        if m["name"] == "kubernetes" and m.get("namespace") == "default":
            self.enqueue("kubernetes")
        elif m["name"] in SYSTEM_NAMESPACES and "namespace" not in m and etype == "DELETED":
            self.enqueue("namespaces")

    def keys(self):
        return ("namespaces", "kubernetes", "storageclass")

    def reconcile(self, key) -> None:
        if key == "namespaces":
            for ns in SYSTEM_NAMESPACES:
                if self.cache.get(NAMESPACES, None, ns) is None:
                    self.create_if_absent(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                              "metadata": {"name": ns}})
        elif key == "kubernetes":
            self._ensure_kubernetes_service()
        elif key == "storageclass" and not self._storage_class_checked:
            self._storage_class_checked = True
            if self.cache.count(STORAGECLASSES) == 0:
                self.create_if_absent(STORAGECLASSES, default_storage_class())

    def _ensure_kubernetes_service(self) -> None:
        if self.cache.get(NAMESPACES, None, "default") is None:
            self.enqueue("namespaces")
            self.enqueue("kubernetes", 0.05)
            return
        cfg = self.config
        port = int(cfg.api_port)
        svc_spec = {
            "clusterIP": cfg.service_cluster_ip, "clusterIPs": [cfg.service_cluster_ip],
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}],
            "sessionAffinity": "None", "type": "ClusterIP", "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"}
        svc = self.cache.get(SERVICES, "default", "kubernetes")
        if svc is None:
            self.create_if_absent(SERVICES, {
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "kubernetes", "namespace": "default",
                             "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": svc_spec})
        elif (svc.get("spec") or {}).get("ports") != svc_spec["ports"]:
            new = clone(svc)
            new["spec"]["ports"] = svc_spec["ports"]
            self.store.update(SERVICES, new, field_manager=_MANAGER)
        subsets = [{"addresses": [{"ip": cfg.api_host}],
                    "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]
        labels = {"endpointslice.kubernetes.io/skip-mirror": "true"}
        self._ensure(ENDPOINTS, {"apiVersion": "v1", "kind": "Endpoints",
                                 "metadata": {"name": "kubernetes", "namespace": "default",
                                              "labels": labels},
                                 "subsets": subsets}, ("subsets",))
        self._ensure(ENDPOINTSLICES, {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [cfg.api_host], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": port, "protocol": "TCP"}]},
            ("endpoints", "ports", "addressType"))

    def _ensure(self, rt, want: dict, fields: tuple[str, ...]) -> None:
        have = self.cache.get(rt, "default", "kubernetes")
        if have is None:
            self.create_if_absent(rt, want)
            return
        if all(have.get(f) == want[f] for f in fields):
            return
        new = clone(have)
        for f in fields:
            new[f] = want[f]
        self.store.update(rt, new, field_manager=_MANAGER)
