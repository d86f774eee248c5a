"""Warning Events from the controllers (core/v1 Events, as client-go's record.EventRecorder
writes them: `KK staging/src/k8s.io/client-go/tools/record/event.go`, `events_cache.go`).

Only failures are recorded (FailedCreate of pods by the workload controllers): they are
rare and they are what `kubectl describe` users look for. Routine Normal events
(SuccessfulCreate, Scheduled, Pulled, Started, ...) are not written: at 10,000
StatefulSets they would add ~150,000 objects. Identical events (same object, reason and
message) are aggregated as the EventCorrelator does: `count` grows and `lastTimestamp`
moves instead of a new object.
"""
from __future__ import annotations

import time

from ..errors import ApiError
from ..resources import REGISTRY
from .util import clone, now

EVENTS = REGISTRY.by_resource("", "v1", "events")


class EventRecorder:
    def __init__(self, store, component: str):
        self.store = store
        self.component = component
        self._seen: dict = {}        # (uid, reason, message) -> (namespace, event name)

    def warning(self, obj: dict, reason: str, message: str) -> None:
        m = obj["metadata"]
        key = (m.get("uid"), reason, message)
        at = now()
        where = self._seen.get(key)
        if where is not None:
            existing = self.store.get_shared(EVENTS, *where)
            if existing is not None:
                new = clone(existing)
                new["count"] = int(existing.get("count") or 1) + 1
                new["lastTimestamp"] = at
                self._write(self.store.update, new)
                return
        name = f"{m['name']}.{time.time_ns():x}"
        event = {"apiVersion": "v1", "kind": "Event",
                 "metadata": {"name": name, "namespace": m.get("namespace") or "default"},
                 "involvedObject": {"apiVersion": obj.get("apiVersion", ""),
                                    "kind": obj.get("kind", ""), "name": m["name"],
                                    "namespace": m.get("namespace", ""), "uid": m.get("uid", ""),
                                    "resourceVersion": m.get("resourceVersion", "")},
                 "reason": reason, "message": message, "type": "Warning",
                 "source": {"component": self.component},
                 "firstTimestamp": at, "lastTimestamp": at, "count": 1, "eventTime": None,
                 "reportingComponent": self.component, "reportingInstance": ""}
        if self._write(self.store.create, event):
            self._seen[key] = (event["metadata"]["namespace"], name)

    def _write(self, op, event: dict) -> bool:
        """Events are best effort, as in client-go: a refused write is dropped."""
        try:
            op(EVENTS, event, field_manager=self.component)
            return True
        except ApiError:
            return False
