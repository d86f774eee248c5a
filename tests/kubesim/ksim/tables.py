"""Server-side printing: meta.k8s.io/v1 Table and PartialObjectMetadata.

kubectl get asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and prints the
columns the server sends. Columns and cell formats follow kube-apiserver's printers
(`KK pkg/printers/internalversion/printers.go`); priority-1 columns show with `-o wide`.
"""
from __future__ import annotations

import calendar
import time

_NAME = ("Name", "string", "name",
         "Name must be unique within a namespace. Is required when creating resources, "
         "although some resources may allow a client to request the generation of an "
         "appropriate name automatically. Name is primarily intended for creation "
         "idempotence and configuration definition. Cannot be updated. More info: "
         "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
_AGE = ("Age", "string", "",
        "CreationTimestamp is a timestamp representing the server time when this object was "
        "created. It is not guaranteed to be set in happens-before order across separate "
        "operations. Clients may not set this value. It is represented in RFC3339 form and "
        "is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
        "api-conventions.md#metadata")


def wanted(accept: str) -> str | None:
    """"Table", "PartialObjectMetadata" or None (plain JSON), from the Accept header's
    first media range kubesim can serve."""
    for part in accept.split(","):
        params = {}
        for p in part.split(";")[1:]:
            k, _, v = p.strip().partition("=")
            params[k] = v
        media = part.split(";")[0].strip()
        if media not in ("application/json", "*/*", "application/*"):
            continue
        kind = params.get("as")
        if kind is None:
            return None
        if params.get("g") != "meta.k8s.io":
            continue
        if kind == "Table":
            return "Table"
        if kind in ("PartialObjectMetadata", "PartialObjectMetadataList"):
            return "PartialObjectMetadata"
    return None


def partial(obj: dict, _fmt: str = "") -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata", {})}


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def _since(ts: str | None) -> str:
    if not ts:
        return "<unknown>"
    try:
        t = calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return "<unknown>"
    return human_duration(time.time() - t)


def _age(o):
    return _since(o["metadata"].get("creationTimestamp"))


def _sel(sel: dict | None) -> str:
    if not sel:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        parts.append(f"{e['key']} {e['operator'].lower()} ({','.join(e.get('values') or [])})")
    return ",".join(parts) or "<none>"


def _map_sel(sel: dict | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((sel or {}).items())) or "<none>"


def _containers(tmpl_spec: dict) -> tuple[str, str]:
    cs = tmpl_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _pod_row(o):
    spec, st = o.get("spec") or {}, o.get("status") or {}
    cs = st.get("containerStatuses") or []
    total = len(spec.get("containers") or [])
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in cs)
    reason = st.get("reason") or st.get("phase") or "Pending"
    running = False
    for c in reversed(cs):
        state = c.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
        elif "terminated" in state:
            t = state["terminated"]
            reason = f"Signal:{t['signal']}" if t.get("signal") else \
                f"ExitCode:{t.get('exitCode', 0)}"
        elif c.get("ready") and "running" in state:
            running = True
    if reason == "Completed" and running:
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
        reason = "Running" if conds.get("Ready") == "True" else "NotReady"
    if o["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    last = None
    for c in cs:
        fin = ((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if fin and (last is None or fin > last):
            last = fin
    rs = f"{restarts} ({_since(last)} ago)" if restarts and last else str(restarts)
    ips = st.get("podIP") or "<none>"
    gates = spec.get("readinessGates") or []
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    g = f"{sum(1 for x in gates if conds.get(x.get('conditionType')) == 'True')}/{len(gates)}" \
        if gates else "<none>"
    return [f"{ready}/{total}", reason, rs, _age(o), ips, spec.get("nodeName") or "<none>",
            st.get("nominatedNodeName") or "<none>", g]


def _svc_row(o):
    spec = o.get("spec") or {}
    t = spec.get("type", "ClusterIP")
    ext = "<none>"
    ing = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if spec.get("externalIPs"):
        ext = ",".join(spec["externalIPs"])
    elif t == "LoadBalancer":
        ext = ",".join(i.get("ip") or i.get("hostname", "") for i in ing) or "<pending>"
    elif t == "ExternalName":
        ext = spec.get("externalName", "")
    ports = []
    for p in spec.get("ports") or []:
        s = str(p.get("port"))
        if p.get("nodePort"):
            s += f":{p['nodePort']}"
        ports.append(f"{s}/{p.get('protocol', 'TCP')}")
    return [t, spec.get("clusterIP") or "<none>", ext, ",".join(ports) or "<none>", _age(o),
            _map_sel(spec.get("selector"))]


def _endpoints_row(o):
    out = []
    for s in o.get("subsets") or []:
        ports = s.get("ports") or [{}]
        for a in s.get("addresses") or []:
            for p in ports:
                out.append(f"{a.get('ip')}:{p['port']}" if "port" in p else a.get("ip"))
    if not out:
        return ["<none>", _age(o)]
    more = len(out) - 3
    txt = ",".join(out[:3]) + (f" + {more} more..." if more > 0 else "")
    return [txt, _age(o)]


def _pvc_row(o):
    spec, st = o.get("spec") or {}, o.get("status") or {}
    phase = st.get("phase", "Pending")
    if o["metadata"].get("deletionTimestamp"):
        phase = "Terminating"
    cap = (st.get("capacity") or {}).get("storage", "")
    modes = _modes(st.get("accessModes") or [])
    return [phase, spec.get("volumeName", ""), cap, modes, spec.get("storageClassName") or "",
            spec.get("volumeAttributesClassName") or "<unset>", _age(o),
            spec.get("volumeMode", "Filesystem")]


def _modes(modes):
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
             "ReadWriteOncePod": "RWOP"}
    return ",".join(short.get(m, m) for m in modes)


def _pv_row(o):
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ref = spec.get("claimRef") or {}
    claim = f"{ref.get('namespace')}/{ref.get('name')}" if ref else ""
    phase = st.get("phase", "Pending")
    if o["metadata"].get("deletionTimestamp"):
        phase = "Terminating"
    return [(spec.get("capacity") or {}).get("storage", ""), _modes(spec.get("accessModes") or []),
            spec.get("persistentVolumeReclaimPolicy", "Retain"), phase, claim,
            spec.get("storageClassName", ""), spec.get("volumeAttributesClassName") or "<unset>",
            st.get("reason", ""), _age(o), spec.get("volumeMode", "Filesystem")]


def _job_row(o):
    spec, st = o.get("spec") or {}, o.get("status") or {}
    comps = spec.get("completions")
    completions = f"{st.get('succeeded', 0)}/{comps}" if comps is not None else \
        f"{st.get('succeeded', 0)}/1 of {spec.get('parallelism', 1)}"
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    status = "Complete" if conds.get("Complete") == "True" else \
        "Failed" if conds.get("Failed") == "True" else \
        "Suspended" if conds.get("Suspended") == "True" else \
        "Terminating" if o["metadata"].get("deletionTimestamp") else "Running"
    dur = ""
    if st.get("startTime"):
        start = calendar.timegm(time.strptime(st["startTime"][:19], "%Y-%m-%dT%H:%M:%S"))
        end = time.time()
        if st.get("completionTime"):
            end = calendar.timegm(time.strptime(st["completionTime"][:19], "%Y-%m-%dT%H:%M:%S"))
        dur = human_duration(end - start)
    c, i = _containers(((spec.get("template") or {}).get("spec")) or {})
    return [status, completions, dur, _age(o), c, i, _sel(spec.get("selector"))]


def _tmpl(o):
    return ((o.get("spec") or {}).get("template") or {}).get("spec") or {}


def _sts_row(o):
    st = o.get("status") or {}
    c, i = _containers(_tmpl(o))
    return [f"{st.get('readyReplicas', 0)}/{(o.get('spec') or {}).get('replicas', 1)}",
            _age(o), c, i]


def _deploy_row(o):
    st, spec = o.get("status") or {}, o.get("spec") or {}
    c, i = _containers(_tmpl(o))
    return [f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), _age(o), c, i,
            _sel(spec.get("selector"))]


def _rs_row(o):
    st, spec = o.get("status") or {}, o.get("spec") or {}
    c, i = _containers(_tmpl(o))
    return [spec.get("replicas", 1), st.get("replicas", 0), st.get("readyReplicas", 0),
            _age(o), c, i, _sel(spec.get("selector"))]


def _pdb_row(o):
    spec, st = o.get("spec") or {}, o.get("status") or {}
    return [str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
            str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
            st.get("disruptionsAllowed", 0), _age(o)]


def _event_row(o):
    inv = o.get("involvedObject") or {}
    last = o.get("lastTimestamp") or o.get("eventTime") or \
        o["metadata"].get("creationTimestamp")
    return [_since(last), o.get("type", ""), o.get("reason", ""),
            f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}", o.get("message", "")]


def _node_row(o):
    st = o.get("status") or {}
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    status = "Ready" if conds.get("Ready") == "True" else "NotReady"
    if (o.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    roles = sorted(k.split("/", 1)[1] for k in (o["metadata"].get("labels") or {})
                   if k.startswith("node-role.kubernetes.io/"))
    info = st.get("nodeInfo") or {}
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or []}
    return [status, ",".join(roles) or "<none>", _age(o), info.get("kubeletVersion", ""),
            addrs.get("InternalIP", "<none>"), addrs.get("ExternalIP", "<none>"),
            info.get("osImage", ""), info.get("kernelVersion", ""),
            info.get("containerRuntimeVersion", "")]


def _slice_row(o):
    ports = ",".join(str(p.get("port")) for p in o.get("ports") or []) or "<unset>"
    addrs = [a for e in o.get("endpoints") or [] for a in e.get("addresses") or []]
    more = len(addrs) - 3
    eps = (",".join(addrs[:3]) + (f" + {more} more..." if more > 0 else "")) or "<unset>"
    return [o.get("addressType", ""), ports, eps, _age(o)]


def _col(name, typ="string", fmt="", desc="", priority=0):
    return {"name": name, "type": typ, "format": fmt, "description": desc,
            "priority": priority}


def _cols(*spec):
    out = [_col(*_NAME)]
    for s in spec:
        if s == "AGE":
            out.append(_col(*_AGE))
        elif isinstance(s, tuple):
            out.append(_col(*s))
        else:
            out.append(_col(s))
    return out


_WIDE_CI = (("Containers", "string", "", "Names of each container in the template.", 1),
            ("Images", "string", "", "Images referenced by each container in the template.", 1))
_SELECTOR = ("Selector", "string", "", "Label selector for pods.", 1)

PRINTERS = {
    "Pod": (_cols("Ready", "Status", ("Restarts", "string"), "AGE",
                  ("IP", "string", "", "IP address allocated to the pod.", 1),
                  ("Node", "string", "", "Name of the node the pod is assigned to.", 1),
                  ("Nominated Node", "string", "", "Nominated node name.", 1),
                  ("Readiness Gates", "string", "", "Pod readiness gates.", 1)), _pod_row),
    "StatefulSet": (_cols("Ready", "AGE", *_WIDE_CI), _sts_row),
    "Deployment": (_cols("Ready", ("Up-to-date", "integer"), ("Available", "integer"), "AGE",
                         *_WIDE_CI, _SELECTOR), _deploy_row),
    "ReplicaSet": (_cols(("Desired", "integer"), ("Current", "integer"), ("Ready", "integer"),
                         "AGE", *_WIDE_CI, _SELECTOR), _rs_row),
    "Service": (_cols("Type", "Cluster-IP", "External-IP", "Port(s)", "AGE",
                      ("Selector", "string", "", "Route traffic to pods with label keys and "
                                                 "values matching this selector.", 1)),
                _svc_row),
    "Endpoints": (_cols("Endpoints", "AGE"), _endpoints_row),
    "Namespace": (_cols("Status", "AGE"), lambda o: [
        (o.get("status") or {}).get("phase", "Active"), _age(o)]),
    "ConfigMap": (_cols(("Data", "integer"), "AGE"), lambda o: [
        len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o)]),
    "Secret": (_cols("Type", ("Data", "integer"), "AGE"), lambda o: [
        o.get("type", "Opaque"), len(o.get("data") or {}), _age(o)]),
    "ServiceAccount": (_cols(("Secrets", "integer"), "AGE"), lambda o: [
        len(o.get("secrets") or []), _age(o)]),
    "PersistentVolumeClaim": (_cols("Status", "Volume", "Capacity", "Access Modes",
                                    "StorageClass", "VolumeAttributesClass", "AGE",
                                    ("VolumeMode", "string", "", "", 1)), _pvc_row),
    "PersistentVolume": (_cols("Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim",
                               "StorageClass", "VolumeAttributesClass", "Reason", "AGE",
                               ("VolumeMode", "string", "", "", 1)), _pv_row),
    "Job": (_cols("Status", "Completions", "Duration", "AGE", *_WIDE_CI, _SELECTOR), _job_row),
    "PodDisruptionBudget": (_cols("Min Available", "Max Unavailable",
                                  ("Allowed Disruptions", "integer"), "AGE"), _pdb_row),
    "Lease": (_cols("Holder", "AGE"), lambda o: [
        (o.get("spec") or {}).get("holderIdentity", "<unknown>"), _age(o)]),
    "StorageClass": (_cols("Provisioner", "ReclaimPolicy", "VolumeBindingMode",
                           ("AllowVolumeExpansion", "boolean"), "AGE"), lambda o: [
        o.get("provisioner", ""), o.get("reclaimPolicy", "Delete"),
        o.get("volumeBindingMode", "Immediate"), bool(o.get("allowVolumeExpansion")), _age(o)]),
    "EndpointSlice": (_cols("AddressType", "Ports", "Endpoints", "AGE"), _slice_row),
    "ControllerRevision": (_cols("Controller", ("Revision", "integer"), "AGE"), lambda o: [
        next((f"{r.get('kind', '').lower()}.{r.get('apiVersion', '').split('/')[0]}/"
              f"{r.get('name')}" for r in o["metadata"].get("ownerReferences") or []
              if r.get("controller")), "<none>"), o.get("revision", 0), _age(o)]),
    "NetworkPolicy": (_cols("Pod-Selector", "AGE"), lambda o: [
        _sel((o.get("spec") or {}).get("podSelector")).replace("<none>", "<none>"), _age(o)]),
    "RoleBinding": (_cols("Role", "AGE"), lambda o: [
        f"{(o.get('roleRef') or {}).get('kind')}/{(o.get('roleRef') or {}).get('name')}",
        _age(o)]),
    "ClusterRoleBinding": (_cols("Role", "AGE"), lambda o: [
        f"{(o.get('roleRef') or {}).get('kind')}/{(o.get('roleRef') or {}).get('name')}",
        _age(o)]),
    "Event": ([_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"),
               _col("Message")], _event_row),
    "Node": (_cols("Status", "Roles", "AGE", "Version",
                   ("Internal-IP", "string", "", "", 1), ("External-IP", "string", "", "", 1),
                   ("OS-Image", "string", "", "", 1), ("Kernel-Version", "string", "", "", 1),
                   ("Container-Runtime", "string", "", "", 1)), _node_row),
}
_DEFAULT = ([_col(*_NAME), _col("Created At", "date", "",
                                "CreationTimestamp is a timestamp representing the server "
                                "time when this object was created.")],
            lambda o: [o["metadata"].get("creationTimestamp")])


def table(rt, objs: list[dict], query, headers: bool = True) -> dict:
    cols, row = PRINTERS.get(rt.kind, _DEFAULT)
    include = query.get("includeObject", "Metadata")
    rows = []
    for o in objs:
        cells = row(o)
        if rt.kind != "Event":
            cells = [o["metadata"]["name"]] + cells
        cells = cells[:len(cols)]
        r = {"cells": cells}
        if include == "Object":
            r["object"] = o
        elif include != "None":
            r["object"] = partial(o)
        rows.append(r)
    t = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {}}
    if headers:
        t["columnDefinitions"] = cols
    t["rows"] = rows
    if objs and len(objs) == 1:
        t["metadata"]["resourceVersion"] = objs[0]["metadata"].get("resourceVersion", "")
    return t
