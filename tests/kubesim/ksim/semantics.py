"""Semantic validation (422 Invalid) for the kinds served: the checks of
`KK pkg/apis/core/validation`, `pkg/apis/apps/validation`, `pkg/apis/policy/validation`
that manifests written by hand or by kubectl-pg are likely to hit. Messages follow the
field.Error formats (`Required value`, `Invalid value: ...`, `Forbidden: ...`).
"""
from __future__ import annotations

import re

from . import errors
from .errors import bad_value, cause, required
from .selectors import selector_from_object

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_STS_MUTABLE = {"replicas", "ordinals", "template", "updateStrategy",
                "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}


def _containers(spec: dict, path: str, causes: list, extra_volumes=()) -> None:
    cs = spec.get("containers")
    if not cs:
        causes.append(required(f"{path}.containers"))
        return
    names = set()
    for i, c in enumerate(cs):
        p = f"{path}.containers[{i}]"
        if not c.get("name"):
            causes.append(required(f"{p}.name"))
        elif not _DNS_LABEL.match(c["name"]) or len(c["name"]) > 63:
            causes.append(bad_value(f"{p}.name", c["name"],
                                    "a lowercase RFC 1123 label must consist of lower case "
                                    "alphanumeric characters or '-', and must start and end "
                                    "with an alphanumeric character (e.g. 'my-name',  or "
                                    "'123-abc', regex used for validation is "
                                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"))
        elif c["name"] in names:
            causes.append(cause("FieldValueDuplicate", f"{p}.name",
                                f'Duplicate value: "{c["name"]}"'))
        else:
            names.add(c["name"])
        if not c.get("image"):
            causes.append(required(f"{p}.image"))
    vols = {v.get("name") for v in spec.get("volumes") or []} | set(extra_volumes)
    for i, c in enumerate(cs):
        for j, m in enumerate(c.get("volumeMounts") or []):
            if m.get("name") not in vols:
                causes.append(cause("FieldValueNotFound",
                                    f"{path}.containers[{i}].volumeMounts[{j}].name",
                                    f'Not found: "{m.get("name")}"'))


def _selector_matches_template(spec: dict, causes: list, template_path="spec.template") -> None:
    sel = spec.get("selector")
    if sel is None:
        causes.append(required("spec.selector"))
        return
    if not (sel.get("matchLabels") or sel.get("matchExpressions")):
        causes.append(bad_value("spec.selector", sel, "empty selector is invalid for "
                                                      "deployment"))
        return
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    s = selector_from_object(sel)
    if s is not None and not s.match(labels):
        causes.append(bad_value(f"{template_path}.metadata.labels", labels,
                                "`selector` does not match template `labels`"))


def _replicas(spec: dict, causes: list) -> None:
    r = spec.get("replicas")
    if isinstance(r, int) and r < 0:
        causes.append(bad_value("spec.replicas", r, "must be greater than or equal to 0"))


def validate(op: str, rt, obj: dict, old: dict | None, store) -> None:
    causes: list[dict] = []
    kind = rt.kind
    spec = obj.get("spec") or {}
    if kind == "Pod":
        _containers(spec, "spec", causes)
        if op == "UPDATE" and old is not None:
            _pod_update(spec, old.get("spec") or {}, causes)
    elif kind in ("StatefulSet", "Deployment", "ReplicaSet"):
        _replicas(spec, causes)
        _selector_matches_template(spec, causes)
        tspec = (spec.get("template") or {}).get("spec")
        if tspec is None:
            causes.append(required("spec.template.spec.containers"))
        else:
            claims = [((t.get("metadata") or {}).get("name")) for t in
                      spec.get("volumeClaimTemplates") or []] if kind == "StatefulSet" else []
            _containers(tspec, "spec.template.spec", causes, claims)
        if kind == "StatefulSet":
            rp = tspec.get("restartPolicy") if tspec else None
            if rp not in (None, "Always"):
                causes.append(cause("FieldValueNotSupported", "spec.template.spec.restartPolicy",
                                    f'Unsupported value: "{rp}": supported values: "Always"'))
            if op == "UPDATE" and old is not None:
                ospec = old.get("spec") or {}
                changed = {k for k in set(spec) | set(ospec)
                           if k not in _STS_MUTABLE and spec.get(k) != ospec.get(k)}
                if changed:
                    causes.append(cause(
                        "FieldValueForbidden", "spec",
                        "Forbidden: updates to statefulset spec for fields other than "
                        "'replicas', 'ordinals', 'template', 'updateStrategy', "
                        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                        "forbidden"))
        elif op == "UPDATE" and old is not None and \
                (old.get("spec") or {}).get("selector") != spec.get("selector"):
            causes.append(bad_value("spec.selector", spec.get("selector"),
                                    "field is immutable"))
    elif kind == "Service":
        ports = spec.get("ports") or []
        if not ports and spec.get("clusterIP") != "None" and spec.get("type") != "ExternalName":
            causes.append(required("spec.ports"))
        names = set()
        for i, p in enumerate(ports):
            if len(ports) > 1 and not p.get("name"):
                causes.append(required(f"spec.ports[{i}].name"))
            if p.get("name") in names:
                causes.append(cause("FieldValueDuplicate", f"spec.ports[{i}].name",
                                    f'Duplicate value: "{p.get("name")}"'))
            names.add(p.get("name"))
            port = p.get("port")
            if not isinstance(port, int) or not 1 <= port <= 65535:
                causes.append(bad_value(f"spec.ports[{i}].port", port,
                                        "must be between 1 and 65535, inclusive"))
        if op == "UPDATE" and old is not None:
            oip = (old.get("spec") or {}).get("clusterIP")
            if spec.get("clusterIP") and oip and spec["clusterIP"] != oip:
                causes.append(bad_value("spec.clusterIPs[0]", spec["clusterIP"],
                                        "may not change once set"))
    elif kind == "PodDisruptionBudget":
        if "minAvailable" in spec and "maxUnavailable" in spec:
            causes.append(bad_value("spec", spec, "minAvailable and maxUnavailable cannot be "
                                                  "both set"))
    elif kind == "PersistentVolumeClaim":
        if op == "CREATE":
            if not spec.get("accessModes"):
                causes.append(required("spec.accessModes"))
            if not ((spec.get("resources") or {}).get("requests") or {}).get("storage"):
                causes.append(required("spec.resources[storage]"))
    elif kind == "ConfigMap" or kind == "Secret":
        for k in list((obj.get("data") or {})) + list((obj.get("binaryData") or
                                                        obj.get("stringData") or {})):
            if not re.match(r"^[-._a-zA-Z0-9]+$", k):
                causes.append(bad_value(f"data[{k}]", k, "a valid config key must consist of "
                                                         "alphanumeric characters, '-', '_' "
                                                         "or '.' (e.g. 'key.name',  or "
                                                         "'KEY_NAME',  or 'key-name', regex "
                                                         "used for validation is "
                                                         "'[-._a-zA-Z0-9]+')"))
    if causes:
        raise errors.invalid(rt, obj["metadata"].get("name", ""), causes)


def _pod_update(spec: dict, ospec: dict, causes: list) -> None:
    """Pod updates may change only images, activeDeadlineSeconds, tolerations (additions),
    terminationGracePeriodSeconds and schedulingGates (removal); nodeName may be set once."""
    def strip(s):
        s = dict(s)
        for k in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds",
                  "schedulingGates"):
            s.pop(k, None)
        if not ospec.get("nodeName"):
            s.pop("nodeName", None)
        s["containers"] = [{k: v for k, v in c.items() if k != "image"}
                           for c in s.get("containers") or []]
        s["initContainers"] = [{k: v for k, v in c.items() if k != "image"}
                               for c in s.get("initContainers") or []]
        return s
    if strip(spec) != strip(ospec):
        causes.append(cause("FieldValueForbidden", "spec",
                            "Forbidden: pod updates may not change fields other than "
                            "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                            "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                            "to existing tolerations),`spec.terminationGracePeriodSeconds` "
                            "(allow it to be set to 1 if it was previously negative)"))
