"""PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
patch (`AM pkg/util/strategicpatch/patch.go`), plus the list semantics both strategic
merge and server-side apply need.

List semantics come from the Go types' `patchStrategy`/`patchMergeKey` and
`+listType`/`+listMapKey` markers (what the official OpenAPI carries as
`x-kubernetes-patch-merge-key` and `x-kubernetes-list-map-keys`), tabulated here for the
kinds kubesim serves by field name, with the parent path where a name is ambiguous.
"""
from __future__ import annotations

import copy
import json

from . import errors

# field name -> strategic-merge key (patchStrategy=merge, patchMergeKey=...)
_MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "volumes": "name", "imagePullSecrets": "name", "hostAliases": "ip",
    "conditions": "type", "ownerReferences": "uid", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name", "schedulingGates": "name", "podIPs": "ip", "hostIPs": "ip",
    "addresses": "type", "taints": "key",
}
# Lists of scalars with patchStrategy=merge (a set).
_MERGE_SETS = {"finalizers"}
# Server-side-apply map keys where they differ from the strategic merge key.
_SSA_KEYS = {
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
    "taints": ("key", "effect"),
}
_CONTAINER_LISTS = {"containers", "initContainers", "ephemeralContainers"}


def list_kind(path: tuple, field: str) -> tuple[str, tuple[str, ...]]:
    """How the list at `path + (field,)` merges: ("map", keys), ("set", ()) or ("atomic", ()).
    `path` holds the field names leading to the list's parent (list items skipped)."""
    if field == "ports":
        if any(p in _CONTAINER_LISTS for p in path):
            return "map", ("containerPort", "protocol")
        if path[-1:] == ("spec",):
            return "map", ("port", "protocol")
        return "atomic", ()
    if field == "addresses" and "status" not in path:
        return "atomic", ()      # endpointslice/endpoints addresses are atomic
    if field == "conditions" and "endpoints" in path:
        return "atomic", ()
    if field in _MERGE_SETS:
        return "set", ()
    key = _MERGE_KEYS.get(field)
    if key:
        return "map", _SSA_KEYS.get(field, (key,))
    return "atomic", ()


def _smp_key(path: tuple, field: str) -> str | None:
    kind, keys = list_kind(path, field)
    if kind != "map":
        return None
    if field == "ports":
        return keys[0]
    return _MERGE_KEYS.get(field, keys[0])


# ------------------------------------------------------------------ merge patch
def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# ------------------------------------------------------------------- JSON patch
def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise errors.bad_request(f'JSON pointer "{path}" must start with "/"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, parts):
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise errors.ApiError(422, "Invalid",
                                      f"the server rejected our request due to an error in our "
                                      f"request: missing path segment {p!r}")
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise errors.ApiError(422, "Invalid", f"invalid index {p!r}")
        else:
            raise errors.ApiError(422, "Invalid", f"cannot descend into {p!r}")
    return cur


def _add(doc, parts, value, replace=False):
    if not parts:
        return value
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise errors.ApiError(422, "Invalid",
                                  f"replace operation does not apply: doc is missing key: "
                                  f"/{'/'.join(parts)}: missing value")
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            try:
                i = int(last)
            except ValueError:
                raise errors.ApiError(422, "Invalid", f"invalid index {last!r}")
            if replace:
                if not 0 <= i < len(parent):
                    raise errors.ApiError(422, "Invalid", f"index {i} out of range")
                parent[i] = value
            else:
                if not 0 <= i <= len(parent):
                    raise errors.ApiError(422, "Invalid", f"index {i} out of range")
                parent.insert(i, value)
    else:
        raise errors.ApiError(422, "Invalid", "cannot add to a scalar")
    return doc


def _remove(doc, parts):
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    try:
        if isinstance(parent, dict):
            return parent.pop(last)
        return parent.pop(int(last))
    except (KeyError, ValueError, IndexError):
        raise errors.ApiError(422, "Invalid",
                              f"remove operation does not apply: doc is missing path: "
                              f"\"/{'/'.join(parts)}\": missing value")


def json_patch(doc, ops):
    """RFC 6902: add, remove, replace, move, copy, test."""
    if not isinstance(ops, list):
        raise errors.bad_request("json: cannot unmarshal object into Go value of type "
                                 "jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        kind = op.get("op")
        parts = _pointer(op.get("path", ""))
        if kind == "add":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, parts)
        elif kind == "replace":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")), replace=True)
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            val = _remove(doc, src) if kind == "move" else copy.deepcopy(_walk(doc, src))
            doc = _add(doc, parts, val)
        elif kind == "test":
            if _walk(doc, parts) != op.get("value"):
                raise errors.ApiError(422, "Invalid",
                                      f"the server rejected our request due to an error in our "
                                      f"request: testing value /{'/'.join(parts)} failed: test "
                                      f"failed")
        else:
            raise errors.bad_request(f"Unexpected kind: {kind}")
    return doc


# ------------------------------------------------------------ strategic merge
_SET_ORDER = "$setElementOrder/"
_DELETE_PRIM = "$deleteFromPrimitiveList/"


def strategic_merge(original, patch, path: tuple = ()):
    """Apply a strategic merge patch to `original` (a dict), returning a new dict."""
    if not isinstance(patch, dict):
        raise errors.bad_request("strategic merge patch must be a JSON object")
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    out = dict(original) if isinstance(original, dict) else {}
    retain = patch.get("$retainKeys")
    orders = {}
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys"):
            continue
        if k.startswith(_SET_ORDER):
            orders[k[len(_SET_ORDER):]] = v
            continue
        if k.startswith(_DELETE_PRIM):
            field = k[len(_DELETE_PRIM):]
            if isinstance(out.get(field), list):
                out[field] = [x for x in out[field] if x not in (v or [])]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            merged = strategic_merge(out.get(k), v, path + (k,))
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, path, k)
        else:
            out[k] = v
    for field, order in orders.items():
        if isinstance(out.get(field), list):
            out[field] = _reorder(out[field], order, _smp_key(path, field))
    if retain is not None:
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(original, patch: list, path: tuple, field: str) -> list:
    if patch and isinstance(patch[0], dict) and patch[0].get("$patch") == "replace":
        return [copy.deepcopy(x) for x in patch[1:]]
    orig = list(original) if isinstance(original, list) else []
    kind, _ = list_kind(path, field)
    if kind == "set":
        out = orig + [x for x in patch if x not in orig]
        return out
    key = _smp_key(path, field)
    if kind != "map" or key is None:
        return copy.deepcopy(patch)
    out = list(orig)
    for item in patch:
        if not isinstance(item, dict):
            out.append(item)
            continue
        kv = item.get(key)
        idx = next((i for i, o in enumerate(out) if isinstance(o, dict) and o.get(key) == kv),
                   None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge({}, item, path + (field,)))
        else:
            out[idx] = strategic_merge(out[idx], item, path + (field,))
    return out


def _reorder(items: list, order: list, key: str | None) -> list:
    def ident(x):
        return x.get(key) if key and isinstance(x, dict) else json.dumps(x, sort_keys=True)
    pos = {(o.get(key) if key and isinstance(o, dict) else json.dumps(o, sort_keys=True)): i
           for i, o in enumerate(order)}
    return sorted(items, key=lambda x: pos.get(ident(x), len(pos)))


PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+json": "apply",
}


def apply_patch(kind: str, original: dict, body) -> dict:
    if kind == "json":
        return json_patch(original, body)
    if kind == "merge":
        if not isinstance(body, dict):
            raise errors.bad_request("merge patch must be a JSON object")
        return merge_patch(original, body)
    if kind == "strategic":
        return strategic_merge(original, body)
    raise errors.unsupported_media_type(kind)
