"""The controllers' shared informer cache: every object the store holds, indexed.

The Cache is the store's one subscriber on the controllers' side. It keeps references
to the store's objects (no copies: treat them as read-only, `util.clone` before
changing one) and the indexes the controllers need so that no event costs a scan of
all pods:

- by resource type, namespace and name (`get`, `in_namespace`, `all`);
- by uid (`by_uid`), to tell whether an owner still exists;
- by owner uid (`dependents`, `controlled`), for the workload controllers and the GC;
- pods by (namespace, label key, label value) (`pods_matching`);
- Services by (namespace, one selector pair) (`services_for_pod`);
- pods, ControllerRevisions and ReplicaSets without a controller (`orphans`).

After updating its indexes it calls the handlers registered with `on(rt, handler)` as
`handler(event_type, obj, old)`; `old` is the previous state (None for ADDED) and
`obj` the new one (the last state for DELETED). Handlers only enqueue work.
"""
from __future__ import annotations

import logging
from typing import Callable, Iterable

from ..resources import REGISTRY
from ..selectors import LabelSelector, selector_from_object

log = logging.getLogger("ksim.controllers")

PODS = REGISTRY.by_resource("", "v1", "pods")
SERVICES = REGISTRY.by_resource("", "v1", "services")
# Kinds a controller adopts when orphaned; the cache indexes their orphans.
ADOPTABLE = {PODS, REGISTRY.by_resource("apps", "v1", "controllerrevisions"),
             REGISTRY.by_resource("apps", "v1", "replicasets")}

Handler = Callable[[str, dict, "dict | None"], None]


def _service_selector(svc: dict) -> LabelSelector | None:
    """A Service's spec.selector (a plain map); None when it has none (such Services'
    Endpoints are managed by someone else, e.g. Patroni)."""
    sel = (svc.get("spec") or {}).get("selector")
    if not sel:
        return None
    return selector_from_object({"matchLabels": sel})


class Cache:
    def __init__(self, store):
        self.store = store
        self._objects: dict = {}          # rt -> namespace -> name -> obj
        self._uids: dict = {}             # uid -> (rt, namespace, name)
        self._owned: dict = {}            # owner uid -> {(rt, namespace, name)}
        self._pod_labels: dict = {}       # (namespace, key, value) -> {pod name}
        self._svc_by_pair: dict = {}      # (namespace, key, value) -> {service name}
        self._svc_selectors: dict = {}    # (namespace, name) -> LabelSelector
        self._indexed: dict = {}          # (rt, namespace, name) -> index keys
        self._orphans: dict = {}          # (rt, namespace) -> {name}: no controller reference
        self._handlers: dict = {}         # rt -> [Handler]
        self._unsubscribe = None

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Fills the cache from the store, then follows its changes."""
        for rt in REGISTRY.all():
            for obj in self.store.iter_objects(rt):     # the shared objects, no copies
                self._add(rt, obj)
        self._unsubscribe = self.store.subscribe(self._on_event)

    def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None

    def on(self, rt, handler: Handler) -> None:
        self._handlers.setdefault(rt, []).append(handler)

    # ---- reads -----------------------------------------------------------------------
    def get(self, rt, namespace: str | None, name: str) -> dict | None:
        return self._objects.get(rt, {}).get(namespace or "", {}).get(name)

    def in_namespace(self, rt, namespace: str | None) -> list[dict]:
        return list(self._objects.get(rt, {}).get(namespace or "", {}).values())

    def all(self, rt) -> Iterable[dict]:
        for objs in list(self._objects.get(rt, {}).values()):
            yield from list(objs.values())

    def count(self, rt) -> int:
        return sum(len(objs) for objs in self._objects.get(rt, {}).values())

    def by_uid(self, uid: str) -> tuple | None:
        """(rt, obj) of the object with this uid, or None."""
        where = self._uids.get(uid)
        if where is None:
            return None
        rt, ns, name = where
        obj = self.get(rt, ns, name)
        return (rt, obj) if obj is not None else None

    def dependents(self, owner_uid: str) -> list[tuple]:
        """(rt, obj) of every object with an ownerReference to owner_uid."""
        out = []
        for rt, ns, name in list(self._owned.get(owner_uid, ())):
            obj = self.get(rt, ns, name)
            if obj is not None:
                out.append((rt, obj))
        return out

    def controlled(self, rt, owner_uid: str) -> list[dict]:
        """Objects of type rt whose controller reference points at owner_uid."""
        out = []
        for drt, ns, name in list(self._owned.get(owner_uid, ())):
            if drt is not rt:
                continue
            obj = self.get(rt, ns, name)
            if obj is None:
                continue
            for ref in obj["metadata"].get("ownerReferences") or ():
                if ref.get("uid") == owner_uid and ref.get("controller"):
                    out.append(obj)
                    break
        return out

    def orphans(self, rt, namespace: str) -> list[dict]:
        """Objects of an ADOPTABLE type in a namespace without a controller reference."""
        objs = self._objects.get(rt, {}).get(namespace, {})
        return [objs[n] for n in list(self._orphans.get((rt, namespace), ())) if n in objs]

    def pods_matching(self, namespace: str, selector: LabelSelector | None) -> list[dict]:
        """Pods of a namespace that a label selector selects (None selects none)."""
        if selector is None:
            return []
        pods = self._objects.get(PODS, {}).get(namespace, {})
        names = None
        for key, op, values in selector.reqs:
            if op == "in" and len(values) == 1:
                found = self._pod_labels.get((namespace, key, values[0]), set())
                names = found if names is None or len(found) < len(names) else names
                if not names:
                    return []
        candidates = (pods.get(n) for n in names) if names is not None else pods.values()
        return [p for p in candidates
                if p is not None and selector.match(p["metadata"].get("labels"))]

    def services_for_pod(self, pod: dict) -> list[dict]:
        """Services (with a selector) in the pod's namespace that select it."""
        m = pod["metadata"]
        ns = m.get("namespace", "")
        labels = m.get("labels") or {}
        names = set()
        for k, v in labels.items():
            names.update(self._svc_by_pair.get((ns, k, v), ()))
        out = []
        for name in names:
            sel = self._svc_selectors.get((ns, name))
            svc = self.get(SERVICES, ns, name)
            if svc is not None and sel is not None and sel.match(labels):
                out.append(svc)
        return out

    # ---- maintenance -----------------------------------------------------------------
    def _on_event(self, event_type: str, rt, obj: dict, old_obj: dict | None = None) -> None:
        m = obj["metadata"]
        ns, name = m.get("namespace", ""), m["name"]
        previous = self.get(rt, ns, name)
        if previous is not None:
            self._remove(rt, previous)
        if event_type != "DELETED":
            self._add(rt, obj)
        for handler in self._handlers.get(rt, ()):
            try:
                handler(event_type, obj, previous)
            except Exception:  # a handler bug must not break the store's write path
                log.exception("controller handler failed for %s %s/%s", rt.kind, ns, name)

    def _add(self, rt, obj: dict) -> None:
        m = obj["metadata"]
        ns, name = m.get("namespace", ""), m["name"]
        self._objects.setdefault(rt, {}).setdefault(ns, {})[name] = obj
        where = (rt, ns, name)
        # What this object was indexed under, so that removal does not depend on the
        # object staying unchanged.
        uid = m.get("uid")
        owners = tuple(ref.get("uid") for ref in m.get("ownerReferences") or ())
        pairs = ()
        if uid:
            self._uids[uid] = where
        for owner in owners:
            self._owned.setdefault(owner, set()).add(where)
        if rt is PODS:
            pairs = tuple((ns, k, v) for k, v in (m.get("labels") or {}).items())
            for pair in pairs:
                self._pod_labels.setdefault(pair, set()).add(name)
        elif rt is SERVICES:
            sel = _service_selector(obj)
            if sel is not None:
                self._svc_selectors[(ns, name)] = sel
                pairs = ((ns, sel.reqs[0][0], sel.reqs[0][2][0]),)
                self._svc_by_pair.setdefault(pairs[0], set()).add(name)
        self._indexed[where] = (uid, owners, pairs)
        if rt in ADOPTABLE and not any(ref.get("controller")
                                       for ref in m.get("ownerReferences") or ()):
            self._orphans.setdefault((rt, ns), set()).add(name)

    def _remove(self, rt, obj: dict) -> None:
        m = obj["metadata"]
        ns, name = m.get("namespace", ""), m["name"]
        by_ns = self._objects.get(rt, {})
        objs = by_ns.get(ns)
        if objs is not None:
            objs.pop(name, None)
            if not objs:
                del by_ns[ns]
        where = (rt, ns, name)
        uid, owners, pairs = self._indexed.pop(where, (None, (), ()))
        _discard(self._orphans, (rt, ns), name)
        if uid and self._uids.get(uid) == where:
            del self._uids[uid]
        for owner in owners:
            _discard(self._owned, owner, where)
        if rt is PODS:
            for pair in pairs:
                _discard(self._pod_labels, pair, name)
        elif rt is SERVICES:
            self._svc_selectors.pop((ns, name), None)
            for pair in pairs:
                _discard(self._svc_by_pair, pair, name)


def _discard(index: dict, key, value) -> None:
    s = index.get(key)
    if s is not None:
        s.discard(value)
        if not s:
            del index[key]
