"""Small helpers the controllers share: time stamps, owner references, pod state, hashes.

Pod predicates follow `KK pkg/api/v1/pod/util.go` and
`KK pkg/controller/statefulset/stateful_set_utils.go`.
"""
from __future__ import annotations

import datetime
import json
import marshal

# rand.SafeEncodeString's alphabet (AM pkg/util/rand/rand.go): no vowels, no 0/1/3.
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def clone(obj: dict) -> dict:
    """A deep copy of a JSON-shaped object (marshal: far faster than copy.deepcopy)."""
    return marshal.loads(marshal.dumps(obj))


def status_update(obj: dict, status: dict) -> dict:
    """The smallest body for a status-subresource write of `obj` (optimistic on its
    resourceVersion): the Store takes only .status from it."""
    m = obj["metadata"]
    meta = {"name": m["name"], "resourceVersion": m["resourceVersion"]}
    if "namespace" in m:
        meta["namespace"] = m["namespace"]
    return {"metadata": meta, "status": status}


def now_dt() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(t: datetime.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> str:
    """The current time as metav1.Time serialises it (RFC 3339, seconds, UTC)."""
    return rfc3339(now_dt())


def parse_time(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    return "".join(_SAFE_ALPHABET[ord(c) % len(_SAFE_ALPHABET)] for c in text)


def compute_hash(value, collision_count: int | None = None) -> str:
    """Like `controller.ComputeHash` (KK pkg/controller/controller_utils.go): FNV-32a of
    the object (canonical JSON here, spew in Go, so values differ from a real cluster's),
    then the collision count, printed in decimal and encoded with SafeEncodeString."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += int(collision_count).to_bytes(4, "little")
    return safe_encode(str(fnv32a(data)))


def object_key(obj: dict) -> tuple[str, str]:
    """(namespace, name); the namespace is "" for cluster-scoped objects."""
    m = obj["metadata"]
    return m.get("namespace", ""), m["name"]


def spec_replicas(obj: dict) -> int:
    """spec.replicas of a workload, 1 when unset (the API's default)."""
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


def count_ready(pods, min_ready_seconds: int, at: datetime.datetime) -> tuple[int, int, float | None]:
    """(ready, available, seconds until the next ready pod becomes available or None)
    over pods, as the workload controllers' status computations count them."""
    ready = available = 0
    wait = None
    for pod in pods:
        if not is_pod_ready(pod):
            continue
        ready += 1
        left = available_in(pod, min_ready_seconds, at)
        if left == 0:
            available += 1
        elif left is not None:
            wait = left if wait is None else min(wait, left)
    return ready, available, wait


def owner_reference(owner: dict, *, controller: bool = True, block: bool = True) -> dict:
    m = owner["metadata"]
    ref = {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": m["name"],
           "uid": m["uid"]}
    if controller:
        ref["controller"] = True
    if block:
        ref["blockOwnerDeletion"] = True
    return ref


def controller_ref(obj: dict) -> dict | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def pod_claim_names(pod: dict) -> list[str]:
    """The PersistentVolumeClaims a pod mounts."""
    return [v["persistentVolumeClaim"]["claimName"]
            for v in (pod.get("spec") or {}).get("volumes") or ()
            if (v.get("persistentVolumeClaim") or {}).get("claimName")]


def is_terminating(obj: dict) -> bool:
    return bool(obj.get("metadata", {}).get("deletionTimestamp"))


def pod_phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase", "")


def condition(obj: dict, ctype: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or ():
        if c.get("type") == ctype:
            return c
    return None


def is_pod_ready(pod: dict) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def is_running_and_ready(pod: dict) -> bool:
    return pod_phase(pod) == "Running" and is_pod_ready(pod)


def ready_since(pod: dict) -> datetime.datetime | None:
    c = condition(pod, "Ready")
    if c is None or c.get("status") != "True":
        return None
    return parse_time(c.get("lastTransitionTime"))


def available_in(pod: dict, min_ready_seconds: int, at: datetime.datetime) -> float | None:
    """0 when the pod is available (Ready for minReadySeconds, `IsPodAvailable`), the
    seconds still to wait when it is ready but not yet available, None when not ready."""
    if not is_pod_ready(pod):
        return None
    if min_ready_seconds <= 0:
        return 0.0
    since = ready_since(pod)
    if since is None:
        return float(min_ready_seconds)
    left = min_ready_seconds - (at - since).total_seconds()
    return max(left, 0.0)


def set_condition(conditions: list, ctype: str, status: str, reason: str = "",
                  message: str = "", *, at: str | None = None,
                  update_time: bool = False, probe_time: bool = False) -> list:
    """Sets one condition in place, keeping lastTransitionTime when the status is
    unchanged (as the controllers' SetCondition helpers do); returns the list."""
    at = at or now()
    for c in conditions:
        if c.get("type") == ctype:
            changed = (c.get("status"), c.get("reason", ""), c.get("message", "")) != (
                status, reason, message)
            if c.get("status") != status:
                c["lastTransitionTime"] = at
            if update_time and changed:
                c["lastUpdateTime"] = at
            if probe_time:
                c["lastProbeTime"] = at
            c["status"] = status
            _set_reason(c, reason, message)
            return conditions
    c = {"type": ctype, "status": status}
    if probe_time:
        c["lastProbeTime"] = at
    if update_time:
        c["lastUpdateTime"] = at
    c["lastTransitionTime"] = at
    _set_reason(c, reason, message)
    conditions.append(c)
    return conditions


def _set_reason(c: dict, reason: str, message: str) -> None:
    for k, v in (("reason", reason), ("message", message)):
        if v:
            c[k] = v
        else:
            c.pop(k, None)


def int_or_percent(value, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: "25%" of total, rounded up or down."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        pct = int(text[:-1])
        whole, rest = divmod(pct * total, 100)
        return whole + (1 if round_up and rest else 0)
    return int(text)
