"""Downward API field paths (`fieldRef.fieldPath`) as the kubelet resolves them
(KK pkg/api/v1/pod/util.go ConvertDownwardAPIFieldLabel, pkg/fieldpath/fieldpath.go)."""
from __future__ import annotations

import re

_SUBSCRIPT = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


class FieldPathError(ValueError):
    pass


def field_value(pod: dict, path: str) -> str:
    """The string value of `path` for `pod`; raises FieldPathError for unsupported paths."""
    meta, spec, status = pod.get("metadata", {}), pod.get("spec", {}), pod.get("status", {})
    m = _SUBSCRIPT.match(path)
    if m:
        return (meta.get(m.group(1)) or {}).get(m.group(2), "")
    if path in ("metadata.labels", "metadata.annotations"):
        items = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(items.items()))
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP", ""),
        "status.podIPs": ",".join(p.get("ip", "") for p in status.get("podIPs") or []),
        "status.hostIP": status.get("hostIP", ""),
        "status.hostIPs": ",".join(p.get("ip", "") for p in status.get("hostIPs") or []),
    }
    if path not in simple:
        raise FieldPathError(f"unsupported fieldPath {path!r}")
    return simple[path]
