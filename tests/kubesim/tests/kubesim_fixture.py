"""A kubesim instance for tests: started with the real CLI, driven with real clients.

    cluster = Cluster.up(state_dir, "--kubelet", "virtual")
    cluster.kubectl("get", "pods", "-n", ns)        # CompletedProcess (text)
    cluster.api("GET", "/api/v1/namespaces")         # (status, headers, parsed body)
    ns = cluster.namespace()                         # a fresh namespace
    cluster.down()
"""
from __future__ import annotations

import itertools
import json
import os
import ssl
import subprocess
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
KUBESIM = os.path.join(os.path.dirname(HERE), "kubesim")
_counter = itertools.count()


class Cluster:
    def __init__(self, state: str):
        self.state = state
        self.kubeconfig = os.path.join(state, "kubeconfig")
        with open(os.path.join(state, "kubesim.json")) as f:
            self.url = json.load(f)["url"]
        self.cache_dir = os.path.join(state, "kubectl-cache")

    @classmethod
    def up(cls, state: str, *args: str) -> "Cluster":
        out = subprocess.run([KUBESIM, "up", "--state", state, *args], capture_output=True,
                             text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"kubesim up failed ({out.returncode}): {out.stdout}{out.stderr}")
        return cls(state)

    def down(self) -> None:
        subprocess.run([KUBESIM, "down", "--state", self.state], capture_output=True,
                       timeout=60)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([KUBESIM, *args, "--state", self.state] if args[0] != "fault"
                              else [KUBESIM, args[0], "--state", self.state, *args[1:]],
                              capture_output=True, text=True, timeout=60)

    def env(self) -> dict:
        return dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=self.cache_dir)

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 60, context: str | None = None) -> subprocess.CompletedProcess:
        cmd = ["kubectl", *(["--context", context] if context else []), *args]
        out = subprocess.run(cmd, input=input, capture_output=True, text=True,
                             timeout=timeout, env=self.env())
        if check and out.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({out.returncode}):\n"
                                 f"{out.stdout}\n{out.stderr}")
        return out

    def ssl_context(self, user: str = "admin") -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=os.path.join(self.state, "ca.crt"))
        if user == "admin":
            ctx.load_cert_chain(os.path.join(self.state, "admin.crt"),
                                os.path.join(self.state, "admin.key"))
        return ctx

    def token(self, user: str) -> str:
        with open(os.path.join(self.state, "tokens.json")) as f:
            return json.load(f)[user]

    def api(self, method: str, path: str, body=None, headers: dict | None = None,
            user: str = "admin", raw: bool = False, timeout: float = 30):
        """One request as `user` (admin: client certificate; token/readonly: bearer;
        anonymous: no credentials). Returns (status, headers, body parsed as JSON when
        possible)."""
        h = dict(headers or {})
        if user in ("token", "readonly"):
            h["Authorization"] = "Bearer " + self.token(user)
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, context=self.ssl_context(user),
                                        timeout=timeout) as r:
                status, hdrs, payload = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        if raw:
            return status, hdrs, payload
        try:
            return status, hdrs, json.loads(payload)
        except ValueError:
            return status, hdrs, payload.decode(errors="replace")

    def namespace(self, prefix: str = "t") -> str:
        name = f"{prefix}-{os.getpid()}-{next(_counter)}"
        status, _, body = self.api("POST", "/api/v1/namespaces",
                                   {"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": name}})
        assert status == 201, body
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:   # the namespace controller makes `default` SA
            s, _, _ = self.api("GET", f"/api/v1/namespaces/{name}/serviceaccounts/default")
            if s == 200:
                break
            time.sleep(0.02)
        return name


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = ""):
    """Poll `predicate` until it returns a truthy value (returned) or fail at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}: {last!r}")
