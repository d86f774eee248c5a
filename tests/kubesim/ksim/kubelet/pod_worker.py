"""The life of one pod on the process kubelet (DOC concepts/workloads/pods/pod-lifecycle/):
network and volumes, init containers in order, then the containers with their probes,
restarts with back-off, status, and graceful termination.

Restart back-off (KK pkg/kubelet/kuberuntime, `backOff`): the first restart is
immediate, then 10 s doubling up to 300 s (waiting reason CrashLoopBackOff); a
container that ran 10 minutes resets it. Termination: preStop hooks, then SIGTERM,
then SIGKILL to the whole container (its cgroup) at the end of the grace period,
counted from the start of termination as the kubelet counts it, but never sooner than
2 s after SIGTERM, even when preStop used up the grace period (KK
pkg/kubelet/kuberuntime: `killContainer`, `minimumGracePeriodInSeconds`).
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import time
from datetime import datetime, timezone

from ksim.kubelet import dns
from ksim.kubelet.cgroups import Cgroup
from ksim.kubelet.container import ContainerProcess
from ksim.kubelet.envvars import ConfigError, container_env
from ksim.kubelet.probes import ProbeState, run_handler
from ksim.kubelet.volumes import Mount, VolumeNotReady, VolumeSet
from ksim.runtimes import RUNTIME_DIR, Context, plan

log = logging.getLogger("ksim.kubelet")
BACKOFF_START, BACKOFF_MAX, BACKOFF_RESET = 10.0, 300.0, 600.0
MINIMUM_GRACE_SECONDS = 2.0     # between SIGTERM and SIGKILL, whatever preStop took
# Directories private to each container, as they are in an image's filesystem.
PRIVATE_DIRS = {"tmp": "/tmp", "run-postgresql": "/run/postgresql", "run-pgpool": "/var/run/pgpool"}


def rfc3339(t: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if t is None else t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ContainerState:
    """What the kubelet knows of one container (the source of its containerStatus)."""

    def __init__(self, spec: dict, init: bool, workdir: str, cgroup: Cgroup, logs_dir: str):
        self.spec = spec
        self.name = spec["name"]
        self.init = init
        self.proc = ContainerProcess(self.name, workdir, cgroup)
        self.logs_dir = logs_dir
        self.restart_count = 0
        self.state: dict = {"waiting": {"reason": "ContainerCreating"}}
        self.last_state: dict = {}
        self.ready = False
        self.started = False
        self.done = False            # init container completed / container will not restart
        self.readiness: ProbeState | None = None
        self.probe_tasks: list[asyncio.Task] = []

    def status(self) -> dict:
        s = {"name": self.name, "image": self.spec.get("image", ""),
             "imageID": self.spec.get("image", ""), "ready": self.ready,
             "restartCount": self.restart_count, "state": self.state,
             "lastState": self.last_state}
        if "running" in self.state or "terminated" in self.state:
            s["containerID"] = f"kubesim://{id(self):x}-{self.restart_count}"
        if not self.init:
            s["started"] = self.started
        return s


class PodWorker:
    def __init__(self, kubelet, pod: dict):
        self.k = kubelet
        self.pod = pod
        meta = pod["metadata"]
        self.uid = meta["uid"]
        self.ns, self.name = meta.get("namespace", "default"), meta["name"]
        self.dir = os.path.join(kubelet.pods_dir, f"{self.ns}_{self.name}_{self.uid[:8]}")
        self.ip = ""
        self.start_time = ""
        self.terminating = False
        self.stopped = asyncio.Event()
        self._term_request: asyncio.Future = asyncio.get_running_loop().create_future()
        cg_root = os.path.join(kubelet.cgroup_root, f"{self.ns}_{self.name}_{self.uid[:8]}")
        self.cgroup = Cgroup(cg_root)
        spec = pod["spec"]
        self.containers = [self._state(c, True) for c in spec.get("initContainers") or []] + \
                          [self._state(c, False) for c in spec.get("containers") or []]
        self.initialized = not spec.get("initContainers")
        self.volumes: VolumeSet | None = None
        self.phase = "Pending"
        self.mount_error = ""
        self._conditions: dict[str, dict] = {}
        self._task: asyncio.Task | None = None
        self.frozen = False

    def _state(self, spec: dict, init: bool) -> ContainerState:
        workdir = os.path.join(self.dir, "containers", spec["name"])
        return ContainerState(spec, init, workdir, Cgroup(os.path.join(
            self.k.cgroup_root, f"{self.ns}_{self.name}_{self.uid[:8]}", spec["name"])),
            os.path.join(self.dir, "logs", spec["name"]))

    @property
    def main_containers(self) -> list[ContainerState]:
        return [c for c in self.containers if not c.init]

    def container(self, name: str) -> ContainerState | None:
        return next((c for c in self.containers if c.name == name), None)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            await self._setup()
            if not self.terminating:
                await self._run_containers()
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("pod %s/%s failed in the kubelet", self.ns, self.name)
        finally:
            self.stopped.set()

    async def _setup(self) -> None:
        for sub in ("containers", "logs", "etc"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        while not self.ip and not self.terminating:
            try:
                self.ip = await asyncio.to_thread(self.k.net.setup_pod, self.uid)
            except Exception as e:  # noqa: BLE001 -- retried, as the kubelet retries sandbox creation
                log.warning("pod %s/%s: cannot create its network: %s", self.ns, self.name, e)
                await self._wait_term(1.0)
        self.start_time = rfc3339()
        self.refresh_dns()
        self.k.request_status(self)
        while not self.terminating:
            try:
                self.volumes = VolumeSet(self.pod, self.dir, self.k.volumes_dir, self.k.lookup,
                                         self.k.service_account_token, self.k.ca_pem,
                                         self.k.uid, self.k.gid)
                self.volumes.prepare()
                self.mount_error = ""
                return
            except VolumeNotReady as e:
                if self.mount_error != str(e):
                    self.mount_error = str(e)
                    log.info("pod %s/%s waits for a volume: %s", self.ns, self.name, e)
                    self.k.request_status(self)
                await self._wait_term(1.0)

    def refresh_dns(self) -> None:
        etc = os.path.join(self.dir, "etc")
        services, endpoints = self.k.dns_sources()
        dns.write_in_place(os.path.join(etc, "hosts"),
                           dns.hosts_file(self.pod, self.ip, services, endpoints))
        dns.write_in_place(os.path.join(etc, "resolv.conf"), dns.resolv_conf(self.ns))
        dns.write_in_place(os.path.join(etc, "hostname"), self.hostname + "\n")

    def refresh_volumes(self) -> None:
        if self.volumes is not None and not self.terminating:
            try:
                self.volumes.prepare()
            except VolumeNotReady:
                pass

    @property
    def hostname(self) -> str:
        return self.pod["spec"].get("hostname") or self.name

    async def _wait_term(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(self._term_request), seconds)
        except asyncio.TimeoutError:
            pass

    async def _run_containers(self) -> None:
        policy = self.pod["spec"].get("restartPolicy", "Always")
        for c in [c for c in self.containers if c.init]:
            while not self.terminating:
                code = await self._run_once(c)
                if code == 0 or self.terminating:
                    break
                if policy == "Never":
                    self.phase = "Failed"
                    self.k.request_status(self)
                    return
                await self._backoff(c)
            if self.terminating:
                return
            c.done = True
        self.initialized = True
        self.phase = "Running"
        self.k.request_status(self)
        await asyncio.gather(*(self._supervise(c, policy) for c in self.main_containers))
        if not self.terminating:
            codes = [c.state.get("terminated", {}).get("exitCode", 1) for c in self.main_containers]
            self.phase = "Succeeded" if all(x == 0 for x in codes) else "Failed"
            self.k.request_status(self)

    async def _supervise(self, c: ContainerState, policy: str) -> None:
        while not self.terminating:
            code = await self._run_once(c)
            if self.terminating:
                return
            if policy == "Never" or (policy == "OnFailure" and code == 0):
                c.done = True
                return
            await self._backoff(c)

    async def _backoff(self, c: ContainerState) -> None:
        ran = time.time() - c.proc.started_at
        if ran >= BACKOFF_RESET or c.restart_count == 0:
            delay = 0.0 if c.restart_count == 0 or ran >= BACKOFF_RESET else BACKOFF_START
        else:
            delay = min(BACKOFF_MAX, BACKOFF_START * (2 ** (c.restart_count - 1)))
        c.restart_count += 1
        if delay:
            c.state = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                   f"back-off {int(delay)}s restarting failed container={c.name} "
                                   f"pod={self.name}_{self.ns}({self.uid})"}}
            self.k.request_status(self)
            await self._wait_term(delay)

    def _mounts(self, c: ContainerState) -> list[Mount]:
        etc = os.path.join(self.dir, "etc")
        own = [Mount(os.path.join(etc, "hosts"), "/etc/hosts", False, True),
               Mount(os.path.join(etc, "resolv.conf"), "/etc/resolv.conf", False, True),
               Mount(os.path.join(etc, "hostname"), "/etc/hostname", False, True),
               Mount(c.proc.workdir, RUNTIME_DIR)]
        for sub, target in PRIVATE_DIRS.items():
            path = os.path.join(c.proc.workdir, sub)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, 0o1777 if sub == "tmp" else 0o2775)
            os.chown(path, self.k.uid, self.k.gid)
            own.append(Mount(path, target))
        return own + self.volumes.mounts_for(c.spec)

    async def _run_once(self, c: ContainerState) -> int:
        """Starts the container and waits for it to end; returns its exit code."""
        os.makedirs(c.proc.workdir, exist_ok=True)
        if "terminated" in c.state:
            c.last_state = {"terminated": c.state["terminated"]}
        try:
            env = container_env(self.pod_with_status(), c.spec, self.k.lookup,
                                self.k.service_links(self.ns, self.pod["spec"]))
            mounts = self._mounts(c)
            ctx = Context(self.pod_with_status(), c.spec, env, self.ip, c.proc.workdir,
                          list(mounts), self.k.uid, self.k.gid)
            p = await asyncio.to_thread(plan, ctx)
        except (ConfigError, VolumeNotReady) as e:
            c.state = {"waiting": {"reason": "CreateContainerConfigError", "message": str(e)}}
            self.k.request_status(self)
            await self._wait_term(2.0)
            return 1
        except Exception as e:  # noqa: BLE001 -- the runtime failed to prepare the container
            log.warning("pod %s/%s container %s: %s", self.ns, self.name, c.name, e)
            c.state = {"waiting": {"reason": "CreateContainerError", "message": str(e)}}
            self.k.request_status(self)
            await self._wait_term(2.0)
            return 1
        await c.proc.start(netns=self.k.net.netns_path(self.uid), hostname=self.hostname,
                           mounts=mounts + p.mounts, argv=p.argv, env=p.env,
                           cwd=c.spec.get("workingDir", ""), uid=self.k.uid, gid=self.k.gid,
                           log_path=c.proc.log_file(c.logs_dir, c.restart_count))
        started_at = rfc3339(c.proc.started_at)
        c.state = {"running": {"startedAt": started_at}}
        if not c.init:
            self._start_probes(c)
        self.k.request_status(self)
        code = await c.proc.wait()
        for t in c.probe_tasks:
            t.cancel()
        c.probe_tasks = []
        c.ready = False
        c.started = False
        c.state = {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                                  "startedAt": started_at, "finishedAt": rfc3339()}}
        self.k.request_status(self)
        return code

    def pod_with_status(self) -> dict:
        pod = dict(self.pod)
        status = dict(pod.get("status") or {})
        if self.ip:
            status.update({"podIP": self.ip, "podIPs": [{"ip": self.ip}],
                           "hostIP": self.k.net.gateway, "hostIPs": [{"ip": self.k.net.gateway}]})
        pod["status"] = status
        return pod

    # ----------------------------------------------------------------- probes
    def _start_probes(self, c: ContainerState) -> None:
        spec = c.spec
        startup = spec.get("startupProbe")
        c.started = startup is None
        c.readiness = ProbeState(spec["readinessProbe"], False) if spec.get("readinessProbe") else None
        c.ready = c.started and c.readiness is None
        c.probe_tasks = [asyncio.ensure_future(self._probe_loop(c))]

    async def _exec_probe(self, c: ContainerState, argv: list[str], timeout: float) -> int:
        try:
            return await c.proc.run_command(argv, timeout)
        except RuntimeError:
            return -1

    async def _probe(self, c: ContainerState, probe: dict, timeout: float) -> bool:
        return await run_handler(probe, c.spec, self.ip,
                                 lambda argv, t: self._exec_probe(c, argv, t), timeout)

    async def _probe_loop(self, c: ContainerState) -> None:
        spec = c.spec
        if spec.get("startupProbe"):
            st = ProbeState(spec["startupProbe"], False)
            await asyncio.sleep(st.timing.initial_delay)
            while not st.ok:
                ok = await self._probe(c, spec["startupProbe"], st.timing.timeout)
                st.record(ok)
                if not ok and st._run >= st.timing.failure_threshold:
                    await self._restart_unhealthy(c, "startup")
                    return
                if not st.ok:
                    await asyncio.sleep(st.timing.period)
            c.started = True
            c.ready = c.readiness is None
            self.k.request_status(self)
        tasks = []
        if spec.get("livenessProbe"):
            tasks.append(self._liveness(c, spec["livenessProbe"]))
        if c.readiness is not None:
            tasks.append(self._readiness(c, spec["readinessProbe"]))
        await asyncio.gather(*tasks)

    async def _readiness(self, c: ContainerState, probe: dict) -> None:
        st = c.readiness
        await asyncio.sleep(st.timing.initial_delay)
        while True:
            ok = await self._probe(c, probe, st.timing.timeout)
            if st.record(ok):
                c.ready = st.ok
                self.k.request_status(self)
            await asyncio.sleep(st.timing.period)

    async def _liveness(self, c: ContainerState, probe: dict) -> None:
        st = ProbeState(probe, True)
        await asyncio.sleep(st.timing.initial_delay)
        while True:
            ok = await self._probe(c, probe, st.timing.timeout)
            if st.record(ok) and not st.ok:
                await self._restart_unhealthy(c, "liveness")
                return
            await asyncio.sleep(st.timing.period)

    async def _restart_unhealthy(self, c: ContainerState, which: str) -> None:
        log.info("pod %s/%s container %s failed its %s probe, will be restarted",
                 self.ns, self.name, c.name, which)
        await self._stop_container(c, self._grace_seconds(), run_pre_stop=True)

    # ------------------------------------------------------------ termination
    def _grace_seconds(self) -> float:
        meta, spec = self.pod["metadata"], self.pod["spec"]
        g = meta.get("deletionGracePeriodSeconds")
        if g is None:
            g = spec.get("terminationGracePeriodSeconds", 30)
        return float(g)

    async def _stop_container(self, c: ContainerState, grace: float, run_pre_stop: bool) -> None:
        if not c.proc.running:
            return
        deadline = time.monotonic() + grace
        pre_stop = ((c.spec.get("lifecycle") or {}).get("preStop"))
        if run_pre_stop and pre_stop and grace > 0:
            try:
                await asyncio.wait_for(self._probe(c, pre_stop, max(grace, 0.1)), max(grace, 0.1))
            except asyncio.TimeoutError:
                pass
        c.proc.signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(c.proc.proc.wait()),
                                   max(deadline - time.monotonic(), MINIMUM_GRACE_SECONDS))
            return
        except asyncio.TimeoutError:
            pass
        c.proc.kill_all()

    def request_termination(self) -> None:
        """Graceful deletion (deletionTimestamp set): runs in the background."""
        if self.terminating:
            return
        self.terminating = True
        if not self._term_request.done():
            self._term_request.set_result(True)
        asyncio.ensure_future(self._terminate(self._grace_seconds(), delete_object=True))

    async def _terminate(self, grace: float, delete_object: bool) -> None:
        if self.frozen:
            self.cgroup_freeze(False)
        await asyncio.gather(*(self._stop_container(c, grace, True) for c in self.containers))
        await self.cleanup()
        if delete_object:
            self.k.delete_pod_object(self)

    def kill_now(self) -> None:
        """No grace: every process dies at once (node crash, forced deletion)."""
        self.terminating = True
        if not self._term_request.done():
            self._term_request.set_result(True)
        for c in self.containers:
            c.proc.kill_all()

    async def cleanup(self) -> None:
        """After the containers stopped: frees the network, cgroups and pod directory."""
        for c in self.containers:
            c.proc.kill_all()
            if c.proc.proc is not None:
                await c.proc.proc.wait()
        if self._task is not None:
            self._task.cancel()
        for c in self.containers:
            for t in c.probe_tasks:
                t.cancel()
        await asyncio.to_thread(self.cgroup.remove)
        await asyncio.to_thread(self.k.net.teardown_pod, self.uid)
        await asyncio.to_thread(shutil.rmtree, self.dir, True)

    def cgroup_freeze(self, frozen: bool) -> None:
        self.frozen = frozen
        for c in self.containers:
            c.proc.cgroup.freeze(frozen)

    # ------------------------------------------------------------------ status
    def _condition(self, ctype: str, ok: bool, reason: str = "") -> dict:
        status = "True" if ok else "False"
        prev = self._conditions.get(ctype)
        if prev and prev["status"] == status:
            return prev
        cond = {"type": ctype, "status": status, "lastProbeTime": None,
                "lastTransitionTime": rfc3339()}
        if reason and not ok:
            cond["reason"] = reason
        self._conditions[ctype] = cond
        return cond

    def status(self, current: dict) -> dict:
        status = dict(current or {})
        main = self.main_containers
        all_ready = bool(main) and all(c.ready for c in main)
        not_ready = [c.name for c in main if not c.ready]
        reason = "ContainersNotReady" if not_ready else ""
        status.update({
            "phase": self.phase,
            "hostIP": self.k.net.gateway, "hostIPs": [{"ip": self.k.net.gateway}],
            "conditions": [
                self._condition("PodReadyToStartContainers", bool(self.ip)),
                self._condition("Initialized", self.initialized, "ContainersNotInitialized"),
                self._condition("Ready", all_ready and not self.terminating, reason),
                self._condition("ContainersReady", all_ready, reason),
                self._condition("PodScheduled", True),
            ],
            "containerStatuses": [c.status() for c in main],
        })
        if self.mount_error:
            for c in main:
                c.state = {"waiting": {"reason": "ContainerCreating"}}
        if any(c.init for c in self.containers):
            status["initContainerStatuses"] = [c.status() for c in self.containers if c.init]
        if self.ip:
            status.update({"podIP": self.ip, "podIPs": [{"ip": self.ip}]})
        if self.start_time:
            status["startTime"] = self.start_time
        status.setdefault("qosClass", "BestEffort")
        return status
