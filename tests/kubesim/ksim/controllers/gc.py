"""The garbage collector: ownerReferences, after `KK pkg/controller/garbagecollector/
garbagecollector.go` (`attemptToDeleteItem`, `processDeletingDependentsItem`,
`orphanDependents`).

- A dependent none of whose owners exists any more (by uid) is deleted (background);
  when some owners remain, the references to the missing ones are removed.
- An owner deleted with `propagationPolicy: Foreground` (the API added the finalizer
  `foregroundDeletion` and set deletionTimestamp): its dependents are deleted
  (foreground themselves when they have dependents), and the finalizer is removed once
  no dependent with `blockOwnerDeletion: true` is left, so the API removes the owner.
- An owner deleted with `Orphan` (finalizer `orphan`): the reference to it is removed
  from every dependent, then the finalizer.
- Background deletion: the owner goes at once; its dependents then have no owner.

Work keys: ("item", rt, namespace, name) for a dependent to check, ("owner", rt,
namespace, name) for an owner with one of the two finalizers.
"""
from __future__ import annotations

from ..resources import REGISTRY
from .base import Controller
from .util import clone

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
_MANAGER = "generic-garbage-collector"


def _where(rt, obj: dict) -> tuple:
    m = obj["metadata"]
    return (rt, m.get("namespace", ""), m["name"])


class GarbageCollector(Controller):
    name = "garbage-collector"
    manager = _MANAGER

    def setup(self) -> None:
        for rt in REGISTRY.all():
            self.cache.on(rt, lambda e, o, old, rt=rt: self._on_event(rt, e, o, old))

    def _on_event(self, rt, etype: str, obj: dict, old: dict | None) -> None:
        m = obj["metadata"]
        if etype == "DELETED":
            for drt, dep in self.cache.dependents(m["uid"]):
                self.enqueue(("item",) + _where(drt, dep))
        else:
            if m.get("ownerReferences") and etype == "ADDED":
                self.enqueue(("item",) + _where(rt, obj))
            fins = m.get("finalizers") or ()
            if m.get("deletionTimestamp") and (FOREGROUND in fins or ORPHAN in fins):
                self.enqueue(("owner",) + _where(rt, obj))
        # An owner waiting for its dependents: re-check it when one changes or goes.
        for ref in m.get("ownerReferences") or ():
            found = self.cache.by_uid(ref.get("uid"))
            if found is not None:
                ort, owner = found
                if FOREGROUND in (owner["metadata"].get("finalizers") or ()):
                    self.enqueue(("owner",) + _where(ort, owner))

    def keys(self):
        for rt in REGISTRY.all():
            for obj in self.cache.all(rt):
                m = obj["metadata"]
                if m.get("ownerReferences"):
                    yield ("item",) + _where(rt, obj)
                fins = m.get("finalizers") or ()
                if m.get("deletionTimestamp") and (FOREGROUND in fins or ORPHAN in fins):
                    yield ("owner",) + _where(rt, obj)

    def reconcile(self, key) -> float | None:
        kind, rt, ns, name = key
        obj = self.cache.get(rt, ns, name)
        if obj is None:
            return None
        if kind == "item":
            self._attempt_to_delete(rt, obj)
        else:
            self._process_owner(rt, obj)
        return None

    def _attempt_to_delete(self, rt, obj: dict) -> None:
        m = obj["metadata"]
        refs = m.get("ownerReferences") or []
        if not refs:
            return
        solid, dangling, waiting = [], [], []
        for ref in refs:
            found = self.cache.by_uid(ref.get("uid"))
            if found is None:
                dangling.append(ref)
                continue
            owner = found[1]
            om = owner["metadata"]
            if om.get("deletionTimestamp") and FOREGROUND in (om.get("finalizers") or ()):
                waiting.append(ref)
            else:
                solid.append(ref)
        if solid:
            if dangling:
                new = clone(obj)
                gone = {r["uid"] for r in dangling}
                new["metadata"]["ownerReferences"] = [r for r in refs if r["uid"] not in gone]
                self.store.update(rt, new, field_manager=_MANAGER)
            return
        if m.get("deletionTimestamp"):
            return
        policy = "Foreground" if waiting and self.cache.dependents(m["uid"]) else "Background"
        self.delete_if_present(rt, obj, policy)

    def _process_owner(self, rt, owner: dict) -> None:
        m = owner["metadata"]
        fins = list(m.get("finalizers") or ())
        if not m.get("deletionTimestamp"):
            return
        if ORPHAN in fins:
            for drt, dep in self.cache.dependents(m["uid"]):
                new = clone(dep)
                new["metadata"]["ownerReferences"] = [
                    r for r in dep["metadata"].get("ownerReferences") or ()
                    if r.get("uid") != m["uid"]]
                if not new["metadata"]["ownerReferences"]:
                    del new["metadata"]["ownerReferences"]
                self.store.update(drt, new, field_manager=_MANAGER)
            self.set_finalizer(rt, owner, ORPHAN, False)
            return
        if FOREGROUND not in fins:
            return
        blocking = 0
        for drt, dep in self.cache.dependents(m["uid"]):
            ref = next((r for r in dep["metadata"].get("ownerReferences") or ()
                        if r.get("uid") == m["uid"]), {})
            if ref.get("blockOwnerDeletion"):
                blocking += 1
            if not dep["metadata"].get("deletionTimestamp"):
                self._attempt_to_delete(drt, dep)
        if blocking == 0:
            self.set_finalizer(rt, owner, FOREGROUND, False)


