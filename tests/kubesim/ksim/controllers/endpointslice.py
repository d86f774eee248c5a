"""The EndpointSlice controller, after `KK staging/src/k8s.io/endpointslice/reconciler.go`
and `utils.go`.

For every Service with a selector, EndpointSlices (`discovery.k8s.io/v1`, addressType
IPv4) named `<service>-<random>` list the selected pods that have an IP and are not
terminal, terminating ones included. Each endpoint has addresses, conditions
(`serving` = pod Ready, `terminating` = being deleted, `ready` = publishNotReadyAddresses
or serving and not terminating), nodeName, targetRef and hostname (same rule as
Endpoints). Endpoints with the same resolved ports share slices of at most 100
endpoints; a Service that selects nothing keeps one empty placeholder slice. Slices
carry the labels `kubernetes.io/service-name`, `endpointslice.kubernetes.io/managed-by:
endpointslice-controller.k8s.io` and the Service's labels, and a controller
ownerReference to the Service (so the GC removes them with it).
"""
from __future__ import annotations

from ..resources import REGISTRY
from ..selectors import selector_from_object
from .base import Controller
from .cache import PODS, SERVICES
from .endpoints import (A_TRIGGER, derived_labels, enqueue_services_of, pod_hostname,
                        pod_ports, selector_services, service_selector_map,
                        should_be_in_endpoints, target_ref)
from .util import (clone, controller_ref, is_pod_ready, now, object_key,
                   owner_reference)

ENDPOINTSLICES = REGISTRY.by_resource("discovery.k8s.io", "v1", "endpointslices")
L_SERVICE = "kubernetes.io/service-name"
L_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
MAX_ENDPOINTS = 100
_MANAGER = "endpointslice-controller"


def _slice_port(p: dict) -> dict:
    out = {"name": p.get("name", ""), "port": p["port"], "protocol": p["protocol"]}
    if p.get("appProtocol"):
        out["appProtocol"] = p["appProtocol"]
    return out


def _ports_key(ports: list[dict]) -> tuple:
    return tuple(sorted((p["name"], p["port"], p["protocol"]) for p in ports))


class EndpointSliceController(Controller):
    name = "endpointslice"

    def setup(self) -> None:
        self.cache.on(SERVICES, lambda e, o, old: self.enqueue(object_key(o)))
        self.cache.on(PODS, lambda e, o, old: enqueue_services_of(self, o, old))
        self.cache.on(ENDPOINTSLICES, self._on_slice)

    def _on_slice(self, etype: str, sl: dict, old: dict | None) -> None:
        ref = controller_ref(sl)
        if ref and ref.get("kind") == "Service" and \
                (sl["metadata"].get("labels") or {}).get(L_MANAGED_BY) == MANAGED_BY:
            self.enqueue((sl["metadata"]["namespace"], ref["name"]))

    def keys(self):
        return selector_services(self)

    def reconcile(self, key) -> None:
        ns, name = key
        svc = self.cache.get(SERVICES, ns, name)
        if svc is None or svc["metadata"].get("deletionTimestamp") or \
                not service_selector_map(svc):
            return      # the GC removes slices owned by a deleted Service
        existing = [s for s in self.cache.controlled(ENDPOINTSLICES, svc["metadata"]["uid"])
                    if (s["metadata"].get("labels") or {}).get(L_MANAGED_BY) == MANAGED_BY]
        desired = self._desired(svc)
        labels = derived_labels(svc)
        labels[L_SERVICE] = name
        labels[L_MANAGED_BY] = MANAGED_BY
        # Reuse slices with the same ports, in name order, then create or delete the rest.
        pool: dict = {}
        for s in sorted(existing, key=lambda s: s["metadata"]["name"]):
            pool.setdefault(_ports_key(s.get("ports") or []), []).append(s)
        for ports, endpoints in desired:
            candidates = pool.get(_ports_key(ports)) or []
            have = candidates.pop(0) if candidates else None
            self._write(svc, have, labels, ports, endpoints)
        for leftovers in pool.values():
            for s in leftovers:
                self.delete_if_present(ENDPOINTSLICES, s)

    def _desired(self, svc: dict) -> list[tuple[list, list]]:
        spec = svc.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        sel = selector_from_object({"matchLabels": spec["selector"]})
        groups: dict = {}
        pods = sorted(self.cache.pods_matching(svc["metadata"]["namespace"], sel),
                      key=lambda p: p["metadata"]["name"])
        for pod in pods:
            if not should_be_in_endpoints(pod, True):
                continue
            ports = [_slice_port(p) for p in pod_ports(pod, svc)]
            if not ports and spec.get("ports"):
                continue
            status = pod["status"]
            serving = is_pod_ready(pod)
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            ep = {"addresses": [status.get("podIP") or status["podIPs"][0]["ip"]],
                  "conditions": {"ready": publish or (serving and not terminating),
                                 "serving": serving, "terminating": terminating}}
            hostname = pod_hostname(pod, svc)
            if hostname:
                ep["hostname"] = hostname
            if (pod.get("spec") or {}).get("nodeName"):
                ep["nodeName"] = pod["spec"]["nodeName"]
            ep["targetRef"] = target_ref(pod)
            groups.setdefault(_ports_key(ports), (ports, []))[1].append(ep)
        out = []
        for _, (ports, eps) in sorted(groups.items()):
            for i in range(0, len(eps), MAX_ENDPOINTS):
                out.append((ports, eps[i:i + MAX_ENDPOINTS]))
        if not out:
            out.append(([], []))     # the placeholder slice
        return out

    def _write(self, svc: dict, have: dict | None, labels: dict, ports: list,
               endpoints: list) -> None:
        m = svc["metadata"]
        if have is not None and have.get("endpoints", []) == endpoints and \
                have.get("ports", []) == ports and \
                (have["metadata"].get("labels") or {}) == labels:
            return
        if have is None:
            sl = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                  "metadata": {"generateName": f"{m['name']}-", "namespace": m["namespace"],
                               "ownerReferences": [owner_reference(svc)]},
                  "addressType": "IPv4"}
        else:
            sl = clone(have)
        sl["metadata"]["labels"] = dict(labels)
        sl["metadata"].setdefault("annotations", {})[A_TRIGGER] = now()
        sl["endpoints"] = endpoints
        sl["ports"] = ports
        if have is None:
            self.store.create(ENDPOINTSLICES, sl, field_manager=_MANAGER)
        else:
            self.store.update(ENDPOINTSLICES, sl, field_manager=_MANAGER)
