"""The Endpoints controller, after `KK pkg/controller/endpoint/endpoints_controller.go` and
`KK pkg/controller/util/endpoint/controller_utils.go`.

For every Service with a selector, an Endpoints object of the same name lists the
selected pods that have an IP and are not terminal: ready ones in `addresses`, the
others in `notReadyAddresses` (all in `addresses` with `publishNotReadyAddresses`,
which also keeps terminating pods). Pods being deleted are left out otherwise. Each
address has ip, nodeName, targetRef and, when the pod's hostname is set and its
subdomain is the Service's name, hostname. Ports are the Service's ports with named
targetPorts resolved per pod (a pod without the named port is left out of that port);
addresses with the same ports share a subset. Labels are the Service's, plus
`service.kubernetes.io/headless` for headless Services.

Services without a selector are left alone: their Endpoints belong to someone else
(Patroni keeps its leader lock in such an object). When a Service is deleted, its
Endpoints are deleted.
"""
from __future__ import annotations

from ..resources import REGISTRY
from ..selectors import selector_from_object
from .base import Controller
from .cache import PODS, SERVICES
from .util import clone, is_pod_ready, now, object_key, pod_phase

ENDPOINTS = REGISTRY.by_resource("", "v1", "endpoints")
L_HEADLESS = "service.kubernetes.io/headless"
A_TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"
A_LEADER = "control-plane.alpha.kubernetes.io/leader"
_MANAGER = "endpoint-controller"


def service_selector_map(svc: dict) -> dict | None:
    """The selector of a Service the endpoint controllers manage; None for Services
    without one and for ExternalName Services, which get no endpoints."""
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return None
    return spec.get("selector") or None


def should_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """ShouldPodBeInEndpoints: has an IP, not terminal, not being deleted unless
    terminating pods are included."""
    status = pod.get("status") or {}
    if pod_phase(pod) in ("Failed", "Succeeded"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    if not include_terminating and pod["metadata"].get("deletionTimestamp"):
        return False
    return True


def find_port(pod: dict, service_port: dict) -> int | None:
    """podutil.FindPort: the targetPort number, or the named container port."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == target and p.get("protocol", "TCP") == protocol:
                return p.get("containerPort")
    return None


def pod_ports(pod: dict, svc: dict) -> list[dict]:
    """The endpoint ports of one pod for a Service (name, port, protocol, appProtocol)."""
    out = []
    for sp in (svc.get("spec") or {}).get("ports") or ():
        num = find_port(pod, sp)
        if num is None:
            continue
        p = {}
        if sp.get("name"):
            p["name"] = sp["name"]
        p["port"] = num
        p["protocol"] = sp.get("protocol", "TCP")
        if sp.get("appProtocol"):
            p["appProtocol"] = sp["appProtocol"]
        out.append(p)
    return out


def pod_hostname(pod: dict, svc: dict) -> str:
    spec = pod.get("spec") or {}
    if spec.get("hostname") and spec.get("subdomain") == svc["metadata"]["name"] and \
            pod["metadata"]["namespace"] == svc["metadata"]["namespace"]:
        return spec["hostname"]
    return ""


def target_ref(pod: dict) -> dict:
    m = pod["metadata"]
    return {"kind": "Pod", "namespace": m["namespace"], "name": m["name"], "uid": m["uid"]}


def derived_labels(svc: dict) -> dict:
    labels = dict(svc["metadata"].get("labels") or {})
    if (svc.get("spec") or {}).get("clusterIP") in ("None", "", None):     # !IsServiceIPSet
        labels[L_HEADLESS] = ""
    else:
        labels.pop(L_HEADLESS, None)
    return labels


def enqueue_services_of(controller: Controller, pod: dict, old: dict | None) -> None:
    """Enqueues every Service selecting the pod before or after a change."""
    services = controller.cache.services_for_pod(pod)
    if old is not None and old is not pod:
        services += controller.cache.services_for_pod(old)
    for svc in services:
        controller.enqueue(object_key(svc))


def selector_services(controller: Controller) -> list[tuple[str, str]]:
    """The keys of all Services with a selector (the ones the controllers manage)."""
    return [object_key(s) for s in controller.cache.all(SERVICES) if service_selector_map(s)]


def _port_key(p: dict) -> tuple:
    return (p.get("name", ""), p["port"], p["protocol"])


class EndpointsController(Controller):
    name = "endpoints"
    manager = _MANAGER

    def setup(self) -> None:
        # Keys whose Endpoints go when their Service is missing: Services just deleted,
        # and at start-up every Endpoints object except leader-election records
        # (`checkLeftoverEndpoints`).
        self._deleted: set = set()
        self._started = False
        self.cache.on(SERVICES, self._on_service)
        self.cache.on(PODS, self._on_pod)
        self.cache.on(ENDPOINTS, self._on_endpoints)

    def _on_service(self, etype: str, svc: dict, old: dict | None) -> None:
        key = (svc["metadata"]["namespace"], svc["metadata"]["name"])
        if etype == "DELETED":
            self._deleted.add(key)
        self.enqueue(key)

    def _on_pod(self, etype: str, pod: dict, old: dict | None) -> None:
        enqueue_services_of(self, pod, old)

    def _on_endpoints(self, etype: str, ep: dict, old: dict | None) -> None:
        key = (ep["metadata"]["namespace"], ep["metadata"]["name"])
        svc = self.cache.get(SERVICES, *key)
        if svc is not None and service_selector_map(svc):
            self.enqueue(key)

    def keys(self):
        if not self._started:
            self._started = True
            self._deleted.update(
                object_key(ep) for ep in self.cache.all(ENDPOINTS)
                if A_LEADER not in (ep["metadata"].get("annotations") or {}))
        return selector_services(self) + sorted(self._deleted)

    def reconcile(self, key) -> None:
        ns, name = key
        svc = self.cache.get(SERVICES, ns, name)
        have = self.cache.get(ENDPOINTS, ns, name)
        if svc is None:
            if key in self._deleted and have is not None:
                self.delete_if_present(ENDPOINTS, have)
            self._deleted.discard(key)
            return
        self._deleted.discard(key)
        selector = service_selector_map(svc)
        if not selector:
            return
        subsets = self._subsets(svc)
        labels = derived_labels(svc)
        if have is not None and (have.get("subsets") or []) == subsets and \
                (have["metadata"].get("labels") or {}) == labels:
            return
        if have is None:
            ep = {"apiVersion": "v1", "kind": "Endpoints",
                  "metadata": {"name": name, "namespace": ns}}
        else:
            ep = clone(have)
        ep["metadata"]["labels"] = labels
        ep["metadata"].setdefault("annotations", {})[A_TRIGGER] = now()
        if subsets:
            ep["subsets"] = subsets
        else:
            ep.pop("subsets", None)
        if have is None:
            self.store.create(ENDPOINTS, ep, field_manager=_MANAGER)
        else:
            self.store.update(ENDPOINTS, ep, field_manager=_MANAGER)

    def _subsets(self, svc: dict) -> list[dict]:
        spec = svc.get("spec") or {}
        tolerate = bool(spec.get("publishNotReadyAddresses"))
        headless = spec.get("clusterIP") == "None"
        sel = selector_from_object({"matchLabels": spec["selector"]})
        groups: dict = {}    # port tuple -> (ports, addresses, notReadyAddresses)
        for pod in self.cache.pods_matching(svc["metadata"]["namespace"], sel):
            if not should_be_in_endpoints(pod, tolerate):
                continue
            ports = pod_ports(pod, svc)
            if not ports and (spec.get("ports") or not headless):
                continue
            addr = {"ip": pod["status"].get("podIP") or pod["status"]["podIPs"][0]["ip"]}
            hostname = pod_hostname(pod, svc)
            if hostname:
                addr["hostname"] = hostname
            if (pod.get("spec") or {}).get("nodeName"):
                addr["nodeName"] = pod["spec"]["nodeName"]
            addr["targetRef"] = target_ref(pod)
            ports = sorted(ports, key=_port_key)
            group = groups.setdefault(tuple(_port_key(p) for p in ports), (ports, [], []))
            group[1 if tolerate or is_pod_ready(pod) else 2].append(addr)
        subsets = []
        for _, (ports, ready, not_ready) in sorted(groups.items()):
            subset = {}
            if ready:
                subset["addresses"] = sorted(ready, key=lambda a: (a["ip"], a["targetRef"]["uid"]))
            if not_ready:
                subset["notReadyAddresses"] = sorted(
                    not_ready, key=lambda a: (a["ip"], a["targetRef"]["uid"]))
            if ports:
                subset["ports"] = ports
            subsets.append(subset)
        return subsets
