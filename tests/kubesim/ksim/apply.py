"""Server-side apply and metadata.managedFields.

Field sets are sets of paths; a path is a tuple of elements:
  ("f", name)      a field of a struct or map         -> fieldsV1 "f:name"
  ("k", keyjson)   an associative-list item by key    -> "k:{\"name\":\"pg\"}"
  ("v", valjson)   a set-list item                    -> "v:\"x\""
Leaves are scalars, atomic lists and empty maps; "k" items are also members themselves
(fieldsV1 ".": {}). List semantics come from ksim.patch.list_kind.

Apply (structured-merge-diff's algorithm, simplified; `AM pkg/util/managedfields`):
1. conflicts: a leaf of the applied configuration whose live value differs and that another
   manager owns -> 409 Conflict with one cause per field, unless force (then the other
   managers lose those fields);
2. fields this manager applied before and omits now are removed unless another manager
   owns them;
3. the configuration is merged into the live object;
4. the manager's Apply entry becomes the configuration's field set.
Non-apply writes with a field manager (`Store.managed_fields`): the manager's Update entry
gains every field the write changed, which other managers lose.
"""
from __future__ import annotations

import copy
import json

from . import errors
from .errors import ApiError
from .patch import list_kind
from .store import clone, now_rfc3339

_SKIP_META = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp",
              "generation", "managedFields", "selfLink", "deletionTimestamp",
              "deletionGracePeriodSeconds"}


def _keyjson(item: dict, keys: tuple, field: str) -> str:
    k = {}
    for key in keys:
        if key in item:
            k[key] = item[key]
        elif key == "protocol" and field == "ports":
            k[key] = "TCP"
    return json.dumps(k, sort_keys=True, separators=(",", ":"))


def field_set(obj: dict, subresource: str | None = None, rt=None) -> set[tuple]:
    """The field set of an object (top-level apiVersion/kind and system metadata excluded;
    status only for the status subresource, and excluded otherwise for kinds with one)."""
    out: set[tuple] = set()
    for k, v in _top(obj, subresource, rt).items():
        _walk(v, (("f", k),), (k,), out)
    return out


def _walk(v, path: tuple, names: tuple, out: set) -> None:
    if isinstance(v, dict):
        if not v:
            out.add(path)
        for k, sub in v.items():
            _walk(sub, path + (("f", k),), names + (k,), out)
        return
    if isinstance(v, list):
        kind, keys = list_kind(names[:-1], names[-1])
        if kind == "map" and all(isinstance(i, dict) for i in v):
            for item in v:
                p = path + (("k", _keyjson(item, keys, names[-1])),)
                out.add(p)
                for k, sub in item.items():
                    _walk(sub, p + (("f", k),), names + (k,), out)
            return
        if kind == "set":
            for item in v:
                out.add(path + (("v", json.dumps(item, separators=(",", ":"))),))
            return
    out.add(path)


def to_fields_v1(paths: set[tuple]) -> dict:
    root: dict = {}
    for p in sorted(paths):
        node = root
        for i, (kind, val) in enumerate(p):
            node = node.setdefault(f"{kind}:{val}", {})
            if kind == "k" and i == len(p) - 1:
                node["."] = {}
    return root


def from_fields_v1(fv1: dict) -> set[tuple]:
    out: set[tuple] = set()

    def rec(node: dict, path: tuple):
        if not node and path:
            out.add(path)
        for k, sub in node.items():
            if k == ".":
                out.add(path)
                continue
            kind, _, val = k.partition(":")
            rec(sub, path + ((kind, val),))
    rec(fv1 or {}, ())
    return out


def path_string(path: tuple) -> str:
    """structured-merge-diff's fieldpath.Path.String(): .spec.containers[name="pg"].image"""
    s = ""
    for kind, val in path:
        if kind == "f":
            s += "." + val
        elif kind == "k":
            d = json.loads(val)
            s += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in d.items()) + "]"
        elif kind == "v":
            s += f"[={val}]"
        else:
            s += f"[{val}]"
    return s


def _get(obj, path: tuple, names: tuple = ()):
    """The value at path, or a sentinel when absent."""
    cur = obj
    for kind, val in path:
        if kind == "f":
            if not isinstance(cur, dict) or val not in cur:
                return _MISSING
            names = names + (val,)
            cur = cur[val]
        elif kind == "k":
            if not isinstance(cur, list):
                return _MISSING
            want = json.loads(val)
            _, keys = list_kind(names[:-1], names[-1])
            found = _MISSING
            for item in cur:
                if isinstance(item, dict) and json.loads(_keyjson(item, keys, names[-1])) == want:
                    found = item
                    break
            if found is _MISSING:
                return _MISSING
            cur = found
        elif kind == "v":
            if not isinstance(cur, list) or json.loads(val) not in cur:
                return _MISSING
            cur = json.loads(val)
    return cur


_MISSING = object()


def _remove(obj, path: tuple, names: tuple = ()) -> None:
    cur = obj
    for i, (kind, val) in enumerate(path):
        last = i == len(path) - 1
        if kind == "f":
            if not isinstance(cur, dict) or val not in cur:
                return
            if last:
                del cur[val]
                return
            names = names + (val,)
            cur = cur[val]
        elif kind == "k":
            if not isinstance(cur, list):
                return
            want = json.loads(val)
            _, keys = list_kind(names[:-1], names[-1])
            idx = next((j for j, it in enumerate(cur) if isinstance(it, dict) and
                        json.loads(_keyjson(it, keys, names[-1])) == want), None)
            if idx is None:
                return
            if last:
                cur.pop(idx)
                return
            cur = cur[idx]
        elif kind == "v":
            v = json.loads(val)
            if isinstance(cur, list) and v in cur and last:
                cur.remove(v)
            return


def _merge(live, config, names: tuple):
    if isinstance(config, dict):
        out = dict(live) if isinstance(live, dict) else {}
        for k, v in config.items():
            out[k] = _merge(out.get(k), v, names + (k,))
        return out
    if isinstance(config, list) and names:
        kind, keys = list_kind(names[:-1], names[-1])
        if kind == "map" and isinstance(live, list) and all(isinstance(i, dict) for i in config):
            out = list(live)
            for item in config:
                kj = _keyjson(item, keys, names[-1])
                idx = next((j for j, it in enumerate(out) if isinstance(it, dict) and
                            _keyjson(it, keys, names[-1]) == kj), None)
                if idx is None:
                    out.append(copy.deepcopy(item))
                else:
                    out[idx] = _merge(out[idx], item, names)
            return out
        if kind == "set" and isinstance(live, list):
            return list(live) + [x for x in config if x not in live]
    return copy.deepcopy(config)


def _entries(obj: dict) -> list[dict]:
    return list((obj.get("metadata") or {}).get("managedFields") or [])


def _manager_label(e: dict) -> str:
    s = json.dumps(e["manager"])
    if e.get("subresource"):
        s += f' with subresource "{e["subresource"]}"'
    if e.get("operation") == "Update":
        s += f' using {e.get("apiVersion")}'
        if e.get("time"):
            s += f' at {e["time"]}'
    return s


def _conflict_error(conflicts: list[tuple[dict, tuple]]) -> ApiError:
    causes = [{"reason": "FieldManagerConflict",
               "message": f"conflict with {_manager_label(e)}", "field": path_string(p)}
              for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        msg = f"Apply failed with 1 conflict: conflict with {_manager_label(e)}: {path_string(p)}"
    else:
        by: dict[str, list[str]] = {}
        for e, p in conflicts:
            by.setdefault(_manager_label(e), []).append(path_string(p))
        lines = []
        for m in sorted(by):
            lines.append(f"conflicts with {m}:")
            lines += [f"- {p}" for p in sorted(by[m])]
        msg = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", msg, {"causes": causes})


def _same_entry(e: dict, manager: str, operation: str, subresource: str | None) -> bool:
    return (e.get("manager") == manager and e.get("operation") == operation and
            (e.get("subresource") or None) == (subresource or None))


def _sorted_entries(entries: list[dict]) -> list[dict]:
    """managedFields in kube-apiserver's order: operation (Apply before Update), time
    (RFC 3339 to the second, so text order is time order; none first), manager,
    apiVersion, subresource (AM k8s.io/apimachinery/pkg/util/managedfields/internal/
    managedfields.go sortEncodedManagedFields). A write that changes nothing thus leaves
    the list as it was."""
    return sorted(entries, key=lambda e: (e.get("operation", ""), e.get("time") or "",
                                          e.get("manager", ""), e.get("apiVersion", ""),
                                          e.get("subresource", "")))


def apply(store, rt, info, live: dict | None, config: dict, manager: str, force: bool,
          dry_run: bool) -> tuple[dict, bool]:
    """Server-side apply of `config` (an object) by `manager`; returns (object, created)."""
    sub = info.sub
    config = clone(config)
    cmd = config.get("metadata") or {}
    if cmd.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    cfg_set = field_set(config, sub, rt)
    now = now_rfc3339(store.clock)
    entry = {"manager": manager, "operation": "Apply", "apiVersion": rt.api_version,
             "time": now, "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(cfg_set)}
    if sub:
        entry["subresource"] = sub
    if live is None:
        if sub:
            raise errors.not_found(rt, info.name)
        config["metadata"]["managedFields"] = [entry]
        return store.create(rt, config, dry_run=dry_run), True
    entries = _entries(live)
    mine = next((e for e in entries if _same_entry(e, manager, "Apply", sub)), None)
    others = [e for e in entries if e is not mine]
    owned = {id(e): from_fields_v1(e.get("fieldsV1")) for e in others}
    conflicts = []
    for p in sorted(cfg_set):
        if p and p[-1][0] == "k":
            continue
        cv, lv = _get(config, p), _get(live, p)
        if lv is _MISSING or cv == lv:
            continue
        for e in others:
            if p in owned[id(e)]:
                conflicts.append((e, p))
    if conflicts and not force:
        raise _conflict_error(conflicts)
    for e, p in conflicts:
        owned[id(e)].discard(p)
    new = clone(live)
    prev = from_fields_v1(mine.get("fieldsV1")) if mine else set()
    still_owned = set().union(*owned.values()) if owned else set()
    for p in sorted(prev - cfg_set, key=len, reverse=True):
        if p not in still_owned and not any(q[:len(p)] == p for q in cfg_set):
            _remove(new, p)
    body = {k: v for k, v in config.items() if k not in ("apiVersion", "kind", "metadata")}
    if sub == "status":
        body = {"status": config.get("status")} if "status" in config else {}
    merged = _merge(new, body, ())
    md_cfg = {k: v for k, v in cmd.items() if k in ("labels", "annotations", "finalizers",
                                                     "ownerReferences")}
    merged["metadata"] = _merge(merged.get("metadata") or {}, md_cfg, ())
    new_entries = []
    for e in entries:
        if e is mine:
            continue
        s = owned[id(e)]
        if not s:
            continue
        if conflicts and any(c[0] is e for c in conflicts):
            e = dict(e, fieldsV1=to_fields_v1(s))
        new_entries.append(e)
    if mine is not None and from_fields_v1(mine.get("fieldsV1")) == cfg_set:
        entry["time"] = mine.get("time", now)
    new_entries.append(entry)
    merged["metadata"]["managedFields"] = _sorted_entries(new_entries)
    merged["metadata"]["resourceVersion"] = cmd.get("resourceVersion") or \
        live["metadata"]["resourceVersion"]
    return store.update(rt, merged, subresource=sub, dry_run=dry_run), False


def _top(obj: dict, subresource: str | None, rt) -> dict:
    """The part of an object field sets are made of (see field_set)."""
    out = {}
    for k, v in obj.items():
        if k in ("apiVersion", "kind"):
            continue
        if subresource == "status" and k != "status":
            continue
        if subresource != "status" and k == "status" and (rt is None or rt.has_status):
            continue
        if k == "metadata" and isinstance(v, dict):
            v = {mk: mv for mk, mv in v.items() if mk not in _SKIP_META}
            if not v:
                continue
        out[k] = v
    return out


def _diff(new, old, path: tuple, names: tuple, changed: set, removed: set) -> None:
    """Leaf paths set or changed by going from old to new, and paths removed."""
    for k, v in new.items():
        p = path + (("f", k),)
        n = names + (k,)
        if k not in old:
            _walk(v, p, n, changed)
            continue
        ov = old[k]
        if v == ov:
            continue
        if isinstance(v, dict) and isinstance(ov, dict) and v and ov:
            _diff(v, ov, p, n, changed, removed)
        elif isinstance(v, list) and isinstance(ov, list):
            kind, keys = list_kind(names, k)
            if kind == "map" and all(isinstance(i, dict) for i in v + ov):
                olds = {_keyjson(i, keys, k): i for i in ov}
                news = {_keyjson(i, keys, k): i for i in v}
                for kj, item in news.items():
                    ip = p + (("k", kj),)
                    if kj not in olds:
                        changed.add(ip)
                        for fk, fv in item.items():
                            _walk(fv, ip + (("f", fk),), n + (fk,), changed)
                    elif item != olds[kj]:
                        _diff(item, olds[kj], ip, n, changed, removed)
                for kj in olds.keys() - news.keys():
                    removed.add(p + (("k", kj),))
            elif kind == "set":
                for x in v:
                    if x not in ov:
                        changed.add(p + (("v", json.dumps(x, separators=(",", ":"))),))
                for x in ov:
                    if x not in v:
                        removed.add(p + (("v", json.dumps(x, separators=(",", ":"))),))
            else:
                changed.add(p)
        else:
            _walk(v, p, n, changed)
    for k in old.keys() - new.keys():
        _walk(old[k], path + (("f", k),), names + (k,), removed)


def track_update(op: str, rt, obj: dict, old: dict | None, manager: str,
                 subresource: str | None, clock=None) -> None:
    """Store hook: record a non-apply write by `manager` in obj.metadata.managedFields."""
    md = obj.setdefault("metadata", {})
    changed: set = set()
    removed: set = set()
    if old is None:
        entries = list(md.get("managedFields") or [])
        changed = field_set(obj, subresource, rt)
    else:
        entries = list((old.get("metadata") or {}).get("managedFields") or [])
        _diff(_top(obj, subresource, rt), _top(old, subresource, rt), (), (), changed, removed)
    if not changed and not removed:
        if entries:
            md["managedFields"] = entries
        else:
            md.pop("managedFields", None)
        return
    out = []
    mine_set: set = set()
    mine_entry = None
    for e in entries:
        s = from_fields_v1(e.get("fieldsV1"))
        if _same_entry(e, manager, "Update", subresource):
            mine_entry = e
            mine_set = {p for p in s if not any(p[:len(r)] == r for r in removed)}
            continue
        s2 = {p for p in s if p not in changed and not any(p[:len(r)] == r for r in removed)} \
            if removed else s - changed
        if s2 != s:
            e = dict(e, fieldsV1=to_fields_v1(s2))
        if s2:
            out.append(e)
    mine_set |= changed
    if mine_set:
        e = {"manager": manager, "operation": "Update", "apiVersion": rt.api_version,
             "time": now_rfc3339(clock) if clock else now_rfc3339(),
             "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(mine_set)}
        if subresource:
            e["subresource"] = subresource
        if mine_entry is not None and from_fields_v1(mine_entry.get("fieldsV1")) == mine_set:
            e["time"] = mine_entry.get("time", e["time"])
        out.append(e)
    if out:
        md["managedFields"] = _sorted_entries(out)
    else:
        md.pop("managedFields", None)
