"""The process kubelet with the real Store and no API server: pods as processes in their
own network namespace, DNS, env, volumes, exec, logs, restarts, termination, faults.
Needs root (namespaces, cgroups); skipped otherwise."""
import asyncio
import os
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim import certs  # noqa: E402
from ksim.resources import REGISTRY  # noqa: E402
from ksim.store import Store  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the process kubelet needs root")

NS = REGISTRY.by_kind("v1", "Namespace")
POD = REGISTRY.by_kind("v1", "Pod")
CM = REGISTRY.by_kind("v1", "ConfigMap")
PVC = REGISTRY.by_kind("v1", "PersistentVolumeClaim")
SVC = REGISTRY.by_kind("v1", "Service")
EP = REGISTRY.by_kind("v1", "Endpoints")


class Env:
    def __init__(self, store, kubelet):
        self.store, self.k = store, kubelet

    async def until(self, pred, timeout=15.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = pred()
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def pod(self, name):
        return self.store.try_get(POD, "db", name)

    def ready(self, name):
        p = self.pod(name)
        return p and any(c["type"] == "Ready" and c["status"] == "True"
                         for c in (p.get("status") or {}).get("conditions", []))

    def create_pod(self, name, containers, **spec):
        spec.update(nodeName="kubesim-node-1", containers=containers)
        return self.store.create(POD, {"metadata": {"name": name, "namespace": "db",
                                                    "labels": {"app": name}}, "spec": spec})

    async def run(self, name, argv, container=""):
        sess = await self.k.exec(self.pod(name), container, argv, False, False)
        out = b""
        while (item := await sess.read()) is not None:
            out += item[1]
        return await sess.wait(), out.decode()


@pytest.fixture
def kenv(tmp_path):
    from ksim.kubelet.process import ProcessKubelet
    loop = asyncio.new_event_loop()
    store = Store()
    kubelet = ProcessKubelet(str(tmp_path))
    certs.ensure_pki(str(tmp_path), kubelet.kubernetes_service_ip)
    kubelet.register_admission(store)
    for n in ("default", "db"):
        store.create(NS, {"metadata": {"name": n}})
    # what the bootstrap controller keeps with kubelet.controller_overrides()
    store.create(SVC, {"metadata": {"name": "kubernetes", "namespace": "default"},
                       "spec": {"clusterIP": kubelet.controller_overrides()["service_cluster_ip"],
                                "ports": [{"name": "https", "port": 443}]}})
    loop.run_until_complete(kubelet.start(store))
    yield loop, Env(store, kubelet)
    loop.run_until_complete(kubelet.stop())
    loop.close()
    assert not [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
                .stdout.split() if n.startswith(f"ksim{kubelet.net.slot}-")]


SLEEPER = {"name": "c", "image": "busybox"}


def test_pod_runs_in_its_namespace_with_env_dns_and_volumes(kenv):
    loop, e = kenv

    async def body():
        e.store.create(CM, {"metadata": {"name": "cfg", "namespace": "db"},
                            "data": {"a.conf": "hello\n", "b.conf": "other\n"}})
        e.store.create(SVC, {"metadata": {"name": "web", "namespace": "db"},
                             "spec": {"selector": {"app": "p1"}, "ports": [{"port": 80}]}})
        e.create_pod("p1", [dict(SLEEPER, env=[
            {"name": "MY_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "URL", "value": "http://$(MY_IP):80"}],
            volumeMounts=[{"name": "cfg", "mountPath": "/config"},
                          {"name": "one", "mountPath": "/etc/one.conf", "subPath": "b.conf"}])],
            volumes=[{"name": "cfg", "configMap": {"name": "cfg", "items": [
                {"key": "a.conf", "path": "x/a.conf", "mode": 0o600}]}},
                {"name": "one", "configMap": {"name": "cfg"}}])
        await e.until(lambda: e.ready("p1"), what="p1 ready")
        ip = e.pod("p1")["status"]["podIP"]
        assert ip.startswith("10.244.")
        code, out = await e.run("p1", ["sh", "-c", 'id -un; hostname; echo "$URL"; cat /config/x/a.conf; '
                                       'stat -c %a /config/x/a.conf; cat /etc/one.conf; '
                                       'getent hosts web.db.svc.cluster.local; getent hosts kubernetes.default; '
                                       'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; '
                                       'readlink /proc/self/ns/ipc'])
        assert code == 0
        lines = out.split("\n")
        svc_ip = e.store.get(SVC, "db", "web")["spec"]["clusterIP"]
        assert lines[:6] == ["postgres", "p1", f"http://{ip}:80", "hello", "600", "other"]
        assert lines[6].split() == [svc_ip, "web.db.svc.cluster.local", "web.db.svc", "web.db", "web"]
        assert lines[7].split()[0] == e.k.kubernetes_service_ip
        assert lines[8] == "db"
        # its own IPC namespace: System V shared memory dies with the container
        assert lines[9].startswith("ipc:[") and lines[9] != os.readlink("/proc/self/ns/ipc")
        code, _ = await e.run("p1", ["sh", "-c", "exit 42"])
        assert code == 42
        # no route off the pod network
        code, out = await e.run("p1", ["sh", "-c", "exec 3<>/dev/tcp/192.0.2.1/80 || echo unreachable"])
        assert "unreachable" in out or code != 0

    loop.run_until_complete(body())


def test_pvc_outlives_the_pod_and_returns_to_the_same_name(kenv):
    loop, e = kenv

    async def body():
        e.store.create(PVC, {"metadata": {"name": "data-p2", "namespace": "db"},
                             "spec": {"accessModes": ["ReadWriteOnce"],
                                      "resources": {"requests": {"storage": "1Gi"}}}})
        spec = dict(volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data-p2"}}])
        c = dict(SLEEPER, volumeMounts=[{"name": "data", "mountPath": "/home/postgres/pgdata"}])
        e.create_pod("p2", [c], **spec)
        await e.until(lambda: e.ready("p2"))
        assert (await e.run("p2", ["sh", "-c", "echo kept > /home/postgres/pgdata/f"]))[0] == 0
        e.store.delete(POD, "db", "p2")
        await e.until(lambda: e.pod("p2") is None, what="p2 gone")
        e.create_pod("p2", [c], **spec)
        await e.until(lambda: e.ready("p2"))
        assert await e.run("p2", ["cat", "/home/postgres/pgdata/f"]) == (0, "kept\n")

    loop.run_until_complete(body())


def test_restarts_logs_and_probes(kenv):
    loop, e = kenv

    async def body():
        e.create_pod("p3", [{"name": "c", "image": "busybox", "command": ["sh", "-c", "echo run; exit 3"]}])
        def restarted():
            p = e.pod("p3")
            statuses = (p.get("status") or {}).get("containerStatuses") or [{}]
            return p if statuses[0].get("restartCount", 0) >= 1 else None
        p = await e.until(restarted, what="a restart")
        cs = p["status"]["containerStatuses"][0]
        assert cs["lastState"]["terminated"]["exitCode"] == 3 or \
            cs["state"].get("terminated", {}).get("exitCode") == 3
        chunks = [c async for c in e.k.logs(e.pod("p3"), "c", previous=True)]
        assert b"".join(chunks) == b"run\n"
        # readiness follows an exec probe
        e.create_pod("p4", [dict(SLEEPER, readinessProbe={"exec": {"command": ["test", "-f", "/tmp/ok"]},
                                                          "periodSeconds": 1, "failureThreshold": 1})])
        def running():
            statuses = (e.pod("p4").get("status") or {}).get("containerStatuses") or [{}]
            return "running" in statuses[0].get("state", {})
        await e.until(running, what="p4 running")
        assert not e.ready("p4")
        await e.run("p4", ["touch", "/tmp/ok"])
        await e.until(lambda: e.ready("p4"), what="ready after the probe passes")
        await e.run("p4", ["rm", "/tmp/ok"])
        await e.until(lambda: not e.ready("p4"), what="unready after the probe fails")

    loop.run_until_complete(body())


def test_grace_period_ends_with_sigkill_of_every_process(kenv):
    loop, e = kenv

    async def body():
        e.create_pod("p5", [{"name": "c", "image": "busybox", "command": [
            "sh", "-c", "trap '' TERM; (trap '' TERM; sleep 1000) & sleep 1000 & wait"]}],
            terminationGracePeriodSeconds=1)
        await e.until(lambda: e.ready("p5"))
        w = next(iter(e.k.workers.values()))
        cg = w.containers[0].proc.cgroup
        await e.until(lambda: len(cg.pids()) >= 3, what="the container's three processes")
        t0 = time.monotonic()
        e.store.delete(POD, "db", "p5")
        await e.until(lambda: e.pod("p5") is None, what="p5 deleted")
        assert 0.9 < time.monotonic() - t0 < 10
        assert not os.path.exists(cg.path)

    loop.run_until_complete(body())


def test_sigterm_gets_two_seconds_when_pre_stop_used_up_the_grace_period(kenv):
    loop, e = kenv

    async def body():
        # preStop outlasts the 1 s grace period; the container needs 1 s after SIGTERM to
        # exit 0, which the kubelet's minimal shutdown window (2 s) leaves it
        e.create_pod("p7", [{"name": "c", "image": "busybox", "command": [
            "sh", "-c", "trap 'sleep 1; exit 0' TERM; sleep 1000 & wait"],
            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "30"]}}}}],
            terminationGracePeriodSeconds=1)
        await e.until(lambda: e.ready("p7"))
        w = next(iter(e.k.workers.values()))
        e.store.delete(POD, "db", "p7")
        await e.until(lambda: e.pod("p7") is None, what="p7 deleted")
        assert w.containers[0].proc.proc.returncode == 0   # exited on SIGTERM, not SIGKILLed

    loop.run_until_complete(body())


def test_faults_freeze_partition_kill(kenv):
    loop, e = kenv

    async def body():
        e.create_pod("p6", [{"name": "c", "image": "busybox", "command": [
            "python3", "-c", "import http.server as h; h.HTTPServer(('', 8080), h.SimpleHTTPRequestHandler)"
            ".serve_forever()"]}])
        await e.until(lambda: e.ready("p6"))
        ip = e.pod("p6")["status"]["podIP"]

        def connect():
            try:
                socket.create_connection((ip, 8080), timeout=0.5).close()
                return True
            except OSError:
                return False
        await e.until(connect, what="server listening")
        await e.k.partition(e.pod("p6"))
        assert not connect()
        await e.k.heal(e.pod("p6"))
        assert connect()
        await e.k.freeze(e.pod("p6"))
        w = next(iter(e.k.workers.values()))
        cg = w.containers[0].proc.cgroup
        pid = cg.pids()[0]
        events = os.path.join(cg.path, "cgroup.events")
        await e.until(lambda: "frozen 1" in open(events).read(), what="frozen")
        await e.k.thaw(e.pod("p6"))
        await e.until(lambda: "frozen 0" in open(events).read(), what="thawed")
        uid = e.pod("p6")["metadata"]["uid"]
        await e.k.kill(e.pod("p6"))
        await e.until(lambda: e.pod("p6") is None, what="pod force-deleted")
        assert uid not in e.k.workers
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(")")[1].split()[0] == "Z"

    loop.run_until_complete(body())
