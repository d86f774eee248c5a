"""The virtual kubelet (part 1): pods without processes, as kwok simulates them.

For every pod bound to `kubesim-node-1` (spec.nodeName) it writes the status a real
kubelet would, without running anything:

- at once: phase Pending, PodScheduled=True, containers waiting in ContainerCreating
  (skipped when the ready delay is 0);
- after `ready_delay` seconds: phase Running, a pod IP, every container running and
  ready, Ready=True and ContainersReady=True;
- pods that end (owned by a Job, or annotated `kubesim.io/exit-code`) run for
  `run_seconds`, then every container exits with the code from the annotation
  `kubesim.io/exit-code` (default `exit_code`): phase Succeeded for 0, else Failed;
  the restartPolicy restarts the containers instead (Always: any exit, OnFailure: a
  non-zero one; restartCount grows and lastState records the exit, as a crash loop
  without back-off);
- a pod being deleted is removed (DELETE with grace 0 and a uid precondition, as the
  kubelet's status manager does) after min(grace period, `termination_seconds`).

Per-pod annotations override the settings (tests use them to shape scenarios):
`kubesim.io/ready-delay-seconds`, `kubesim.io/ready: "false"` (running but never
ready; set it back to "true" to make the pod ready), `kubesim.io/exit-code`,
`kubesim.io/run-seconds`, `kubesim.io/termination-seconds`.

Pod IPs come from 127.244.0.0/14 (loopback, so nothing ever leaves the machine, even
if a client connects to a virtual pod); the host IP is 127.0.0.1. exec, logs and the
fault injections answer 400 BadRequest: virtual pods run no processes.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import time

from ..controllers.base import Context, Controller
from ..controllers.util import controller_ref, now
from ..errors import ApiError
from ..resources import REGISTRY
from . import podstatus
from .base import ExecSession, Kubelet

log = logging.getLogger("ksim.kubelet")

PODS = REGISTRY.by_resource("", "v1", "pods")
NODES = REGISTRY.by_resource("", "v1", "nodes")

HOST_IP = "127.0.0.1"
_POD_NET = ipaddress.ip_network("127.244.0.0/14")
_MANAGER = "kubelet"

A_READY = "kubesim.io/ready"
A_READY_DELAY = "kubesim.io/ready-delay-seconds"
A_EXIT_CODE = "kubesim.io/exit-code"
A_RUN_SECONDS = "kubesim.io/run-seconds"
A_TERMINATION = "kubesim.io/termination-seconds"


class _Settings:
    def __init__(self, resync_seconds: float):
        self.resync_seconds = resync_seconds


def _float(annotations: dict, key: str, default: float) -> float:
    try:
        return float(annotations[key]) if key in annotations else default
    except ValueError:
        return default


class VirtualKubelet(Kubelet):
    """`ready_delay`: seconds from binding to Running+Ready. `run_seconds`, `exit_code`:
    how long ending pods run and how they exit. `termination_seconds`: how long a
    deleted pod takes to stop (capped by its grace period)."""

    def __init__(self, *, ready_delay: float = 0.0, run_seconds: float = 1.0,
                 exit_code: int = 0, termination_seconds: float = 0.0,
                 resync_seconds: float = 300.0):
        self.ready_delay = ready_delay
        self.run_seconds = run_seconds
        self.exit_code = exit_code
        self.termination_seconds = termination_seconds
        self.resync_seconds = resync_seconds
        self.store = None
        self._sync: _PodSync | None = None
        self._task: asyncio.Task | None = None
        self._unsubscribe = None
        self._ips: dict = {}            # (namespace, name) -> ip
        self._used: set = set()
        self._next_ip = int(_POD_NET.network_address) + 1

    # ---- Kubelet interface -----------------------------------------------------------
    async def start(self, store) -> None:
        self.store = store
        self._register_node()
        for pod in store.iter_objects(PODS):
            if (pod.get("spec") or {}).get("nodeName") == self.node_name:
                ip = (pod.get("status") or {}).get("podIP")
                if ip:
                    self._ips[(pod["metadata"]["namespace"], pod["metadata"]["name"])] = ip
                    self._used.add(ip)
        self._sync = _PodSync(Context(store, None, _Settings(self.resync_seconds)), self)
        self._unsubscribe = store.subscribe(self._on_event)
        self._task = asyncio.get_running_loop().create_task(self._sync.run())

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def exec(self, pod: dict, container: str, command: list[str], stdin: bool,
                   tty: bool) -> ExecSession:
        raise self._no_processes(pod, "exec")

    def logs(self, pod: dict, container: str, *, follow: bool = False,
             tail_lines: int | None = None, previous: bool = False):
        raise self._no_processes(pod, "logs")

    def pod_address(self, pod: dict) -> str:
        return (pod.get("status") or {}).get("podIP", "")

    def _no_processes(self, pod: dict, what: str) -> ApiError:
        m = pod.get("metadata", {})
        return ApiError(400, "BadRequest",
                        f"{what} is not available for pod {m.get('namespace')}/{m.get('name')}: "
                        f"kubesim virtual pods run no processes (start kubesim with "
                        f"--kubelet process to run them)")

    # ---- internals -------------------------------------------------------------------
    def _on_event(self, etype: str, rt, obj: dict, old: dict | None) -> None:
        if rt is not PODS:
            return
        m = obj["metadata"]
        key = (m["namespace"], m["name"])
        if etype == "DELETED":
            self._release(key)
            self._sync.forget(m.get("uid"))
        elif (obj.get("spec") or {}).get("nodeName") == self.node_name:
            self._sync.enqueue(key)

    def allocate_ip(self, key, pod: dict) -> str:
        """The pod's IP: the host's for hostNetwork pods, else one from the pod network."""
        if (pod.get("spec") or {}).get("hostNetwork"):
            return HOST_IP
        ip = self._ips.get(key)
        if ip:
            return ip
        last = int(_POD_NET.broadcast_address)
        for _ in range(_POD_NET.num_addresses):
            cand = str(ipaddress.ip_address(self._next_ip))
            self._next_ip = self._next_ip + 1 if self._next_ip < last - 1 else \
                int(_POD_NET.network_address) + 1
            if cand not in self._used:
                self._used.add(cand)
                self._ips[key] = cand
                return cand
        raise ApiError(500, "InternalError", "kubesim: the virtual pod network is full")

    def _release(self, key) -> None:
        ip = self._ips.pop(key, None)
        if ip:
            self._used.discard(ip)

    def _register_node(self) -> None:
        if NODES is None or self.store.try_get(NODES, None, self.node_name) is not None:
            return
        at = now()
        cond = [{"type": t, "status": "False", "reason": r, "message": msg,
                 "lastHeartbeatTime": at, "lastTransitionTime": at}
                for t, r, msg in (
                    ("MemoryPressure", "KubeletHasSufficientMemory",
                     "kubelet has sufficient memory available"),
                    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ("PIDPressure", "KubeletHasSufficientPID",
                     "kubelet has sufficient PID available"))]
        cond.append({"type": "Ready", "status": "True", "reason": "KubeletReady",
                     "message": "kubelet is posting ready status", "lastHeartbeatTime": at,
                     "lastTransitionTime": at})
        capacity = {"cpu": "64", "memory": "256Gi", "pods": "110000",
                    "ephemeral-storage": "1Ti"}
        node = {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": self.node_name, "labels": {
                "kubernetes.io/hostname": self.node_name, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64", "type": "kubesim"}},
            "spec": {"podCIDR": str(_POD_NET), "podCIDRs": [str(_POD_NET)]},
            "status": {
                "capacity": capacity, "allocatable": dict(capacity), "conditions": cond,
                "addresses": [{"type": "InternalIP", "address": HOST_IP},
                              {"type": "Hostname", "address": self.node_name}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"machineID": "", "systemUUID": "", "bootID": "",
                             "kernelVersion": "", "osImage": "kubesim virtual node",
                             "containerRuntimeVersion": f"kubesim://{type(self).__name__}",
                             "kubeletVersion": "v1.32.0", "kubeProxyVersion": "",
                             "operatingSystem": "linux", "architecture": "amd64"}}}
        try:
            self.store.create(NODES, node, field_manager=_MANAGER)
        except ApiError as e:
            if e.code != 409:
                raise


class _PodSync(Controller):
    """The kubelet's pod workers: one reconcile per pod key (namespace, name)."""

    name = "kubelet"

    def __init__(self, ctx: Context, kubelet: VirtualKubelet):
        super().__init__(ctx)
        self.kubelet = kubelet
        self._seen: dict = {}          # uid -> monotonic time first synced
        self._running: dict = {}       # uid -> monotonic time containers (re)started
        self._stopping: dict = {}      # uid -> monotonic time deletion was seen

    def forget(self, uid: str | None) -> None:
        for d in (self._seen, self._running, self._stopping):
            d.pop(uid, None)

    def keys(self):
        for pod in self.store.iter_objects(PODS):
            if (pod.get("spec") or {}).get("nodeName") == self.kubelet.node_name:
                yield (pod["metadata"]["namespace"], pod["metadata"]["name"])

    def reconcile(self, key) -> float | None:
        ns, name = key
        pod = self.store.get_shared(PODS, ns, name)
        if pod is None or (pod.get("spec") or {}).get("nodeName") != self.kubelet.node_name:
            return None
        m = pod["metadata"]
        uid = m["uid"]
        ann = m.get("annotations") or {}
        kl = self.kubelet
        clock = time.monotonic()
        if m.get("deletionTimestamp"):
            return self._terminate(pod, ann, clock)
        status = pod.get("status") or {}
        phase = status.get("phase", "")
        if phase in ("Succeeded", "Failed"):
            return None
        first = self._seen.setdefault(uid, clock)
        start_time = status.get("startTime") or now()
        if phase != "Running":
            left = first + _float(ann, A_READY_DELAY, kl.ready_delay) - clock
            if left > 0:
                if not status.get("containerStatuses"):
                    self._write(pod, podstatus.pending_status(pod, HOST_IP, start_time))
                return left
            ip = kl.allocate_ip(key, pod)
            self._write(pod, podstatus.running_status(pod, HOST_IP, ip, start_time,
                                                      ann.get(A_READY) != "false"))
            self._running[uid] = clock
            return self._run_time(pod, ann)
        ready = ann.get(A_READY) != "false"
        ip = status.get("podIP") or kl.allocate_ip(key, pod)
        counts = {s["name"]: s.get("restartCount", 0)
                  for s in status.get("containerStatuses") or ()}
        # Readiness follows the annotation and the readiness gates; unchanged -> no write.
        self._write(pod, podstatus.running_status(pod, HOST_IP, ip, start_time, ready,
                                                  restart_counts=counts))
        code = self._exit_code(pod, ann)
        if code is None:
            return None
        since = self._running.setdefault(uid, clock)
        left = since + _float(ann, A_RUN_SECONDS, kl.run_seconds) - clock
        if left > 0:
            return left
        policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
        if policy == "Always" or (policy == "OnFailure" and code != 0):
            counts = {k: v + 1 for k, v in counts.items()}
            new = podstatus.running_status(pod, HOST_IP, ip, start_time, ready,
                                           restart_counts=counts)
            for s in new["containerStatuses"]:
                s["lastState"] = {"terminated": {"exitCode": code,
                                                 "reason": "Completed" if code == 0 else "Error",
                                                 "startedAt": start_time, "finishedAt": now(),
                                                 "containerID": podstatus.container_id(
                                                     pod, s["name"], s["restartCount"] - 1)}}
            self._write(pod, new)
            self._running[uid] = clock
            return _float(ann, A_RUN_SECONDS, kl.run_seconds)
        self._write(pod, podstatus.terminated_status(pod, HOST_IP, ip, start_time, code))
        return None

    def _run_time(self, pod: dict, ann: dict) -> float | None:
        if self._exit_code(pod, ann) is None:
            return None
        return _float(ann, A_RUN_SECONDS, self.kubelet.run_seconds)

    def _exit_code(self, pod: dict, ann: dict) -> int | None:
        """The code the pod's containers exit with, or None when they run forever."""
        if A_EXIT_CODE in ann:
            try:
                return int(ann[A_EXIT_CODE])
            except ValueError:
                return 1
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "Job" and \
                (pod.get("spec") or {}).get("restartPolicy") in ("Never", "OnFailure"):
            return self.kubelet.exit_code
        return None

    def _terminate(self, pod: dict, ann: dict, clock: float) -> float | None:
        m = pod["metadata"]
        grace = m.get("deletionGracePeriodSeconds") or 0
        stop_after = min(float(grace), _float(ann, A_TERMINATION,
                                              self.kubelet.termination_seconds))
        since = self._stopping.setdefault(m["uid"], clock)
        left = since + stop_after - clock
        if left > 0:
            return left
        if grace == 0 and m.get("finalizers"):
            return None     # already confirmed; waiting for finalizers
        self.store.delete(PODS, m["namespace"], m["name"], grace_period=0,
                          preconditions={"uid": m["uid"]})
        return None

    def _write(self, pod: dict, status: dict) -> None:
        if status == pod.get("status"):
            return
        m = pod["metadata"]
        self.store.update(PODS, {"metadata": {"name": m["name"], "namespace": m["namespace"],
                                              "resourceVersion": m["resourceVersion"]},
                                 "status": status},
                          subresource="status", field_manager=_MANAGER)
