"""The process kubelet (part 2): pods bound to kubesim-node-1 run as real processes.

Per pod: a network namespace with its own IP (network.py), a private mount, UTS and
PID namespace per container (sandbox.py) where volumes sit at their mountPaths and
/etc/hosts carries cluster DNS (dns.py), a cgroup per container (cgroups.py), the
image's local runtime (ksim/runtimes), probes and restarts (pod_worker.py). Services
get ClusterIPs with TCP forwarders (services_proxy.py). Every process runs as the
local `postgres` user. Needs root, cgroup v2, `ip` and `iptables`.

Wiring (the server): `kubelet = ProcessKubelet(state_dir)`; call
`kubelet.register_admission(store)` before serving (allocates Service ClusterIPs from
this instance's range), pass `kubelet.kubernetes_service_ip` to `certs.ensure_pki`,
set `kubelet.api_address = (host, port)` to where the API server listens, then
`await kubelet.start(store)`; `await kubelet.stop()` on shutdown.

The bootstrap controller keeps the `kubernetes` Service in `default`; with
`controller_overrides()` its ClusterIP is 10.96.N.1:443 and its Endpoints
<bridge gateway>:<API port>; the kubelet forwards both to the API server, so in-cluster
clients reach it through the Service and Patroni's `bypass_api_service` (Spilo's
default) through the Endpoints.
"""
from __future__ import annotations

import asyncio
import logging
import os
import pwd
import resource
from typing import AsyncIterator

from ksim.errors import ApiError
from ksim.kubelet.base import Kubelet
from ksim.kubelet.cgroups import cgroup2_root
from ksim.kubelet.exec_session import ProcessExecSession
from ksim.kubelet.network import PodNetwork
from ksim.kubelet.envvars import service_links
from ksim.kubelet.pod_worker import PodWorker
from ksim.kubelet.services_proxy import ServiceProxy, service_backends
from ksim.resources import REGISTRY

log = logging.getLogger("ksim.kubelet")
SA_TOKEN_SECONDS = 7 * 24 * 3600


def _rt(kind: str, api_version: str = "v1"):
    return REGISTRY.by_kind(api_version, kind)


class ProcessKubelet(Kubelet):
    def __init__(self, state_dir: str, run_as: str = "postgres"):
        self.state_dir = os.path.abspath(state_dir)
        self.pods_dir = os.path.join(self.state_dir, "pods")
        self.volumes_dir = os.path.join(self.state_dir, "volumes")
        pw = pwd.getpwnam(run_as)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        slot_file = os.path.join(self.state_dir, "network-slot")
        preferred = None
        if os.path.exists(slot_file):
            with open(slot_file) as f:
                preferred = int(f.read().strip() or -1)
        self.net = PodNetwork.acquire(preferred)
        os.makedirs(self.state_dir, exist_ok=True)
        with open(slot_file, "w") as f:
            f.write(str(self.net.slot))
        self.cgroup_root = os.path.join(cgroup2_root(), f"kubesim-{self.net.slot}")
        self.api_address: tuple[str, int] | None = None
        self.proxy = ServiceProxy()
        self.store = None
        self.workers: dict[str, PodWorker] = {}
        self._unsubscribe = None
        self._refresh_pending = False
        self._refresh_lock = asyncio.Lock()
        self._status_pending: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        self._auth = None
        self.ca_pem = b""

    # ------------------------------------------------------------------ wiring
    @property
    def kubernetes_service_ip(self) -> str:
        return self.net.kubernetes_service_ip

    def controller_overrides(self) -> dict:
        """ControllerConfig fields for this kubelet: the `kubernetes` Service's ClusterIP
        and the address its Endpoints publish (the bridge gateway, which pods can reach
        and where the kubelet forwards to the API server at `api_address`)."""
        return {"api_host": self.net.gateway, "service_cluster_ip": self.kubernetes_service_ip}

    def register_admission(self, store) -> None:
        store.admission.insert(0, self._allocate_cluster_ip)

    def _allocate_cluster_ip(self, op, rt, obj, old, store) -> None:
        """Admission: ClusterIPs from this instance's range; the `kubernetes` Service and
        its Endpoints/EndpointSlice point where pods can reach the API server."""
        meta = obj.get("metadata", {})
        if meta.get("namespace") == "default" and meta.get("name") == "kubernetes":
            self._kubernetes_objects(op, rt, obj)
            return
        if op != "CREATE" or rt.kind != "Service":
            return
        spec = obj.setdefault("spec", {})
        if spec.get("type") == "ExternalName" or spec.get("clusterIP") not in (None, ""):
            return
        taken = {(s.get("spec") or {}).get("clusterIP", "") for s in store.iter_objects(rt)}
        ip = self.net.allocate_service_ip(taken)
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]

    def _kubernetes_objects(self, op, rt, obj) -> None:
        gw = self.net.gateway
        if rt.kind == "Service" and op == "CREATE":
            obj.setdefault("spec", {})["clusterIP"] = self.kubernetes_service_ip
            obj["spec"]["clusterIPs"] = [self.kubernetes_service_ip]
        elif rt.kind == "Endpoints":
            for subset in obj.get("subsets") or []:
                for a in subset.get("addresses") or []:
                    a["ip"] = gw
        elif rt.kind == "EndpointSlice":
            for ep in obj.get("endpoints") or []:
                ep["addresses"] = [gw]

    def _ensure_server_certificate(self) -> None:
        """The serving certificate must name the `kubernetes` ClusterIP (in-cluster
        clients verify it); remade when it does not (before the server loads it)."""
        from cryptography import x509

        from ksim import certs
        path = os.path.join(self.state_dir, "server.crt")
        if os.path.exists(path):
            with open(path, "rb") as f:
                cert = x509.load_pem_x509_certificate(f.read())
            try:
                ips = cert.extensions.get_extension_for_class(
                    x509.SubjectAlternativeName).value.get_values_for_type(x509.IPAddress)
            except x509.ExtensionNotFound:
                ips = []
            if any(str(ip) == self.kubernetes_service_ip for ip in ips):
                return
            os.unlink(path)
        certs.ensure_pki(self.state_dir, self.kubernetes_service_ip)

    def _discover_api_address(self) -> None:
        """Without explicit wiring, the API server's address from DIR/kubesim.json."""
        if self.api_address is not None:
            return
        import json
        try:
            with open(os.path.join(self.state_dir, "kubesim.json")) as f:
                info = json.load(f)
            if info.get("pid") == os.getpid():
                self.api_address = (info["host"], int(info["port"]))
        except (OSError, ValueError, KeyError):
            pass

    async def start(self, store) -> None:
        from ksim import auth
        self.store = store
        if self._allocate_cluster_ip not in store.admission:
            self.register_admission(store)
        self._ensure_server_certificate()
        self._spawn(self._resync_forever())
        os.makedirs(self.pods_dir, mode=0o711, exist_ok=True)
        os.makedirs(self.volumes_dir, mode=0o711, exist_ok=True)
        os.makedirs(self.cgroup_root, exist_ok=True)
        with open(os.path.join(self.state_dir, "ca.crt"), "rb") as f:
            self.ca_pem = f.read()
        self._auth = auth.Authenticator(self.state_dir)
        self._unsubscribe = store.subscribe(self._on_event)
        for pod in store.iter_objects(_rt("Pod")):
            self._on_pod(pod)
        self._schedule_refresh()

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        workers = list(self.workers.values())
        for w in workers:
            w.kill_now()
        await asyncio.gather(*(w.cleanup() for w in workers), return_exceptions=True)
        self.workers.clear()
        await self.proxy.stop()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.to_thread(self._remove_cgroup_root)
        await asyncio.to_thread(self.net.release)

    def _remove_cgroup_root(self) -> None:
        from ksim.kubelet.cgroups import Cgroup
        Cgroup(self.cgroup_root).remove()

    def _spawn(self, coro) -> None:
        t = asyncio.ensure_future(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ lookups
    def lookup(self, kind: str, namespace: str, name: str) -> dict | None:
        return self.store.get_shared(_rt(kind), namespace, name)

    def service_account_token(self, pod: dict) -> str:
        meta = pod["metadata"]
        token, _exp = self._auth.mint_sa_token(
            meta.get("namespace", "default"), pod["spec"].get("serviceAccountName") or "default",
            meta.get("uid", ""), SA_TOKEN_SECONDS, ["https://kubernetes.default.svc.cluster.local"])
        return token

    def service_links(self, namespace: str, pod_spec: dict) -> dict[str, str]:
        services = list(self.store.iter_objects(_rt("Service"), namespace)) \
            if pod_spec.get("enableServiceLinks", True) else []
        return service_links(services, namespace, self.kubernetes_service_ip)

    def dns_sources(self) -> tuple[list[dict], list[dict]]:
        return (list(self.store.iter_objects(_rt("Service"))),
                list(self.store.iter_objects(_rt("Endpoints"))))

    # ------------------------------------------------------------------- events
    def _on_event(self, etype: str, rt, obj: dict, old: dict | None) -> None:
        kind = rt.kind
        if kind == "Pod":
            if etype == "DELETED":
                w = self.workers.get(obj["metadata"].get("uid", ""))
                if w is not None:
                    self._forget(w, delete_object=False)
            else:
                self._on_pod(obj)
            self._schedule_refresh()
        elif kind in ("Service", "Endpoints", "ConfigMap", "Secret"):
            self._schedule_refresh()

    def _on_pod(self, pod: dict) -> None:
        if pod.get("spec", {}).get("nodeName") != self.node_name:
            return
        uid = pod["metadata"].get("uid", "")
        w = self.workers.get(uid)
        if w is None:
            if pod["metadata"].get("deletionTimestamp"):
                self._spawn(self._delete_object(pod))
                return
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                return
            w = PodWorker(self, pod)
            self.workers[uid] = w
            w.start()
            return
        w.pod = pod
        if pod["metadata"].get("deletionTimestamp"):
            w.request_termination()

    def _forget(self, w: PodWorker, delete_object: bool) -> None:
        w.kill_now()

        async def finish():
            await w.cleanup()
            self.workers.pop(w.uid, None)
            if delete_object:
                self.delete_pod_object(w)
        self._spawn(finish())

    def delete_pod_object(self, w: PodWorker) -> None:
        """The kubelet's final DELETE (grace 0, UID precondition) after the containers ended."""
        self.workers.pop(w.uid, None)
        try:
            self.store.delete(_rt("Pod"), w.ns, w.name, grace_period=0,
                              preconditions={"uid": w.uid})
        except ApiError as e:
            if e.code not in (404, 409):
                log.warning("cannot delete pod %s/%s: %s", w.ns, w.name, e)

    async def _delete_object(self, pod: dict) -> None:
        meta = pod["metadata"]
        try:
            self.store.delete(_rt("Pod"), meta.get("namespace"), meta["name"], grace_period=0,
                              preconditions={"uid": meta.get("uid")})
        except ApiError:
            pass

    # ------------------------------------------------------------------- status
    def request_status(self, w: PodWorker) -> None:
        """Writes the worker's pod status soon (coalesced within one loop iteration)."""
        if w.uid in self._status_pending:
            return
        self._status_pending.add(w.uid)
        asyncio.get_running_loop().call_soon(self._write_status, w)

    def _write_status(self, w: PodWorker) -> None:
        self._status_pending.discard(w.uid)
        rt = _rt("Pod")
        pod = self.store.try_get(rt, w.ns, w.name)
        if pod is None or pod["metadata"].get("uid") != w.uid:
            return
        status = w.status(pod.get("status") or {})
        if status == pod.get("status"):
            return
        pod["status"] = status
        try:
            self.store.update(rt, pod, subresource="status")
        except ApiError as e:
            if e.code == 409:
                self.request_status(w)
            elif e.code != 404:
                log.warning("cannot write status of pod %s/%s: %s", w.ns, w.name, e)

    # ------------------------------------------------- DNS, Services, volumes
    def _schedule_refresh(self) -> None:
        if self._refresh_pending or self.store is None:
            return
        self._refresh_pending = True
        asyncio.get_running_loop().call_later(0.05, lambda: self._spawn(self._refresh()))

    async def _refresh(self) -> None:
        self._refresh_pending = False
        async with self._refresh_lock:
            for w in list(self.workers.values()):
                # a terminating pod's directory goes away with its cleanup
                if w.ip and not w.terminating:
                    w.refresh_dns()
                    w.refresh_volumes()
            await self._sync_services()

    async def _resync_forever(self) -> None:
        """Picks up the API server's address and repairs forwarders every few seconds."""
        while True:
            await asyncio.sleep(2.0 if self.api_address is None else 30.0)
            self._discover_api_address()
            self._schedule_refresh()

    async def _sync_services(self) -> None:
        keys: set[tuple[str, int]] = set()
        if self.api_address is not None:
            api = [self.api_address]
            for ip, port in ((self.kubernetes_service_ip, 443), (self.net.gateway, self.api_address[1])):
                await self.proxy.ensure(ip, port, api)
                keys.add((ip, port))
        ep_rt = _rt("Endpoints")
        for svc in self.store.iter_objects(_rt("Service")):
            meta, spec = svc["metadata"], svc.get("spec") or {}
            ip = spec.get("clusterIP", "")
            if not ip or ip == "None" or ip == self.kubernetes_service_ip:
                continue
            try:
                await asyncio.to_thread(self.net.add_service_ip, ip)
            except Exception as e:  # noqa: BLE001 -- reported, the Service just gets no forwarder
                log.warning("Service %s/%s: %s", meta.get("namespace"), meta["name"], e)
                continue
            eps = self.store.get_shared(ep_rt, meta.get("namespace"), meta["name"])
            for port, backends in service_backends(svc, eps).items():
                await self.proxy.ensure(ip, port, backends)
                keys.add((ip, port))
        await self.proxy.retain(keys)

    # -------------------------------------------------------------- streams
    def _worker(self, pod: dict) -> PodWorker:
        w = self.workers.get(pod["metadata"].get("uid", ""))
        if w is None:
            raise ApiError(400, "BadRequest",
                           f'pod {pod["metadata"].get("name")} is not running on {self.node_name}')
        return w

    def _container(self, pod: dict, name: str):
        w = self._worker(pod)
        if not name:
            main = w.main_containers
            if len(main) != 1:
                raise ApiError(400, "BadRequest",
                               f"a container name must be specified for pod {w.name}, choose one of: "
                               f"[{' '.join(c.name for c in main)}]")
            return w, main[0]
        c = w.container(name)
        if c is None:
            raise ApiError(400, "BadRequest", f"container {name} is not valid for pod {w.name}")
        return w, c

    async def exec(self, pod, container, command, stdin, tty):
        _w, c = self._container(pod, container)
        if not c.proc.running:
            raise ApiError(400, "BadRequest", f"container {c.name} is not running")
        if not command:
            raise ApiError(400, "BadRequest", "you must specify at least one command for the container")
        if tty:
            master, slave = os.openpty()
            try:
                proc = await c.proc.exec(command, stdin=stdin, tty=True, stdio=slave)
            finally:
                os.close(slave)
            return ProcessExecSession(proc, master)
        proc = await c.proc.exec(command, stdin=stdin, tty=False)
        return ProcessExecSession(proc)

    async def logs(self, pod, container, *, follow=False, tail_lines=None,
                   previous=False) -> AsyncIterator[bytes]:
        w, c = self._container(pod, container)
        restart = c.restart_count - (1 if previous else 0)
        path = os.path.join(c.logs_dir, f"{restart}.log")
        if restart < 0 or not os.path.exists(path):
            what = "previous terminated" if previous else "current"
            raise ApiError(400, "BadRequest",
                           f'{what} container "{c.name}" in pod "{w.name}" not found')
        with open(path, "rb") as f:
            data = f.read()
            if tail_lines is not None:
                lines = data.splitlines(keepends=True)
                data = b"".join(lines[-tail_lines:]) if tail_lines > 0 else b""
            if data:
                yield data
            if not follow or previous:
                return
            while True:
                chunk = f.read(65536)
                if chunk:
                    yield chunk
                    continue
                if not c.proc.running or c.restart_count != restart or w.uid not in self.workers:
                    rest = f.read()
                    if rest:
                        yield rest
                    return
                await asyncio.sleep(0.2)

    def pod_address(self, pod) -> str:
        w = self.workers.get(pod["metadata"].get("uid", ""))
        return w.ip if w else (pod.get("status") or {}).get("podIP", "")

    # --------------------------------------------------------------- faults
    async def kill(self, pod) -> None:
        """Node crash: every process of the pod dies at once and the pod object is
        force-deleted, so its controller replaces it."""
        w = self._worker(pod)
        self._forget(w, delete_object=True)

    async def freeze(self, pod) -> None:
        self._worker(pod).cgroup_freeze(True)

    async def thaw(self, pod) -> None:
        self._worker(pod).cgroup_freeze(False)

    async def partition(self, pod) -> None:
        w = self._worker(pod)
        await asyncio.to_thread(self.net.partition, w.uid)

    async def heal(self, pod) -> None:
        w = self._worker(pod)
        await asyncio.to_thread(self.net.heal, w.uid)

    # -------------------------------------------------------------- measures
    def usage(self) -> dict:
        """kubesim's own CPU seconds and peak RSS (for the benchmark)."""
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {"cpu_seconds": ru.ru_utime + ru.ru_stime, "max_rss_kib": ru.ru_maxrss}
