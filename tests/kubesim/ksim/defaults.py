"""Defaulting and admission as kube-apiserver 1.32 does them for the kinds served, so
`kubectl get -o yaml` shows what a real cluster shows.

Sources: `KK pkg/apis/core/v1/defaults.go`, `pkg/apis/apps/v1/defaults.go`,
`pkg/apis/batch/v1/defaults.go`, `pkg/apis/networking/v1/defaults.go`,
`pkg/apis/storage/v1/defaults.go`, the registries' PrepareForCreate (status resets, Job
selectors) and the admission plugins enabled by default (ServiceAccount,
DefaultTolerationSeconds, Priority, DefaultStorageClass), plus the Service IP and
node-port allocators (`KK pkg/registry/core/service/ipallocator`, service CIDR
10.96.0.0/12, node ports 30000-32767).

`Admission(store)` is the callable installed in `Store.admission`; it also runs the
semantic validation of ksim.semantics.
"""
from __future__ import annotations

import base64
import ipaddress
import random

from . import errors, semantics, validation
from .resources import REGISTRY

_SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
_CHARS = "bcdfghjklmnpqrstvwxz2456789"
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


def _probe(p: dict | None) -> None:
    if not isinstance(p, dict):
        return
    p.setdefault("timeoutSeconds", 1)
    p.setdefault("periodSeconds", 10)
    p.setdefault("successThreshold", 1)
    p.setdefault("failureThreshold", 3)
    if isinstance(p.get("httpGet"), dict):
        p["httpGet"].setdefault("path", "/")
        p["httpGet"].setdefault("scheme", "HTTP")


def _env(envs) -> None:
    for e in envs or []:
        fr = ((e.get("valueFrom") or {}).get("fieldRef")) if isinstance(e, dict) else None
        if isinstance(fr, dict):
            fr.setdefault("apiVersion", "v1")


def _container(c: dict) -> None:
    if not isinstance(c, dict):
        return
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    if "imagePullPolicy" not in c:
        image = c.get("image") or ""
        tag = image.rsplit("/", 1)[-1]
        latest = "@" not in tag and (":" not in tag or tag.endswith(":latest"))
        c["imagePullPolicy"] = "Always" if latest else "IfNotPresent"
    c.setdefault("resources", {})
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")
    for k in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(k))
    _env(c.get("env"))


def _volumes(vols) -> None:
    for v in vols or []:
        if not isinstance(v, dict):
            continue
        for src in ("configMap", "secret", "downwardAPI", "projected"):
            if isinstance(v.get(src), dict):
                v[src].setdefault("defaultMode", 420)
        if isinstance(v.get("hostPath"), dict):
            v["hostPath"].setdefault("type", "")
        if isinstance(v.get("downwardAPI"), dict):
            for item in v["downwardAPI"].get("items") or []:
                if isinstance(item.get("fieldRef"), dict):
                    item["fieldRef"].setdefault("apiVersion", "v1")
        if isinstance(v.get("projected"), dict):
            for src in v["projected"].get("sources") or []:
                for item in (src.get("downwardAPI") or {}).get("items") or []:
                    if isinstance(item.get("fieldRef"), dict):
                        item["fieldRef"].setdefault("apiVersion", "v1")
                sat = src.get("serviceAccountToken")
                if isinstance(sat, dict):
                    sat.setdefault("expirationSeconds", 3600)


def pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec + containers and volumes (pods and pod templates alike)."""
    if not isinstance(spec, dict):
        return
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if spec.get("hostNetwork"):
        for c in spec.get("containers") or []:
            for p in c.get("ports") or []:
                p.setdefault("hostPort", p.get("containerPort"))
    for k in ("containers", "initContainers", "ephemeralContainers"):
        for c in spec.get(k) or []:
            _container(c)
    _volumes(spec.get("volumes"))


def _template(tmpl: dict | None) -> None:
    if not isinstance(tmpl, dict):
        return
    md = tmpl.setdefault("metadata", {})
    if isinstance(md, dict):
        md.setdefault("creationTimestamp", None)
    pod_spec(tmpl.get("spec"))


def _qos(spec: dict) -> str:
    requests, limits, guaranteed = False, False, True
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            requests = True
        for r in ("cpu", "memory"):
            if r not in lim or (r in req and req[r] != lim[r]):
                guaranteed = False
        if lim:
            limits = True
    if not requests:
        return "BestEffort"
    return "Guaranteed" if guaranteed and limits else "Burstable"


def _pvc_spec(spec: dict) -> None:
    if isinstance(spec, dict):
        spec.setdefault("volumeMode", "Filesystem")


class Admission:
    """Store admission hook: defaulting, allocation and validation for every write."""

    def __init__(self, store):
        self.store = store
        self._ips: set[str] | None = None
        self._ports: set[int] | None = None
        store.subscribe(self._on_event)

    def __call__(self, op: str, rt, obj: dict, old: dict | None, store) -> None:
        validation.normalize(rt, obj)
        fn = getattr(self, "_" + rt.kind, None)
        if fn is not None:
            fn(op, obj, old)
        semantics.validate(op, rt, obj, old, store)

    # -------------------------------------------------------------- core/v1
    def _Namespace(self, op, obj, old):
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = \
            obj["metadata"]["name"]
        if op == "CREATE":
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}

    def _Pod(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        pod_spec(spec)
        if op != "CREATE":
            return
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("priority", 0)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        tols = spec.setdefault("tolerations", [])
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            if not any(t.get("key") == key for t in tols if isinstance(t, dict)):
                tols.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                             "tolerationSeconds": 300})
        self._service_account(obj, spec)
        obj["status"] = {"phase": "Pending", "qosClass": _qos(spec)}

    def _service_account(self, obj: dict, spec: dict) -> None:
        """The ServiceAccount admission plugin (KK plugin/pkg/admission/serviceaccount)."""
        ns = obj["metadata"]["namespace"]
        sa_name = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        spec["serviceAccountName"] = sa_name
        spec["serviceAccount"] = sa_name
        sa_rt = REGISTRY.by_kind("v1", "ServiceAccount")
        sa = self.store.get_shared(sa_rt, ns, sa_name)
        if sa is None and sa_name != "default":
            raise errors.forbidden(
                f'pods "{obj["metadata"].get("name")}" is forbidden: error looking up service '
                f'account {ns}/{sa_name}: serviceaccount "{sa_name}" not found')
        auto = spec.get("automountServiceAccountToken")
        if auto is None and sa is not None:
            auto = sa.get("automountServiceAccountToken")
        if auto is False:
            return
        vols = spec.setdefault("volumes", [])
        if any(any(m.get("mountPath") == _SA_MOUNT for m in c.get("volumeMounts") or [])
               for c in spec.get("containers") or []):
            return
        vname = "kube-api-access-" + "".join(random.choice(_CHARS) for _ in range(5))
        vols.append({"name": vname, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt",
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}})
        for k in ("containers", "initContainers"):
            for c in spec.get(k) or []:
                c.setdefault("volumeMounts", []).append(
                    {"name": vname, "readOnly": True, "mountPath": _SA_MOUNT})

    def _Service(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
        if spec["type"] == "ExternalName":
            return
        spec.setdefault("internalTrafficPolicy", "Cluster")
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
        if spec["type"] == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
        if op == "CREATE":
            obj["status"] = {"loadBalancer": {}}
            cip = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
            if cip in (None, ""):
                cip = self._allocate_ip()
            elif cip != "None":
                self._claim_ip(obj, cip)
            spec["clusterIP"] = cip
            spec["clusterIPs"] = [cip]
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
        elif old is not None:
            ospec = old.get("spec") or {}
            for k in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if k in ospec and not spec.get(k):
                    spec[k] = ospec[k]
        if spec["type"] in ("NodePort", "LoadBalancer"):
            old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in
                         ((old or {}).get("spec") or {}).get("ports") or []}
            for p in spec.get("ports") or []:
                if not p.get("nodePort"):
                    p["nodePort"] = old_ports.get((p.get("port"), p.get("protocol"))) or \
                        self._allocate_port()

    def _used_ips(self) -> set[str]:
        if self._ips is None:
            rt = REGISTRY.by_kind("v1", "Service")
            self._ips = {ip for s in self.store.iter_objects(rt)
                         for ip in (s.get("spec") or {}).get("clusterIPs") or []
                         if ip and ip != "None"}
        return self._ips

    def _allocate_ip(self) -> str:
        used = self._used_ips()
        hosts = SERVICE_CIDR.num_addresses - 2
        for _ in range(64):
            ip = str(SERVICE_CIDR.network_address + random.randint(10, hosts))
            if ip not in used:
                used.add(ip)
                return ip
        raise errors.internal("failed to allocate a serviceIP: range is full")

    def _claim_ip(self, obj, ip: str) -> None:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            raise errors.invalid(REGISTRY.by_kind("v1", "Service"), obj["metadata"]["name"], [
                errors.bad_value("spec.clusterIPs[0]", ip,
                                 "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")])
        used = self._used_ips()
        if addr not in SERVICE_CIDR:
            raise errors.invalid(REGISTRY.by_kind("v1", "Service"), obj["metadata"]["name"], [
                errors.bad_value("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: the "
                                 f"provided IP ({ip}) is not in the valid range. The range of "
                                 f"valid IPs is {SERVICE_CIDR}")])
        if ip in used:
            raise errors.invalid(REGISTRY.by_kind("v1", "Service"), obj["metadata"]["name"], [
                errors.bad_value("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: "
                                 f"provided IP is already allocated")])
        used.add(ip)

    def _allocate_port(self) -> int:
        if self._ports is None:
            rt = REGISTRY.by_kind("v1", "Service")
            self._ports = {p.get("nodePort") for s in self.store.iter_objects(rt)
                           for p in (s.get("spec") or {}).get("ports") or [] if p.get("nodePort")}
        for _ in range(256):
            port = random.choice(NODE_PORTS)
            if port not in self._ports:
                self._ports.add(port)
                return port
        raise errors.internal("failed to allocate a nodePort: range is full")

    def _on_event(self, etype, rt, obj, old):
        if rt.kind != "Service" or etype != "DELETED":
            return
        spec = obj.get("spec") or {}
        if self._ips is not None:
            for ip in spec.get("clusterIPs") or []:
                self._ips.discard(ip)
        if self._ports is not None:
            for p in spec.get("ports") or []:
                self._ports.discard(p.get("nodePort"))

    def _Endpoints(self, op, obj, old):
        for s in obj.get("subsets") or []:
            for p in s.get("ports") or []:
                p.setdefault("protocol", "TCP")

    def _Secret(self, op, obj, old):
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None)
        if string_data:
            data = obj.setdefault("data", {})
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()

    def _PersistentVolumeClaim(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        _pvc_spec(spec)
        if op == "CREATE":
            if "storageClassName" not in spec:
                default = self._default_storage_class()
                if default:
                    spec["storageClassName"] = default
            obj["status"] = {"phase": "Pending"}

    def _default_storage_class(self) -> str | None:
        rt = REGISTRY.by_kind("storage.k8s.io/v1", "StorageClass")
        for sc in self.store.iter_objects(rt):
            ann = sc["metadata"].get("annotations") or {}
            if ann.get("storageclass.kubernetes.io/is-default-class") == "true":
                return sc["metadata"]["name"]
        return None

    def _PersistentVolume(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
        if op == "CREATE":
            obj["status"] = {"phase": "Pending"}

    # -------------------------------------------------------------- apps/v1
    def _StatefulSet(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        us = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
        us.setdefault("type", "RollingUpdate")
        if us["type"] == "RollingUpdate":
            us.setdefault("rollingUpdate", {}).setdefault("partition", 0)
        spec.setdefault("revisionHistoryLimit", 10)
        pol = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
        pol.setdefault("whenDeleted", "Retain")
        pol.setdefault("whenScaled", "Retain")
        _template(spec.get("template"))
        for t in spec.get("volumeClaimTemplates") or []:
            if isinstance(t, dict):
                t.setdefault("apiVersion", "v1")
                t.setdefault("kind", "PersistentVolumeClaim")
                t.setdefault("metadata", {}).setdefault("creationTimestamp", None)
                _pvc_spec(t.setdefault("spec", {}))
                t.setdefault("status", {"phase": "Pending"})
        if op == "CREATE":
            obj["status"] = {"replicas": 0, "availableReplicas": 0}

    def _Deployment(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        st = spec.setdefault("strategy", {})
        st.setdefault("type", "RollingUpdate")
        if st["type"] == "RollingUpdate":
            ru = st.setdefault("rollingUpdate", {})
            ru.setdefault("maxUnavailable", "25%")
            ru.setdefault("maxSurge", "25%")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        _template(spec.get("template"))
        if op == "CREATE":
            obj["status"] = {}

    def _ReplicaSet(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        _template(spec.get("template"))
        if op == "CREATE":
            obj["status"] = {"replicas": 0}

    # ------------------------------------------------------------- batch/v1
    def _Job(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        if spec.get("completions") is None and spec.get("parallelism") is None:
            spec["completions"] = 1
            spec["parallelism"] = 1
        spec.setdefault("parallelism", 1)
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("completionMode", "NonIndexed")
        spec.setdefault("suspend", False)
        if "podFailurePolicy" not in spec:
            spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
        tmpl = spec.setdefault("template", {})
        _template(tmpl)
        if op == "CREATE" and not spec.get("manualSelector"):
            uid = obj["metadata"]["uid"]
            name = obj["metadata"]["name"]
            spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
            labels = tmpl.setdefault("metadata", {}).setdefault("labels", {})
            labels.update({"batch.kubernetes.io/controller-uid": uid,
                           "batch.kubernetes.io/job-name": name, "controller-uid": uid,
                           "job-name": name})
        if op == "CREATE":
            obj["status"] = {}

    # ----------------------------------------------------- other API groups
    def _NetworkPolicy(self, op, obj, old):
        spec = obj.setdefault("spec", {})
        spec.setdefault("podSelector", {})
        if "policyTypes" not in spec:
            types = ["Ingress"]
            if spec.get("egress"):
                types.append("Egress")
            spec["policyTypes"] = types
        for rule in (spec.get("ingress") or []) + (spec.get("egress") or []):
            for p in rule.get("ports") or []:
                p.setdefault("protocol", "TCP")

    def _EndpointSlice(self, op, obj, old):
        for p in obj.get("ports") or []:
            p.setdefault("protocol", "TCP")
            p.setdefault("name", "")

    def _StorageClass(self, op, obj, old):
        obj.setdefault("reclaimPolicy", "Delete")
        obj.setdefault("volumeBindingMode", "Immediate")

    def _PodDisruptionBudget(self, op, obj, old):
        if op == "CREATE":
            obj["status"] = {"currentHealthy": 0, "desiredHealthy": 0,
                             "disruptionsAllowed": 0, "expectedPods": 0}
