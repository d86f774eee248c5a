"""The server's wiring of the process kubelet (`kubesim up --kubelet process`): in-cluster
clients reach the API through the `kubernetes` Service and through its Endpoints with the
ServiceAccount token and the cluster CA (the serving certificate names the instance's
ClusterIP), and the `kubesim fault` CLI drives pod faults. Needs root; skipped otherwise."""
from __future__ import annotations

import json
import os
import socket
import sys
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from kubesim_fixture import Cluster, wait_for  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the process kubelet needs root")

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
SERVER = ("import http.server as h; h.HTTPServer(('', 8080), "
          "h.SimpleHTTPRequestHandler).serve_forever()")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster.up(str(tmp_path_factory.mktemp("kubesim")), "--kubelet", "process")
    try:
        yield c
    finally:
        c.down()


def _ready(c, ns, name) -> bool:
    s, _, pod = c.api("GET", f"/api/v1/namespaces/{ns}/pods/{name}")
    return s == 200 and any(x["type"] == "Ready" and x["status"] == "True"
                            for x in (pod.get("status") or {}).get("conditions", []))


def _web_pod(c, ns: str, name: str) -> str:
    """Creates a pod serving HTTP on 8080; returns its IP once Ready."""
    s, _, body = c.api("POST", f"/api/v1/namespaces/{ns}/pods", {
        "metadata": {"name": name}, "spec": {"containers": [{
            "name": "web", "image": "busybox", "command": ["python3", "-c", SERVER],
            "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1}}]}})
    assert s == 201, body
    wait_for(lambda: _ready(c, ns, name), timeout=60, what=f"pod {name} Ready")
    return c.api("GET", f"/api/v1/namespaces/{ns}/pods/{name}")[2]["status"]["podIP"]


def _answers(ip: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{ip}:8080/", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def test_in_cluster_clients_reach_the_api_through_service_and_endpoints(cluster):
    c = cluster
    ns = c.namespace()
    _web_pod(c, ns, "client")
    svc = c.api("GET", "/api/v1/namespaces/default/services/kubernetes")[2]
    ep = c.api("GET", "/api/v1/namespaces/default/endpoints/kubernetes")[2]
    with open(os.path.join(c.state, "network-slot")) as f:
        slot = int(f.read())
    cluster_ip = svc["spec"]["clusterIP"]
    assert cluster_ip == f"10.96.{slot}.1"       # this instance's range (10.96.N.0/24)
    addr = ep["subsets"][0]["addresses"][0]["ip"]
    port = ep["subsets"][0]["ports"][0]["port"]
    assert addr == f"10.244.{slot}.1"            # the pods' bridge gateway
    # curl verifies the serving certificate against the ServiceAccount's CA; the names
    # are what Patroni uses: the Service (KUBERNETES_SERVICE_HOST) and its Endpoints.
    for url in ("https://kubernetes.default.svc/api/v1/namespaces/default/endpoints/kubernetes",
                f"https://{cluster_ip}:443/version",
                f"https://{addr}:{port}/version"):
        out = c.kubectl("exec", "-n", ns, "client", "--", "sh", "-c",
                        f'curl -sS --cacert {SA}/ca.crt -H "Authorization: Bearer '
                        f'$(cat {SA}/token)" -o /dev/null -w "%{{http_code}}" {url}')
        assert out.stdout == "200", (url, out.stdout, out.stderr)
    env = c.kubectl("exec", "-n", ns, "client", "--", "sh", "-c",
                    "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT").stdout.strip()
    assert env == f"{cluster_ip}:443"


def test_fault_cli_partitions_freezes_and_kills_pods(cluster):
    c = cluster
    ns = c.namespace()
    ip = _web_pod(c, ns, "victim")
    assert _answers(ip)
    for fault, answers in (("partition", False), ("heal", True), ("freeze", False),
                           ("thaw", True)):
        out = c.cli("fault", fault, f"{ns}/victim")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"pod": f"{ns}/victim", "fault": fault}
        assert _answers(ip) is answers, fault
    out = c.cli("fault", "kill", f"{ns}/victim")
    assert out.returncode == 0, out.stderr
    wait_for(lambda: c.api("GET", f"/api/v1/namespaces/{ns}/pods/victim")[0] == 404,
             what="the killed pod force-deleted")
    with pytest.raises(OSError):
        socket.create_connection((ip, 8080), timeout=1).close()
