"""Pod status as the kubelet writes it (`KK pkg/kubelet/kubelet_pods.go generateAPIPodStatus`,
`KK pkg/kubelet/status/generate.go`), for any kubelet implementation.

Conditions come in the kubelet's order (PodReadyToStartContainers, Initialized, Ready,
ContainersReady, PodScheduled) with `lastProbeTime: null`; a condition keeps its
lastTransitionTime while its status does not change. Container statuses carry name,
image, imageID, containerID, ready, started, restartCount, state and lastState.
"""
from __future__ import annotations

import hashlib

from ..controllers.util import now

CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                   "PodScheduled")


def container_id(pod: dict, container: str, restart_count: int = 0) -> str:
    uid = pod["metadata"].get("uid", "")
    digest = hashlib.sha256(f"{uid}/{container}/{restart_count}".encode()).hexdigest()
    return f"kubesim://{digest}"


def image_id(image: str) -> str:
    return f"kubesim://image/{image}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def qos_class(pod: dict) -> str:
    """`KK pkg/apis/core/v1/helper/qos/qos.go GetPodQOS`, simplified to cpu and memory."""
    containers = list((pod.get("spec") or {}).get("containers") or ())
    containers += list((pod.get("spec") or {}).get("initContainers") or ())
    any_set, guaranteed = False, True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        for r in ("cpu", "memory"):
            if r in req or r in lim:
                any_set = True
            if r not in lim or (r in req and req[r] != lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def conditions(old_status: dict, values: dict[str, str], at: str,
               reasons: dict[str, str] | None = None) -> list[dict]:
    """The pod conditions in kubelet order from {type: "True"|"False"}, keeping
    lastTransitionTime of the previous ones whose status did not change, followed by the
    conditions other components own (readiness gates), which the kubelet keeps."""
    previous = {c.get("type"): c for c in old_status.get("conditions") or ()}
    out = []
    for ctype in CONDITION_ORDER:
        if ctype not in values:
            continue
        status = values[ctype]
        prev = previous.get(ctype)
        since = prev["lastTransitionTime"] if prev and prev.get("status") == status and \
            prev.get("lastTransitionTime") else at
        c = {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since}
        reason = (reasons or {}).get(ctype)
        if reason:
            c["reason"] = reason
        out.append(c)
    out += [c for t, c in previous.items() if t not in CONDITION_ORDER]
    return out


def readiness_gates_pending(pod: dict) -> list[str]:
    """Why readiness gates (spec.readinessGates) hold the pod unready, one message per
    gate whose condition is missing or not True (KK pkg/kubelet/status/generate.go)."""
    have = {c.get("type"): c.get("status")
            for c in (pod.get("status") or {}).get("conditions") or ()}
    out = []
    for gate in (pod.get("spec") or {}).get("readinessGates") or ():
        ctype = gate.get("conditionType")
        if ctype not in have:
            out.append(f'corresponding condition of pod readiness gate "{ctype}" does not exist.')
        elif have[ctype] != "True":
            out.append(f'the status of pod readiness gate "{ctype}" is not "True", but '
                       f'{have[ctype]}')
    return out


def _with_not_ready(conds: list[dict], unready: list[str]) -> list[dict]:
    if not unready:
        return conds
    for c in conds:
        if c["type"] in ("Ready", "ContainersReady") and c["status"] == "False":
            c["reason"] = "ContainersNotReady"
            c["message"] = f"containers with unready status: [{' '.join(unready)}]"
    return conds


def _base(pod: dict, phase: str, host_ip: str, pod_ip: str, start_time: str) -> dict:
    old = pod.get("status") or {}
    status = {"phase": phase, "hostIP": host_ip, "hostIPs": [{"ip": host_ip}]}
    if pod_ip:
        status["podIP"] = pod_ip
        status["podIPs"] = [{"ip": pod_ip}]
    status["startTime"] = start_time
    status["qosClass"] = old.get("qosClass") or qos_class(pod)
    return status


def _init_statuses(pod: dict, state: str, at: str) -> list[dict]:
    out = []
    for c in (pod.get("spec") or {}).get("initContainers") or ():
        s = {"name": c["name"], "image": c.get("image", ""), "imageID": "",
             "ready": False, "restartCount": 0, "started": False}
        if state == "waiting":
            s["state"] = {"waiting": {"reason": "PodInitializing"}}
        else:
            s["imageID"] = image_id(c.get("image", ""))
            s["containerID"] = container_id(pod, c["name"])
            s["ready"] = True
            s["state"] = {"terminated": {"exitCode": 0, "reason": "Completed",
                                         "startedAt": at, "finishedAt": at,
                                         "containerID": s["containerID"]}}
        s["lastState"] = {}
        out.append(s)
    return out


def pending_status(pod: dict, host_ip: str, start_time: str, at: str | None = None) -> dict:
    """Bound, containers being created (ContainerCreating), no pod IP yet."""
    at = at or now()
    old = pod.get("status") or {}
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
    status = _base(pod, "Pending", host_ip, "", start_time)
    has_init = bool((pod.get("spec") or {}).get("initContainers"))
    status["conditions"] = _with_not_ready(conditions(old, {
        "PodReadyToStartContainers": "False", "Initialized": "False" if has_init else "True",
        "Ready": "False", "ContainersReady": "False", "PodScheduled": "True"}, at), names)
    status["containerStatuses"] = [
        {"name": c["name"], "image": c.get("image", ""), "imageID": "", "lastState": {},
         "ready": False, "restartCount": 0, "started": False,
         "state": {"waiting": {"reason": "ContainerCreating"}}}
        for c in (pod.get("spec") or {}).get("containers") or ()]
    if has_init:
        status["initContainerStatuses"] = _init_statuses(pod, "waiting", at)
    return status


def running_status(pod: dict, host_ip: str, pod_ip: str, start_time: str, ready: bool,
                   at: str | None = None, restart_counts: dict | None = None) -> dict:
    """Running; every container started at `start_time`; Ready as given."""
    at = at or now()
    old = pod.get("status") or {}
    previous = {s["name"]: s for s in old.get("containerStatuses") or ()}
    status = _base(pod, "Running", host_ip, pod_ip, start_time)
    flag = "True" if ready else "False"
    gates = readiness_gates_pending(pod)
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
    status["conditions"] = _with_not_ready(conditions(old, {
        "PodReadyToStartContainers": "True", "Initialized": "True",
        "Ready": "True" if ready and not gates else "False",
        "ContainersReady": flag, "PodScheduled": "True"}, at), [] if ready else names)
    if ready and gates:
        # KK pkg/kubelet/status/generate.go GeneratePodReadyCondition
        ready_cond = next(c for c in status["conditions"] if c["type"] == "Ready")
        ready_cond["reason"] = "ReadinessGatesNotReady"
        ready_cond["message"] = ", ".join(gates)
    statuses = []
    for c in (pod.get("spec") or {}).get("containers") or ():
        restarts = (restart_counts or {}).get(c["name"], 0)
        prev = previous.get(c["name"]) or {}
        started_at = ((prev.get("state") or {}).get("running") or {}).get("startedAt")
        if not started_at or prev.get("restartCount", 0) != restarts:
            started_at = at
        s = {"name": c["name"], "image": c.get("image", ""),
             "imageID": image_id(c.get("image", "")),
             "containerID": container_id(pod, c["name"], restarts),
             "ready": ready, "restartCount": restarts, "started": True,
             "state": {"running": {"startedAt": started_at}},
             "lastState": prev.get("lastState") or {}}
        statuses.append(s)
    status["containerStatuses"] = statuses
    if (pod.get("spec") or {}).get("initContainers"):
        status["initContainerStatuses"] = _init_statuses(pod, "done", start_time)
    return status


def terminated_status(pod: dict, host_ip: str, pod_ip: str, start_time: str,
                      exit_code: int, at: str | None = None) -> dict:
    """Every container exited with `exit_code`: phase Succeeded (0) or Failed."""
    at = at or now()
    old = pod.get("status") or {}
    previous = {s["name"]: s for s in old.get("containerStatuses") or ()}
    phase = "Succeeded" if exit_code == 0 else "Failed"
    status = _base(pod, phase, host_ip, pod_ip, start_time)
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
    status["conditions"] = conditions(old, {
        "PodReadyToStartContainers": "False", "Initialized": "True", "Ready": "False",
        "ContainersReady": "False", "PodScheduled": "True"}, at,
        {"Ready": "PodCompleted", "ContainersReady": "PodCompleted"})
    statuses = []
    for name in names:
        prev = previous.get(name) or {}
        restarts = prev.get("restartCount", 0)
        started_at = ((prev.get("state") or {}).get("running") or {}).get("startedAt") \
            or start_time
        cid = prev.get("containerID") or container_id(pod, name, restarts)
        statuses.append({
            "name": name, "image": prev.get("image", ""), "imageID": prev.get("imageID", ""),
            "containerID": cid, "ready": False, "restartCount": restarts, "started": False,
            "state": {"terminated": {"exitCode": exit_code,
                                     "reason": "Completed" if exit_code == 0 else "Error",
                                     "startedAt": started_at, "finishedAt": at,
                                     "containerID": cid}},
            "lastState": prev.get("lastState") or {}})
    status["containerStatuses"] = statuses
    if old.get("initContainerStatuses"):
        status["initContainerStatuses"] = old["initContainerStatuses"]
    return status
