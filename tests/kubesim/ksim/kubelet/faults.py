"""Pod faults for tests, served on the admin endpoint and driven by the kubesim CLI.

    POST /kubesim/pods/<namespace>/<name>/<fault>     (admin user only)
    fault: kill | freeze | thaw | partition | heal
    -> 200 {"pod": "<ns>/<name>", "fault": "<fault>"}; 404 unknown pod; 400 unknown
       fault or a kubelet that cannot inject it (the virtual kubelet)

kill: every process of the pod dies at once and the pod object is force-deleted (a
node crash; the pod's controller replaces it). freeze/thaw: SIGSTOP/SIGCONT of all its
processes (cgroup freezer: a hung primary). partition/heal: all its traffic dropped
both ways, and back.

Server wiring (server.py `_admin`): `if segs[:1] == ["pods"]: return self._json(await
faults.handle(self.kubelet, self.store, request.method, segs[1:]))`.
CLI wiring: `kubesim fault {kill,freeze,thaw,partition,heal} NAMESPACE/POD --state DIR`
calls `faults.request(kubeconfig_path, namespace, name, fault)`.
"""
from __future__ import annotations

from ksim import errors
from ksim.resources import REGISTRY

FAULTS = ("kill", "freeze", "thaw", "partition", "heal")


async def handle(kubelet, store, method: str, segs: list[str]) -> dict:
    if method != "POST" or len(segs) != 3:
        raise errors.bad_request("use POST /kubesim/pods/<namespace>/<name>/<fault> with fault "
                                 f"one of {', '.join(FAULTS)}")
    ns, name, fault = segs
    if fault not in FAULTS:
        raise errors.bad_request(f"unknown fault {fault!r}: use one of {', '.join(FAULTS)}")
    rt = REGISTRY.by_kind("v1", "Pod")
    pod = store.try_get(rt, ns, name)
    if pod is None:
        raise errors.not_found(rt, name)
    await getattr(kubelet, fault)(pod)
    return {"pod": f"{ns}/{name}", "fault": fault}


def request(kubeconfig: str, namespace: str, name: str, fault: str) -> dict:
    """Client side (CLI, tests): POSTs the fault with the kubeconfig's admin credentials."""
    import base64
    import json
    import ssl
    import tempfile
    import urllib.request

    import yaml
    with open(kubeconfig) as f:
        kc = yaml.safe_load(f)
    ctx_name = kc.get("current-context")
    ctx = next(c["context"] for c in kc["contexts"] if c["name"] == ctx_name)
    cluster = next(c["cluster"] for c in kc["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in kc["users"] if u["name"] == ctx["user"])
    sslctx = ssl.create_default_context(cadata=base64.b64decode(
        cluster["certificate-authority-data"]).decode())
    headers = {"Content-Type": "application/json"}
    if "token" in user:
        headers["Authorization"] = f"Bearer {user['token']}"
    else:
        with tempfile.NamedTemporaryFile("wb", suffix=".pem") as pem:
            pem.write(base64.b64decode(user["client-certificate-data"]))
            pem.write(b"\n")
            pem.write(base64.b64decode(user["client-key-data"]))
            pem.flush()
            sslctx.load_cert_chain(pem.name)
    req = urllib.request.Request(f"{cluster['server']}/kubesim/pods/{namespace}/{name}/{fault}",
                                 data=b"{}", headers=headers, method="POST")
    with urllib.request.urlopen(req, context=sslctx, timeout=30) as resp:
        return json.loads(resp.read())
