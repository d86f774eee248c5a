"""Fidelity: the real kubectl (1.32) against kubesim's API server.

Each test runs kubectl as a user would and checks what kube-apiserver would answer.
Skipped cleanly where kubectl is not installed.
"""
from __future__ import annotations

import json
import subprocess
import time

import pytest
import yaml

from kubesim_fixture import wait_for

pytestmark = pytest.mark.usefixtures("kubectl_bin")

STS = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pg
  labels: {app: pg}
spec:
  serviceName: pg
  replicas: 2
  selector:
    matchLabels: {app: pg}
  template:
    metadata:
      labels: {app: pg}
    spec:
      containers:
      - name: postgres
        image: ghcr.io/zalando/spilo-16:3.3-p1
        ports:
        - {containerPort: 5432, name: pg}
"""


def test_apply_server_side_validates_with_openapi_and_defaults(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    out = c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", "-v=6", input=STS)
    assert "statefulset.apps/pg serverside-applied" in out.stdout
    # kubectl found fieldValidation in the OpenAPI v3 PATCH operation and left
    # validation to the server.
    assert "/openapi/v3/apis/apps/v1?hash=" in out.stderr
    assert "fieldManager=kubectl&fieldValidation=Strict&force=false" in out.stderr
    sts = yaml.safe_load(c.kubectl("get", "-n", ns, "sts", "pg", "-o", "yaml").stdout)
    spec = sts["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["revisionHistoryLimit"] == 10
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                            "whenScaled": "Retain"}
    tmpl = spec["template"]
    assert tmpl["metadata"]["creationTimestamp"] is None
    assert tmpl["spec"]["dnsPolicy"] == "ClusterFirst"
    assert tmpl["spec"]["schedulerName"] == "default-scheduler"
    assert tmpl["spec"]["terminationGracePeriodSeconds"] == 30
    container = tmpl["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["ports"][0]["protocol"] == "TCP"
    assert sts["metadata"]["generation"] == 1
    assert "managedFields" not in sts["metadata"]          # kubectl hides them by default


def test_apply_unknown_field_is_a_strict_decoding_error(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    bad = STS.replace("serviceName: pg", "serviceName: pg\n  bogus: 1")
    out = c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=bad, check=False)
    assert out.returncode == 1
    assert ('StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding '
            'error: unknown field "spec.bogus"') in out.stderr


def test_get_yaml_json_and_table(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=STS)
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "pg"},
           "spec": {"selector": {"app": "pg"}, "ports": [{"port": 5432}]}}
    c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=json.dumps(svc))
    got = json.loads(c.kubectl("get", "-n", ns, "svc", "pg", "-o", "json").stdout)
    spec = got["spec"]
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None"
    assert spec["clusterIP"].startswith("10.") and spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    assert spec["ports"][0] == {"port": 5432, "protocol": "TCP", "targetPort": 5432}
    table = c.kubectl("get", "-n", ns, "svc").stdout.splitlines()
    assert table[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert table[1].split()[:5] == ["pg", "ClusterIP", spec["clusterIP"], "<none>", "5432/TCP"]
    wait_for(lambda: "2/2" in c.kubectl("get", "-n", ns, "sts", "pg").stdout,
             what="statefulset pg READY 2/2")
    pods = c.kubectl("get", "-n", ns, "pods", "-o", "wide").stdout.splitlines()
    assert pods[0].split()[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [p.split()[:3] for p in pods[1:]] == [["pg-0", "1/1", "Running"],
                                                   ["pg-1", "1/1", "Running"]]


def test_get_watch_prints_changes(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    c.api("POST", f"/api/v1/namespaces/{ns}/configmaps",
          {"metadata": {"name": "first"}, "data": {"a": "1"}})
    proc = subprocess.Popen(["kubectl", "get", "configmaps", "-n", ns, "-w",
                             "--field-selector", "metadata.name!=kube-root-ca.crt"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=c.env())
    try:
        assert proc.stdout.readline().split() == ["NAME", "DATA", "AGE"]
        assert proc.stdout.readline().split()[:2] == ["first", "1"]
        c.api("POST", f"/api/v1/namespaces/{ns}/configmaps",
              {"metadata": {"name": "second"}, "data": {"a": "1", "b": "2"}})
        assert proc.stdout.readline().split()[:2] == ["second", "2"]
        c.api("DELETE", f"/api/v1/namespaces/{ns}/configmaps/first")
        assert proc.stdout.readline().split()[:2] == ["first", "1"]
    finally:
        proc.kill()
        proc.communicate()


def test_delete_waits_for_graceful_pod_deletion(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
    c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=json.dumps(pod))
    wait_for(lambda: "Running" in c.kubectl("get", "-n", ns, "pod", "p").stdout,
             what="pod p Running")
    out = c.kubectl("delete", "-n", ns, "pod", "p", "--timeout=30s")
    assert out.stdout.strip() == 'pod "p" deleted'
    gone = c.kubectl("get", "-n", ns, "pod", "p", check=False)
    assert gone.returncode == 1
    assert gone.stderr.strip() == 'Error from server (NotFound): pods "p" not found'


def test_server_side_apply_conflict_between_two_managers(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
          "data": {"shared": "a", "mine": "x"}}
    c.kubectl("apply", "--server-side", "--field-manager=alice", "-n", ns, "-f", "-",
              input=json.dumps(cm))
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
             "data": {"shared": "b"}}
    out = c.kubectl("apply", "--server-side", "--field-manager=bob", "-n", ns, "-f", "-",
                    input=json.dumps(other), check=False)
    assert out.returncode == 1
    assert 'error: Apply failed with 1 conflict: conflict with "alice": .data.shared' \
        in out.stderr
    status, _, body = c.api("PATCH", f"/api/v1/namespaces/{ns}/configmaps/cfg"
                                     "?fieldManager=bob&force=false", other,
                            headers={"Content-Type": "application/apply-patch+yaml"})
    assert status == 409 and body["reason"] == "Conflict"
    assert body["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                          "message": 'conflict with "alice"',
                                          "field": ".data.shared"}]
    c.kubectl("apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-n", ns,
              "-f", "-", input=json.dumps(other))
    got = json.loads(c.kubectl("get", "-n", ns, "cm", "cfg", "-o", "json",
                               "--show-managed-fields").stdout)
    assert got["data"] == {"shared": "b", "mine": "x"}
    owners = {e["manager"]: e["fieldsV1"] for e in got["metadata"]["managedFields"]}
    assert owners == {"alice": {"f:data": {"f:mine": {}}},
                      "bob": {"f:data": {"f:shared": {}}}}
    # alice stops applying "mine": the field she alone owned is removed.
    c.kubectl("apply", "--server-side", "--field-manager=alice", "-n", ns, "-f", "-",
              input=json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "cfg"}, "data": {}}))
    got = json.loads(c.kubectl("get", "-n", ns, "cm", "cfg", "-o", "json").stdout)
    assert got["data"] == {"shared": "b"}


def test_scale_statefulset(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=STS)
    out = c.kubectl("scale", "-n", ns, "statefulset/pg", "--replicas=3")
    assert out.stdout.strip() == "statefulset.apps/pg scaled"
    wait_for(lambda: c.kubectl("get", "-n", ns, "sts", "pg", "-o",
                               "jsonpath={.status.readyReplicas}").stdout == "3",
             what="3 ready replicas")
    status, _, scale = c.api("GET", f"/apis/apps/v1/namespaces/{ns}/statefulsets/pg/scale")
    assert status == 200 and scale["kind"] == "Scale"
    assert scale["spec"] == {"replicas": 3}
    assert scale["status"] == {"replicas": 3, "selector": "app=pg"}


def test_users_anonymous_readonly_and_token(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    status, _, body = c.api("GET", "/api/v1/namespaces", user="anonymous")
    assert status == 401 and body["reason"] == "Unauthorized"
    out = c.kubectl("--context", "readonly", "create", "configmap", "x", "-n", ns,
                    "--dry-run=server", "-o", "name", check=False)
    assert out.returncode == 1
    out = c.kubectl("--context", "readonly", "delete", "namespace", ns, check=False)
    assert out.stderr.strip() == (
        f'Error from server (Forbidden): namespaces "{ns}" is forbidden: User '
        f'"kubesim-readonly" cannot delete resource "namespaces" in API group "" at the '
        f'cluster scope')
    assert c.kubectl("--context", "readonly", "get", "ns", ns, "-o", "name").stdout.strip() \
        == f"namespace/{ns}"
    assert c.kubectl("--context", "token", "get", "ns", ns, "-o", "name").stdout.strip() \
        == f"namespace/{ns}"


def test_impersonation_with_kubectl_as(kubesim_cluster):
    """kubectl --as/--as-group send Impersonate-* headers; kubesim authorizes the request as
    the impersonated user, and only a user allowed to impersonate may."""
    c = kubesim_cluster
    ns = c.namespace()
    out = c.kubectl("--as", "kubesim-readonly", "--as-group", "devs", "delete", "namespace", ns,
                    check=False)
    assert out.stderr.strip() == (
        f'Error from server (Forbidden): namespaces "{ns}" is forbidden: User '
        f'"kubesim-readonly" cannot delete resource "namespaces" in API group "" at the '
        f'cluster scope')
    out = c.kubectl("--context", "readonly", "--as", "kubesim-token", "get", "ns", ns,
                    check=False)
    assert out.stderr.strip() == (
        'Error from server (Forbidden): users "kubesim-token" is forbidden: User '
        '"kubesim-readonly" cannot impersonate resource "users" in API group "" at the '
        'cluster scope')
    assert c.kubectl("--as", "jane", "get", "ns", ns, "-o", "name").stdout.strip() \
        == f"namespace/{ns}"


def test_dry_run_server_persists_nothing(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    out = c.kubectl("apply", "--server-side", "--dry-run=server", "-n", ns, "-f", "-",
                    "-o", "yaml", input=STS)
    sts = yaml.safe_load(out.stdout)
    assert sts["spec"]["podManagementPolicy"] == "OrderedReady"
    assert c.kubectl("get", "-n", ns, "sts", check=False).stderr.strip() == \
        f"No resources found in {ns} namespace."


def test_explain_reads_openapi_v3(kubesim_cluster):
    c = kubesim_cluster
    out = c.kubectl("explain", "statefulset.spec.podManagementPolicy")
    assert "FIELD: podManagementPolicy <string>" in out.stdout
    t0 = time.monotonic()
    out = c.kubectl("explain", "pods.spec.containers.ports")
    assert "containerPort\t<integer> -required-" in out.stdout or "containerPort" in out.stdout
    assert time.monotonic() - t0 < 30


def test_typed_client_commands_send_protobuf(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    c.kubectl("create", "configmap", "cfg", "-n", ns, "--from-literal=a=b")
    c.kubectl("create", "secret", "generic", "pw", "-n", ns, "--from-literal=pw=s3cret")
    c.kubectl("create", "serviceaccount", "patroni", "-n", ns)
    cm = json.loads(c.kubectl("get", "cm", "cfg", "-n", ns, "-o", "json").stdout)
    assert cm["data"] == {"a": "b"} and "generateName" not in cm["metadata"]
    secret = json.loads(c.kubectl("get", "secret", "pw", "-n", ns, "-o", "json").stdout)
    assert secret["type"] == "Opaque" and secret["data"] == {"pw": "czNjcmV0"}
    assert c.kubectl("auth", "can-i", "create", "statefulsets", "-n", ns).stdout == "yes\n"
    out = c.kubectl("--context", "readonly", "auth", "can-i", "delete", "pods", check=False)
    assert out.stdout == "no\n"
