"""Controller base: a deduplicating work queue drained by one asyncio task.

Like client-go's workqueue: a key waiting in the queue is never queued twice, a key
can be re-queued after a delay, failures back off per key (5 ms doubling up to 30 s,
reset on success), and every key is re-queued each `resync_seconds`. Reconciles are
synchronous (the Store is), so one reconcile never interleaves with another writer;
the worker yields to the event loop every few milliseconds so that the API server
stays responsive while thousands of keys are processed.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Hashable, Iterable

from ..errors import ApiError
from ..selectors import selector_from_object
from .util import clone, controller_ref, object_key, owner_reference

log = logging.getLogger("ksim.controllers")

_SLICE_SECONDS = 0.005      # work done between two yields to the event loop
_MAX_BACKOFF = 30.0


class Context:
    """What every controller gets: the store, the shared cache, the settings and the
    kubelet (for pod addresses)."""

    def __init__(self, store, cache, config, kubelet=None):
        self.store = store
        self.cache = cache
        self.config = config
        self.kubelet = kubelet


class Controller:
    """Subclasses set `name`, register cache handlers in `setup()` that call
    `enqueue(key)`, and implement `reconcile(key)`, which may return a delay in seconds
    after which the key is reconciled again. `keys()` lists every key for a resync.

    A controller of one kind sets `primary` (its ResourceType): its keys are then
    (namespace, name) of the primary objects, `watch_primary()` enqueues them on every
    change and `enqueue_controller_of(kind)` makes a handler that enqueues the
    controlling owner of a dependent (a pod's StatefulSet, ...)."""

    name = "controller"
    primary = None
    manager = "kube-controller-manager"     # the field manager of this controller's writes

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.store = ctx.store
        self.cache = ctx.cache
        self.config = ctx.config
        self._queue: dict = {}               # insertion-ordered set of keys
        self._wake = asyncio.Event()
        self._timers: dict = {}              # key -> (due monotonic time, TimerHandle)
        self._failures: dict = {}            # key -> consecutive failures
        self.reconciles = 0                  # for tests and benchmarks

    def setup(self) -> None:
        """Registers cache handlers."""

    def keys(self) -> Iterable[Hashable]:
        if self.primary is None:
            return ()
        return [object_key(o) for o in self.cache.all(self.primary)]

    def watch_primary(self) -> None:
        self.cache.on(self.primary, lambda etype, obj, old: self.enqueue(object_key(obj)))

    def enqueue_controller_of(self, kind: str, adopting: bool = False):
        """A cache handler enqueuing (namespace, name) of the object's controller of
        `kind`; with `adopting`, an orphan enqueues every primary object of its namespace
        whose spec.selector selects it (a candidate to adopt it)."""
        def handler(etype: str, obj: dict, old: dict | None) -> None:
            ns = obj["metadata"].get("namespace", "")
            ref = controller_ref(obj)
            if ref is not None:
                if ref.get("kind") == kind:
                    self.enqueue((ns, ref["name"]))
            elif adopting and etype != "DELETED":
                for owner in self.adopters(obj):
                    self.enqueue(object_key(owner))
        return handler

    def adopters(self, obj: dict) -> list[dict]:
        """Primary objects in obj's namespace whose spec.selector selects obj."""
        labels = obj["metadata"].get("labels")
        out = []
        for owner in self.cache.in_namespace(self.primary, obj["metadata"].get("namespace", "")):
            sel = selector_from_object((owner.get("spec") or {}).get("selector"))
            if sel is not None and not sel.empty and sel.match(labels):
                out.append(owner)
        return out

    def adopt_selected(self, owner: dict, rt) -> None:
        """Adopts the orphans of type rt in owner's namespace that its selector selects."""
        orphans = self.cache.orphans(rt, owner["metadata"]["namespace"])
        if not orphans:
            return
        sel = selector_from_object((owner.get("spec") or {}).get("selector"))
        if sel is None or sel.empty:
            return
        self.adopt(owner, rt, [o for o in orphans if sel.match(o["metadata"].get("labels"))])

    # ---- writes that tolerate races with other writers -------------------------------
    def create_if_absent(self, rt, obj: dict) -> dict | None:
        """Creates obj; None when it already exists (AlreadyExists)."""
        try:
            return self.store.create(rt, obj, field_manager=self.manager)
        except ApiError as e:
            if e.code != 409:
                raise
            return None

    def adopt(self, owner: dict, rt, candidates) -> None:
        """The adoption half of ControllerRefManager.ClaimObject (KK pkg/controller/
        controller_ref_manager.go): orphans among candidates (no controller reference,
        not being deleted) get a controller reference to owner."""
        for obj in candidates:
            if controller_ref(obj) is not None or obj["metadata"].get("deletionTimestamp"):
                continue
            new = clone(obj)
            new["metadata"]["ownerReferences"] = list(
                obj["metadata"].get("ownerReferences") or ()) + [owner_reference(owner)]
            try:
                self.store.update(rt, new, field_manager=self.manager)
            except ApiError as e:
                if e.code not in (404, 409):
                    raise

    def set_finalizer(self, rt, obj: dict, finalizer: str, present: bool) -> None:
        """Adds or removes one finalizer (no write when it is already so)."""
        fins = list(obj["metadata"].get("finalizers") or ())
        if (finalizer in fins) == present:
            return
        new = clone(obj)
        fins = fins + [finalizer] if present else [f for f in fins if f != finalizer]
        if fins:
            new["metadata"]["finalizers"] = fins
        else:
            new["metadata"].pop("finalizers", None)
        self.store.update(rt, new, field_manager=self.manager)

    def delete_if_present(self, rt, obj: dict, propagation: str = "Background") -> None:
        """Deletes this very object (uid precondition); gone or replaced is not an error."""
        m = obj["metadata"]
        try:
            self.store.delete(rt, m.get("namespace") or None, m["name"], propagation=propagation,
                              preconditions={"uid": m["uid"]})
        except ApiError as e:
            if e.code not in (404, 409):
                raise

    def reconcile(self, key) -> float | None:
        raise NotImplementedError

    # ---- queue -----------------------------------------------------------------------
    def enqueue(self, key, delay: float = 0.0) -> None:
        if delay <= 0:
            self._queue[key] = None
            self._wake.set()
            return
        due = time.monotonic() + delay
        pending = self._timers.get(key)
        if pending is not None:
            if pending[0] <= due:
                return
            pending[1].cancel()
        handle = asyncio.get_running_loop().call_later(delay, self._fire, key)
        self._timers[key] = (due, handle)

    def _fire(self, key) -> None:
        self._timers.pop(key, None)
        self.enqueue(key)

    def idle(self) -> bool:
        """No key waiting to be reconciled now (delayed keys do not count)."""
        return not self._queue

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._resync_handle = loop.call_later(self.config.resync_seconds, self._resync)
        for key in self.keys():
            self._queue[key] = None
        try:
            while True:
                if not self._queue:
                    self._wake.clear()
                    await self._wake.wait()
                slice_end = time.monotonic() + _SLICE_SECONDS
                while self._queue and time.monotonic() < slice_end:
                    key = next(iter(self._queue))
                    del self._queue[key]
                    self._process(key)
                await asyncio.sleep(0)
        finally:
            self._resync_handle.cancel()
            for _, handle in self._timers.values():
                handle.cancel()
            self._timers.clear()

    def _resync(self) -> None:
        for key in self.keys():
            self._queue[key] = None
        self._wake.set()
        self._resync_handle = asyncio.get_running_loop().call_later(
            self.config.resync_seconds, self._resync)

    def _process(self, key) -> None:
        self.reconciles += 1
        try:
            again = self.reconcile(key)
        except ApiError as e:
            # Conflicts and races with other writers, and content for a namespace being
            # deleted, are retried quietly; other refusals (a template the API rejects)
            # are logged in one line, as the real controllers' events say them.
            quiet = e.code in (404, 409) or (e.code == 403 and "being terminated" in e.message)
            delay = self._backoff(key)
            if quiet:
                log.debug("%s: %s: %s; retrying in %.3fs", self.name, key, e, delay)
            else:
                log.warning("%s: %s: %s %s: %s (retrying in %.3fs)", self.name, key, e.code,
                            e.reason, e.message, delay)
            return
        except Exception as e:      # a bug: keep the traceback
            delay = self._backoff(key)
            log.error("%s: reconciling %s failed (retrying in %.3fs)", self.name, key, delay,
                      exc_info=e)
            return
        self._failures.pop(key, None)
        if again is not None:
            self.enqueue(key, again)

    def _backoff(self, key) -> float:
        """Re-queues a failed key after 5 ms doubling per consecutive failure (max 30 s)."""
        n = self._failures.get(key, 0) + 1
        self._failures[key] = n
        delay = min(0.005 * (2 ** (n - 1)), _MAX_BACKOFF)
        self.enqueue(key, delay)
        return delay
