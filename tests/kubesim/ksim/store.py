"""The object store: metadata semantics, resourceVersion, optimistic concurrency, watch
fan-out and persistence. The contract is tests/kubesim/ARCHITECTURE.md ("Store").

Everything runs in the server's single asyncio event loop and every method here is
synchronous, so a read-modify-write by one caller cannot interleave with another writer.

Objects are wire-form dicts. Stored objects are never mutated in place: a write stores a
fresh copy and replaces the reference, so snapshots (persistence, watch event windows,
LIST pages) can share them. `get`, `try_get` and `list` return private copies the caller
may change; `iter_objects` and the callbacks given to `subscribe` see the shared stored
objects and must not modify them.

resourceVersion is one global integer counter (etcd's revision): every committed write,
of any kind, takes the next value.
"""
from __future__ import annotations

import asyncio
import base64
import collections
import json
import logging
import marshal
import os
import random
import re
import time
import sys
import uuid
from typing import Callable, Iterator

from . import errors
from .errors import ApiError
from .resources import REGISTRY, ResourceType
from .selectors import parse_field_selector, parse_label_selector

log = logging.getLogger("ksim.store")

ADDED, MODIFIED, DELETED, BOOKMARK = "ADDED", "MODIFIED", "DELETED", "BOOKMARK"

_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Kinds whose names must be DNS-1123 labels (KK pkg/apis/core/validation ValidateNamespaceName,
# ValidateServiceName; apps ValidateStatefulSetName is a subdomain but pods derived from it
# must be labels, which the real API checks on the pods).
_LABEL_NAMED = {"Namespace", "Service"}
# Kinds that keep a client-sent status on create (the kubelet registers a Node with status).
_KEEP_STATUS_ON_CREATE = {"Node"}
_GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789"   # AM pkg/util/rand String()
_intern = sys.intern


def clone(obj):
    """A deep copy of a JSON-shaped value (dict/list/str/int/float/bool/None)."""
    return marshal.loads(marshal.dumps(obj))


def intern_tree(obj):
    """A copy whose dict keys and short strings are interned: tens of thousands of stored
    objects then share one copy of "metadata", "Running", "TCP"... (most of an object's
    memory otherwise), and marshal-based clones keep sharing them."""
    t = type(obj)
    if t is dict:
        return {_intern(k): intern_tree(v) for k, v in obj.items()}
    if t is list:
        return [intern_tree(v) for v in obj]
    if t is str and len(obj) <= 64:
        return _intern(obj)
    return obj


def now_rfc3339(clock: Callable[[], float] = time.time, offset: float = 0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(clock() + offset))


def _body(obj: dict) -> dict:
    """The parts of an object that count for metadata.generation: all but metadata/status."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _key(ns: str | None, name: str) -> tuple[str, str]:
    return (ns or "", name)


class Watch:
    """An async iterator of (event_type, obj) for one watcher. Ends when closed (client gone,
    server shutdown/restart) or when the watcher falls too far behind."""

    MAX_PENDING = 200_000

    def __init__(self, store: "Store", rt: ResourceType, namespace: str | None, lsel, fsel,
                 allow_bookmarks: bool, bookmark_interval: float):
        self.store = store
        self.rt = rt
        self.namespace = namespace
        self._lsel = lsel
        self._fsel = fsel
        self._pending: collections.deque = collections.deque()
        self._wake = asyncio.Event() if _has_loop() else None
        self._closed = False
        self.allow_bookmarks = allow_bookmarks
        self.bookmark_interval = bookmark_interval
        self.resource_version = store.resource_version

    def matches(self, obj: dict) -> bool:
        md = obj["metadata"]
        if self.namespace is not None and md.get("namespace") != self.namespace:
            return False
        if not self._lsel.empty and not self._lsel.match(md.get("labels")):
            return False
        if not self._fsel.empty and not self._fsel.match(obj):
            return False
        return True

    def _offer(self, etype: str, obj: dict, old: dict | None) -> None:
        """Called by the store after a commit: translate to what this watcher sees."""
        if self._closed:
            return
        now = self.matches(obj)
        if etype == MODIFIED and old is not None:
            before = self.matches(old)
            if now and not before:
                etype = ADDED
            elif before and not now:
                etype = DELETED
                old = clone(old)
                old["metadata"]["resourceVersion"] = obj["metadata"]["resourceVersion"]
                obj = old
                now = True
        if not now:
            return
        self._push(etype, obj)

    def _push(self, etype: str, obj: dict) -> None:
        self._pending.append((etype, obj))
        if len(self._pending) > self.MAX_PENDING:
            log.warning("closing a watch on %s: %d events pending", self.rt.resource,
                        len(self._pending))
            self.close()
        if self._wake is not None:
            self._wake.set()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.store._unwatch(self)
            if self._wake is not None:
                self._wake.set()

    @property
    def closed(self) -> bool:
        return self._closed

    def __aiter__(self):
        return self

    async def __anext__(self) -> tuple[str, dict]:
        if self._wake is None:
            self._wake = asyncio.Event()
        while True:
            if self._pending and not (self._closed and len(self._pending) > self.MAX_PENDING):
                etype, obj = self._pending.popleft()
                rv = obj["metadata"].get("resourceVersion")
                if rv:
                    self.resource_version = rv
                return etype, obj
            if self._closed:
                raise StopAsyncIteration
            self._wake.clear()
            if self.allow_bookmarks:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.bookmark_interval)
                except asyncio.TimeoutError:
                    return BOOKMARK, self.bookmark()
            else:
                await self._wake.wait()

    def bookmark(self, initial_events_end: bool = False) -> dict:
        """A BOOKMARK object: the kind, and metadata.resourceVersion = the store's current RV
        (every event up to it has been queued for this watcher)."""
        self.resource_version = self.store.resource_version
        md = {"resourceVersion": self.resource_version}
        if initial_events_end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {"kind": self.rt.kind, "apiVersion": self.rt.api_version, "metadata": md}


def _has_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


Admission = Callable[[str, ResourceType, dict, "dict | None", "Store"], None]


class Store:
    """The object store (see the module docstring).

    `admission`: callables `fn(op, rt, obj, old, store)` run on every create and update
    (op "CREATE" / "UPDATE"; `old` None on create) after kubesim has set the metadata
    and before the commit; they default fields in place and raise ApiError to reject
    (kubesim wires ksim.defaults and ksim.validation here, so controller writes are
    defaulted exactly as API writes are).
    `managed_fields`: `fn(op, rt, obj, old, manager, subresource)` that updates
    metadata.managedFields when a write names its field manager.
    `window`: how many events per resource type a watch can resume from (older: 410).
    """

    def __init__(self, *, admission: list[Admission] | None = None, window: int = 10000,
                 clock: Callable[[], float] = time.time):
        self._rv = 0
        self._objs: dict[ResourceType, dict[str, dict[str, dict]]] = {
            rt: {} for rt in REGISTRY.all()}
        self._sorted: dict[ResourceType, list | None] = {}
        self._events: dict[ResourceType, collections.deque] = {
            rt: collections.deque() for rt in REGISTRY.all()}
        self._window = window
        self._window_start: dict[ResourceType, int] = {rt: 0 for rt in REGISTRY.all()}
        self._watchers: dict[ResourceType, set[Watch]] = {rt: set() for rt in REGISTRY.all()}
        self._subscribers: list[Callable] = []
        self.admission: list[Admission] = list(admission or [])
        self.managed_fields: Callable | None = None
        self.clock = clock
        self.dirty = False
        self.bookmark_interval = 60.0

    # ------------------------------------------------------------------ reads
    @property
    def resource_version(self) -> str:
        return str(self._rv)

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict:
        obj = self._raw(rt, namespace, name)
        if obj is None:
            raise errors.not_found(rt, name)
        return clone(obj)

    def try_get(self, rt: ResourceType, namespace: str | None, name: str) -> dict | None:
        obj = self._raw(rt, namespace, name)
        return None if obj is None else clone(obj)

    def get_shared(self, rt: ResourceType, namespace: str | None, name: str) -> dict | None:
        """The stored object itself (read-only), or None."""
        return self._raw(rt, namespace, name)

    def _raw(self, rt, namespace, name):
        bucket = self._objs[rt].get(namespace or "" if rt.namespaced else "")
        return None if bucket is None else bucket.get(name)

    def list(self, rt: ResourceType, namespace: str | None = None, label_selector: str = "",
             field_selector: str = "") -> tuple[list[dict], str]:
        """(copies of the matching items sorted by namespace/name, the list resourceVersion)."""
        return [clone(o) for o in self.iter_objects(rt, namespace, label_selector,
                                                    field_selector)], self.resource_version

    def iter_objects(self, rt: ResourceType, namespace: str | None = None,
                     label_selector: str = "", field_selector: str = "",
                     start_after: tuple[str, str] | None = None) -> Iterator[dict]:
        """The stored (shared, read-only) objects matching, in namespace/name order,
        optionally only those whose (namespace, name) key sorts after `start_after`."""
        lsel = parse_label_selector(label_selector)
        fsel = parse_field_selector(field_selector, rt)
        ns_filter = namespace if rt.namespaced else None
        if ns_filter is None and rt.namespaced:
            ns_filter = fsel.single_namespace()
        name = fsel.single_name()
        objs = self._objs[rt]
        if name is not None:
            if ns_filter is not None:
                cand = [objs.get(ns_filter, {}).get(name)]
            else:
                cand = [objs[ns].get(name) for ns in sorted(objs)]
            it = (o for o in cand if o is not None
                  and (start_after is None or _key(o["metadata"].get("namespace"), name) > start_after))
        elif ns_filter is not None:
            bucket = objs.get(ns_filter, {})
            names = sorted(bucket)
            if start_after is not None:
                if start_after[0] > ns_filter:
                    names = []
                elif start_after[0] == ns_filter:
                    import bisect
                    names = names[bisect.bisect_right(names, start_after[1]):]
            it = (bucket[n] for n in names)
        else:
            keys = self._sorted_keys(rt)
            if start_after is not None:
                import bisect
                keys = keys[bisect.bisect_right(keys, start_after):]
            it = (objs[k[0]][k[1]] for k in keys)
        for o in it:
            if not lsel.empty and not lsel.match(o["metadata"].get("labels")):
                continue
            if not fsel.empty and not fsel.match(o):
                continue
            yield o

    def _sorted_keys(self, rt: ResourceType) -> list[tuple[str, str]]:
        keys = self._sorted.get(rt)
        if keys is None:
            keys = sorted((ns, n) for ns, bucket in self._objs[rt].items() for n in bucket)
            self._sorted[rt] = keys
        return keys

    def count(self, rt: ResourceType, namespace: str | None = None) -> int:
        if namespace is not None and rt.namespaced:
            return len(self._objs[rt].get(namespace, {}))
        return sum(len(b) for b in self._objs[rt].values())

    def list_page(self, rt: ResourceType, namespace: str | None = None, label_selector: str = "",
                  field_selector: str = "", limit: int = 0,
                  continue_token: str = "") -> tuple[list[dict], str, str, int | None]:
        """One LIST page: (shared items, list resourceVersion, continue token or "",
        remainingItemCount or None). The token carries the first page's resourceVersion,
        which every page reports; a token older than the event window gives 410."""
        list_rv = self._rv
        start = None
        if continue_token:
            try:
                tok = json.loads(base64.b64decode(continue_token))
                list_rv = int(tok["rv"])
                start = tuple(tok["start"])
            except Exception:
                raise errors.bad_request("continue key is not valid: illegal base64 data")
            if list_rv < self._window_start[rt]:
                raise errors.ApiError(
                    410, "Expired",
                    "The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use "
                    f"the continue token in this response to retrieve the remainder of the "
                    f"results. Continuing with the provided token results in an inconsistent "
                    f"list - objects that were created, modified, or deleted between the time "
                    f"the first chunk was returned and now may show up in the list.")
        items = []
        it = self.iter_objects(rt, namespace, label_selector, field_selector, start)
        for o in it:
            if limit and len(items) >= limit:
                last = items[-1]["metadata"]
                tok = {"v": "meta.k8s.io/v1", "rv": list_rv,
                       "start": [last.get("namespace", ""), last["name"]]}
                remaining = 1 + sum(1 for _ in it)
                return (items, str(list_rv),
                        base64.b64encode(json.dumps(tok).encode()).decode(), remaining)
            items.append(o)
        return items, str(list_rv), "", None

    # ----------------------------------------------------------------- writes
    def create(self, rt: ResourceType, obj: dict, *, dry_run: bool = False,
               field_manager: str | None = None) -> dict:
        obj = clone(obj)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        md = obj.get("metadata")
        if not isinstance(md, dict):
            md = obj["metadata"] = {}
        ns = (md.get("namespace") or "default") if rt.namespaced else ""
        if rt.namespaced:
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
        if not md.get("name"):
            gen = md.get("generateName")
            if not gen:
                raise errors.invalid(rt, "", [errors.required(
                    "metadata.name", "name or generateName is required")])
            for _ in range(20):
                md["name"] = gen + "".join(random.choice(_GENERATE_CHARS) for _ in range(5))
                if self._raw(rt, ns, md["name"]) is None:
                    break
        name = md["name"]
        self._validate_name(rt, name)
        if rt.namespaced:
            self._check_namespace(rt, ns, name)
        if self._raw(rt, ns, name) is not None:
            raise errors.already_exists(rt, name)
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "selfLink"):
            md.pop(k, None)
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_rfc3339(self.clock)
        if rt.has_generation:
            md["generation"] = 1
        else:
            md.pop("generation", None)
        if rt.has_status and rt.kind not in _KEEP_STATUS_ON_CREATE:
            obj.pop("status", None)
        for fn in self.admission:
            fn("CREATE", rt, obj, None, self)
        if field_manager and self.managed_fields:
            self.managed_fields("CREATE", rt, obj, None, field_manager, None)
        if dry_run:
            return obj
        obj = self._commit(rt, ADDED, obj, None)
        return clone(obj)

    def update(self, rt: ResourceType, obj: dict, *, subresource: str | None = None,
               dry_run: bool = False, field_manager: str | None = None) -> dict:
        md_in = obj.get("metadata") or {}
        name = md_in.get("name")
        ns = (md_in.get("namespace") or "default") if rt.namespaced else ""
        if not name:
            raise errors.invalid(rt, "", [errors.required("metadata.name", "name is required")])
        old = self._raw(rt, ns, name)
        if old is None:
            raise errors.not_found(rt, name)
        rv = md_in.get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise errors.conflict(rt, name, errors.STALE)
        uid = md_in.get("uid")
        if uid and uid != old["metadata"]["uid"]:
            raise errors.conflict(rt, name, f"Precondition failed: UID in precondition: {uid}, "
                                            f"UID in object meta: {old['metadata']['uid']}")
        if subresource == "status":
            new = clone(old)
            if "status" in obj:
                new["status"] = clone(obj["status"])
            else:
                new.pop("status", None)
            if "managedFields" in md_in:
                new["metadata"]["managedFields"] = clone(md_in["managedFields"])
        elif subresource == "finalize":
            new = clone(old)
            new.setdefault("spec", {})["finalizers"] = list(
                (obj.get("spec") or {}).get("finalizers") or [])
            if not new["spec"]["finalizers"]:
                del new["spec"]["finalizers"]
        elif subresource in (None, "", "scale"):
            new = clone(obj)
            new["apiVersion"] = rt.api_version
            new["kind"] = rt.kind
            if rt.has_status:
                if "status" in old:
                    new["status"] = clone(old["status"])
                else:
                    new.pop("status", None)
            if rt.kind == "Namespace":
                spec = new.setdefault("spec", {})
                if "finalizers" in (old.get("spec") or {}):
                    spec["finalizers"] = clone(old["spec"]["finalizers"])
                else:
                    spec.pop("finalizers", None)
                if not spec:
                    del new["spec"]
        else:
            raise errors.bad_request(f"no such subresource {subresource!r} for {rt.resource}")
        md = new.setdefault("metadata", {})
        omd = old["metadata"]
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "generation", "name", "namespace", "resourceVersion"):
            if k in omd:
                md[k] = omd[k]
            else:
                md.pop(k, None)
        md.pop("selfLink", None)
        if omd.get("deletionTimestamp"):
            added = set(md.get("finalizers") or ()) - set(omd.get("finalizers") or ())
            if added:
                raise errors.invalid(rt, name, [errors.cause(
                    "FieldValueForbidden", "metadata.finalizers",
                    f"Forbidden: no new finalizers can be added if the object is being deleted, "
                    f"found new finalizers {sorted(added)}")])
        for fn in self.admission:
            fn("UPDATE", rt, new, old, self)
        if rt.has_generation and _body(new) != _body(old):
            md["generation"] = omd.get("generation", 0) + 1
        if field_manager and self.managed_fields:
            self.managed_fields("UPDATE", rt, new, old, field_manager, subresource)
        if new == old:
            return clone(old)
        if dry_run:
            return new
        if (md.get("deletionTimestamp") and not md.get("finalizers")
                and omd.get("deletionGracePeriodSeconds", 0) == 0
                and not (rt.kind == "Namespace" and (new.get("spec") or {}).get("finalizers"))):
            new = self._commit(rt, DELETED, new, old)
        else:
            new = self._commit(rt, MODIFIED, new, old)
        return clone(new)

    def delete(self, rt: ResourceType, namespace: str | None, name: str, *,
               grace_period: int | None = None, propagation: str = "Background",
               preconditions: dict | None = None, dry_run: bool = False) -> dict:
        """Delete: with finalizers (or a pod's grace period, or a namespace's spec.finalizers)
        sets deletionTimestamp and returns the object, otherwise removes it and returns its
        last state. `propagation` Foreground/Orphan add the foregroundDeletion/orphan
        finalizers, which the gc controller acts on."""
        ns = (namespace or "default") if rt.namespaced else ""
        old = self._raw(rt, ns, name)
        if old is None:
            raise errors.not_found(rt, name)
        omd = old["metadata"]
        pre = preconditions or {}
        if pre.get("uid") and pre["uid"] != omd["uid"]:
            raise errors.conflict(rt, name, f"Precondition failed: UID in precondition: "
                                            f"{pre['uid']}, UID in object meta: {omd['uid']}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != omd["resourceVersion"]:
            raise errors.conflict(rt, name, f"Precondition failed: ResourceVersion in "
                                            f"precondition: {pre['resourceVersion']}, "
                                            f"ResourceVersion in object meta: "
                                            f"{omd['resourceVersion']}")
        if propagation not in ("Background", "Foreground", "Orphan", "", None):
            raise errors.invalid(rt, name, [errors.cause(
                "FieldValueNotSupported", "propagationPolicy",
                f'Unsupported value: "{propagation}": supported values: "Foreground", '
                f'"Background", "Orphan", "nil"')])
        if grace_period is not None and grace_period < 0:
            grace_period = 0
        new = clone(old)
        md = new["metadata"]
        finalizers = list(md.get("finalizers") or [])
        if propagation == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
            finalizers = [f for f in finalizers if f != "orphan"]
        elif propagation == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
            finalizers = [f for f in finalizers if f != "foregroundDeletion"]
        elif propagation == "Background":
            finalizers = [f for f in finalizers if f not in ("orphan", "foregroundDeletion")]
        if finalizers:
            md["finalizers"] = finalizers
        else:
            md.pop("finalizers", None)
        grace = 0
        if rt.kind == "Pod":
            spec = new.get("spec") or {}
            grace = grace_period if grace_period is not None else spec.get(
                "terminationGracePeriodSeconds", 30)
            phase = (new.get("status") or {}).get("phase")
            if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
                grace = 0
        pending_ns = rt.kind == "Namespace" and bool((new.get("spec") or {}).get("finalizers"))
        if omd.get("deletionTimestamp"):
            # Already terminating: a delete may only shorten the grace period.
            cur = omd.get("deletionGracePeriodSeconds", 0)
            if grace < cur:
                md["deletionGracePeriodSeconds"] = grace
                md["deletionTimestamp"] = now_rfc3339(self.clock, grace)
            if grace == 0 and cur and not finalizers and not pending_ns:
                return self._remove(rt, new, old, dry_run)
            if new == old or dry_run:
                return clone(new)
            return clone(self._commit(rt, MODIFIED, new, old))
        if finalizers or grace > 0 or pending_ns:
            md["deletionTimestamp"] = now_rfc3339(self.clock, grace)
            md["deletionGracePeriodSeconds"] = grace
            if rt.kind == "Namespace":
                new.setdefault("status", {})["phase"] = "Terminating"
            if dry_run:
                return new
            return clone(self._commit(rt, MODIFIED, new, old))
        return self._remove(rt, new, old, dry_run)

    def _remove(self, rt, new, old, dry_run):
        if dry_run:
            return clone(old)
        return clone(self._commit(rt, DELETED, new, old))

    # --------------------------------------------------------------- commits
    def _commit(self, rt: ResourceType, etype: str, obj: dict, old: dict | None) -> dict:
        """Store `obj` (interned; see intern_tree) and fan the event out; returns the
        stored object."""
        obj = intern_tree(obj)
        self._rv += 1
        md = obj["metadata"]
        md["resourceVersion"] = str(self._rv)
        ns = md.get("namespace", "") if rt.namespaced else ""
        objs = self._objs[rt]
        if etype == DELETED:
            bucket = objs.get(ns)
            if bucket is not None:
                bucket.pop(md["name"], None)
                if not bucket:
                    del objs[ns]
            self._sorted[rt] = None
        else:
            bucket = objs.get(ns)
            if bucket is None:
                bucket = objs[ns] = {}
            if md["name"] not in bucket:
                self._sorted[rt] = None
            bucket[md["name"]] = obj
        self.dirty = True
        ev = self._events[rt]
        ev.append((self._rv, etype, obj, old))
        while len(ev) > self._window:
            self._window_start[rt] = ev.popleft()[0]
        for w in list(self._watchers[rt]):
            w._offer(etype, obj, old)
        for cb in list(self._subscribers):
            try:
                cb(etype, rt, obj, old)
            except Exception:
                log.exception("store subscriber %r failed on %s %s", cb, etype, rt.resource)
        return obj

    def _validate_name(self, rt: ResourceType, name: str) -> None:
        if rt.kind in _LABEL_NAMED:
            ok = len(name) <= 63 and _DNS1123_LABEL.match(name)
            why = ("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                   "characters or '-', and must start and end with an alphanumeric character "
                   "(e.g. 'my-name',  or '123-abc', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
        else:
            ok = len(name) <= 253 and _DNS1123_SUBDOMAIN.match(name)
            why = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                   "characters, '-' or '.', and must start and end with an alphanumeric "
                   "character (e.g. 'example.com', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        if rt.kind in ("Event",) and len(name) <= 253:
            return
        if not ok:
            raise errors.invalid(rt, name, [errors.bad_value("metadata.name", name, why)])

    def _check_namespace(self, rt: ResourceType, ns: str, name: str) -> None:
        nsrt = REGISTRY.by_kind("v1", "Namespace")
        nso = self._raw(nsrt, None, ns)
        if nso is None:
            raise errors.not_found(nsrt, ns)
        if nso["metadata"].get("deletionTimestamp") and rt.kind != "Event":
            raise errors.forbidden(
                f'{rt.qualified} "{name}" is forbidden: unable to create new content in '
                f'namespace {ns} because it is being terminated', rt, name)

    # ----------------------------------------------------------- observers
    def subscribe(self, callback) -> Callable[[], None]:
        """callback(event_type, rt, obj, old_obj), called synchronously after each commit
        with the shared stored objects (read-only). For DELETED, obj is the last state.
        Returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe():
            if callback in self._subscribers:
                self._subscribers.remove(callback)
        return unsubscribe

    def watch(self, rt: ResourceType, namespace: str | None = None, resource_version: str = "",
              label_selector: str = "", field_selector: str = "", *,
              allow_bookmarks: bool = False, send_initial_events: bool | None = None) -> Watch:
        """Start a watch. resource_version "" or "0": synthetic ADDED for every matching object,
        then live changes. "N": every change after N (410 Expired when N is older than the
        retained window; 504 ResourceVersionTooLarge when N is in the future).
        send_initial_events=True also ends the initial ADDED events with a BOOKMARK annotated
        `k8s.io/initial-events-end` (the watch-list protocol)."""
        lsel = parse_label_selector(label_selector)
        fsel = parse_field_selector(field_selector, rt)
        ns = namespace if rt.namespaced else None
        w = Watch(self, rt, ns, lsel, fsel, allow_bookmarks, self.bookmark_interval)
        initial = send_initial_events if send_initial_events is not None else \
            resource_version in ("", "0")
        if resource_version not in ("", "0") and not send_initial_events:
            try:
                n = int(resource_version)
            except ValueError:
                raise errors.bad_request(f"invalid resource version: {resource_version!r}")
            if n < self._window_start[rt]:
                raise errors.expired(f"too old resource version: {n} "
                                     f"({self._window_start[rt] + 1})")
            if n > self._rv:
                raise errors.too_large_resource_version(n, self._rv)
            for erv, etype, obj, old in self._events[rt]:
                if erv > n:
                    w._offer(etype, obj, old)
        elif initial:
            for o in self.iter_objects(rt, ns, label_selector, field_selector):
                w._push(ADDED, o)
            if send_initial_events:
                w._push(BOOKMARK, w.bookmark(initial_events_end=True))
        self._watchers[rt].add(w)
        return w

    def _unwatch(self, w: Watch) -> None:
        self._watchers[w.rt].discard(w)

    def close_watches(self) -> None:
        """End every open watch (server shutdown or a simulated API-server restart)."""
        for ws in self._watchers.values():
            for w in list(ws):
                w.close()

    def truncate_history(self) -> None:
        """Forget the event window (as a restarted API server does): every watch resume
        from an older resourceVersion now gets 410."""
        for rt in self._events:
            self._events[rt].clear()
            self._window_start[rt] = self._rv

    # ---------------------------------------------------------- persistence
    def snapshot(self) -> dict:
        """A JSON-ready snapshot sharing the stored objects (safe: they are immutable)."""
        objs = []
        for rt in REGISTRY.all():
            for bucket in self._objs[rt].values():
                objs.extend(bucket.values())
        return {"resourceVersion": self._rv, "objects": objs}

    # The store persists as DIR/objects.marshal (Python's marshal format: written and
    # read ten times faster than JSON, and it keeps the interned strings), plus
    # DIR/objects.json on shutdown for small stores (readable; also loaded when no
    # marshal file exists, e.g. a hand-written state).
    MARSHAL_VERSION = 1
    JSON_LIMIT = 20000

    @classmethod
    def write_snapshot(cls, snap: dict, path: str) -> None:
        """Write `snap` to `path` (.marshal or .json) atomically."""
        tmp = path + ".tmp"
        if path.endswith(".marshal"):
            data = marshal.dumps({"version": cls.MARSHAL_VERSION, **snap})
            mode = "wb"
        else:
            data = json.dumps(snap, separators=(",", ":"))   # one-shot: the C encoder
            mode = "w"
        with open(tmp, mode) as f:
            f.write(data)
        os.replace(tmp, path)

    def save(self, path: str, *, with_json: bool = False) -> None:
        """Save to `path` (DIR/objects.marshal); with_json also writes objects.json next
        to it when the store holds fewer than JSON_LIMIT objects."""
        snap = self.snapshot()
        self.write_snapshot(snap, path)
        json_path = os.path.splitext(path)[0] + ".json"
        if with_json and len(snap["objects"]) < self.JSON_LIMIT:
            self.write_snapshot(snap, json_path)
        elif os.path.exists(json_path):
            os.unlink(json_path)       # never leave a stale readable copy behind
        self.dirty = False

    def load(self, path: str) -> bool:
        """Load DIR/objects.marshal, else DIR/objects.json (same name, .json), if present;
        the event window starts at the loaded RV, so watches from before the restart get
        410. Returns whether a file was loaded."""
        snap = None
        base = os.path.splitext(path)[0]
        if os.path.exists(base + ".marshal"):
            try:
                with open(base + ".marshal", "rb") as f:
                    snap = marshal.loads(f.read())
                if snap.get("version") != self.MARSHAL_VERSION:
                    snap = None
            except (ValueError, EOFError, TypeError):
                log.warning("%s.marshal is unreadable; trying %s.json", base, base)
                snap = None
            interned = snap is not None
        if snap is None:
            if not os.path.exists(base + ".json"):
                return False
            with open(base + ".json") as f:
                snap = json.load(f)
            interned = False
        for obj in snap.get("objects", []):
            rt = REGISTRY.by_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
            if rt is None:
                log.warning("skipping unknown object %s/%s in %s", obj.get("apiVersion"),
                            obj.get("kind"), base)
                continue
            if not interned:
                obj = intern_tree(obj)
            md = obj["metadata"]
            ns = md.get("namespace", "") if rt.namespaced else ""
            self._objs[rt].setdefault(ns, {})[md["name"]] = obj
        self._rv = max(self._rv, int(snap.get("resourceVersion", 0)))
        self._sorted.clear()
        for rt in self._window_start:
            self._window_start[rt] = self._rv
        return True

    async def persist_forever(self, path: str, interval: float = 2.0) -> None:
        """Write the store to `path` whenever it changed, at most every `interval` seconds
        (stretched to 10x the last write's duration for big stores). The encoding runs
        in a thread on a snapshot of the immutable stored objects."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            if not self.dirty:
                continue
            self.dirty = False
            t0 = time.monotonic()
            await loop.run_in_executor(None, self.write_snapshot, self.snapshot(), path)
            interval = max(interval, 10 * (time.monotonic() - t0))
