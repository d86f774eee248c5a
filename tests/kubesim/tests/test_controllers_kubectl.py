"""Fidelity of the controllers and the virtual kubelet, seen through the real kubectl (1.32).

kubectl's own waiting logic is the oracle: `kubectl wait`, `kubectl rollout status`
and `kubectl delete` (which waits for the object to go) only succeed when kubesim's
objects carry the status a real cluster's controllers write. Skipped where kubectl is
not installed. Every test works in its own namespace of the shared session cluster.
"""
from __future__ import annotations

import json

import pytest

from kubesim_fixture import wait_for

pytestmark = pytest.mark.usefixtures("kubectl_bin")

STATEFULSET = """
apiVersion: v1
kind: Service
metadata: {name: pg}
spec:
  clusterIP: None
  selector: {app: pg}
  ports: [{name: postgresql, port: 5432, targetPort: postgresql}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg}
spec:
  replicas: 3
  serviceName: pg
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        ports: [{name: postgresql, containerPort: 5432}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: pool}
spec:
  replicas: 3
  selector: {matchLabels: {app: pool}}
  template:
    metadata: {labels: {app: pool}}
    spec:
      containers: [{name: pgpool, image: "pgpool:4"}]
"""

JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: backup}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: backup, image: busybox}]
"""


def get_json(c, ns, *what):
    return json.loads(c.kubectl("get", "-n", ns, *what, "-o", "json").stdout)


def names(c, ns, kind):
    out = c.kubectl("get", "-n", ns, kind, "-o", "name").stdout.split()
    return sorted(n.split("/", 1)[1] for n in out)


def apply(c, ns, manifest):
    c.kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=manifest)


def test_statefulset_becomes_ready_behind_its_headless_service(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("sts")
    apply(c, ns, STATEFULSET)
    out = c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    assert "partitioned roll out complete: 3 new pods have been updated" in out.stdout
    out = c.kubectl("wait", "-n", ns, "--for=condition=Ready", "pod/pg-0", "pod/pg-1",
                    "pod/pg-2", "--timeout=30s")
    assert out.stdout.count("condition met") == 3
    sts = get_json(c, ns, "statefulset", "pg")
    st = sts["status"]
    assert st["replicas"] == st["readyReplicas"] == st["availableReplicas"] == 3
    assert st["currentRevision"] == st["updateRevision"]
    assert st["observedGeneration"] == sts["metadata"]["generation"]
    pod = get_json(c, ns, "pod", "pg-1")
    assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "pg-1"
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    assert pod["metadata"]["labels"]["controller-revision-hash"] == st["updateRevision"]
    assert pod["spec"]["hostname"] == "pg-1" and pod["spec"]["subdomain"] == "pg"
    assert pod["status"]["phase"] == "Running" and pod["status"]["podIP"]
    ep = get_json(c, ns, "endpoints", "pg")
    hosts = sorted(a["hostname"] for a in ep["subsets"][0]["addresses"])
    assert hosts == ["pg-0", "pg-1", "pg-2"]
    assert ep["subsets"][0]["ports"] == [{"name": "postgresql", "port": 5432, "protocol": "TCP"}]
    slices = get_json(c, ns, "endpointslices", "-l", "kubernetes.io/service-name=pg")["items"]
    assert sorted(e["targetRef"]["name"] for e in slices[0]["endpoints"]) == ["pg-0", "pg-1",
                                                                                "pg-2"]
    wait_for(lambda: all(p["status"].get("phase") == "Bound"
                         for p in get_json(c, ns, "pvc")["items"]), what="claims bound")
    assert names(c, ns, "pvc") == ["data-pg-0", "data-pg-1", "data-pg-2"]


def test_scale_down_keeps_claims_and_scale_up_reuses_them(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("scale")
    apply(c, ns, STATEFULSET)
    c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    volumes = {p["metadata"]["name"]: p["spec"]["volumeName"]
               for p in get_json(c, ns, "pvc")["items"]}
    c.kubectl("scale", "-n", ns, "statefulset/pg", "--replicas=1")
    c.kubectl("wait", "-n", ns, "--for=delete", "pod/pg-1", "pod/pg-2", "--timeout=60s")
    assert names(c, ns, "pods") == ["pg-0"]
    assert names(c, ns, "pvc") == ["data-pg-0", "data-pg-1", "data-pg-2"]
    c.kubectl("scale", "-n", ns, "statefulset/pg", "--replicas=3")
    c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    assert {p["metadata"]["name"]: p["spec"]["volumeName"]
            for p in get_json(c, ns, "pvc")["items"]} == volumes


def test_statefulset_rolling_update_and_scale_subresource(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("roll")
    apply(c, ns, STATEFULSET)
    c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    before = get_json(c, ns, "statefulset", "pg")["status"]["updateRevision"]
    c.kubectl("set", "image", "-n", ns, "statefulset/pg", "postgres=postgres:17")
    out = c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    assert "partitioned roll out complete: 3 new pods have been updated" in out.stdout
    st = get_json(c, ns, "statefulset", "pg")["status"]
    assert st["updateRevision"] != before and st["currentRevision"] == st["updateRevision"]
    pods = get_json(c, ns, "pods")["items"]
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"postgres:17"}
    revisions = names(c, ns, "controllerrevisions")
    assert revisions == sorted([before, st["updateRevision"]])
    scale = json.loads(c.kubectl("get", "--raw",
                                 f"/apis/apps/v1/namespaces/{ns}/statefulsets/pg/scale").stdout)
    assert scale["spec"]["replicas"] == 3 and scale["status"]["replicas"] == 3


def test_deployment_rollout_and_undo(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("deploy")
    apply(c, ns, DEPLOYMENT)
    out = c.kubectl("rollout", "status", "-n", ns, "deployment/pool", "--timeout=60s")
    assert 'deployment "pool" successfully rolled out' in out.stdout
    c.kubectl("set", "image", "-n", ns, "deployment/pool", "pgpool=pgpool:5")
    c.kubectl("rollout", "status", "-n", ns, "deployment/pool", "--timeout=60s")
    rs = get_json(c, ns, "replicasets")["items"]
    assert sorted(r["spec"]["replicas"] for r in rs) == [0, 3]
    d = get_json(c, ns, "deployment", "pool")
    conds = {x["type"]: x for x in d["status"]["conditions"]}
    assert conds["Available"]["status"] == "True"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    c.kubectl("rollout", "undo", "-n", ns, "deployment/pool")
    c.kubectl("rollout", "status", "-n", ns, "deployment/pool", "--timeout=60s")
    wait_for(lambda: {p["spec"]["containers"][0]["image"]
                      for p in get_json(c, ns, "pods")["items"]
                      if not p["metadata"].get("deletionTimestamp")} == {"pgpool:4"},
             what="pods back on pgpool:4")
    assert get_json(c, ns, "deployment", "pool")["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"] == "3"


def test_deleting_owners_collects_dependents(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("gc")
    apply(c, ns, STATEFULSET)
    apply(c, ns, DEPLOYMENT)
    c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    c.kubectl("rollout", "status", "-n", ns, "deployment/pool", "--timeout=60s")
    c.kubectl("delete", "-n", ns, "deployment/pool", "--cascade=foreground")
    assert names(c, ns, "replicasets") == []
    assert not [p for p in names(c, ns, "pods") if p.startswith("pool-")]
    c.kubectl("delete", "-n", ns, "statefulset/pg")
    wait_for(lambda: names(c, ns, "pods") == [] and names(c, ns, "controllerrevisions") == [],
             what="pods and revisions collected")
    assert names(c, ns, "pvc") == ["data-pg-0", "data-pg-1", "data-pg-2"]   # Retain
    c.kubectl("delete", "-n", ns, "service/pg")
    wait_for(lambda: names(c, ns, "endpointslices") == [] and names(c, ns, "endpoints") == [],
             what="endpoints and slices collected")


def test_job_completes_and_namespace_deletion_finishes(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("job")
    apply(c, ns, JOB)
    c.kubectl("wait", "-n", ns, "--for=condition=Complete", "job/backup", "--timeout=60s")
    job = get_json(c, ns, "job", "backup")
    assert job["status"]["succeeded"] == 2
    apply(c, ns, STATEFULSET)
    c.kubectl("rollout", "status", "-n", ns, "statefulset/pg", "--timeout=60s")
    c.kubectl("delete", "namespace", ns, "--timeout=60s")     # waits until it is gone
    out = c.kubectl("get", "namespace", ns, check=False)
    assert out.returncode == 1 and "NotFound" in out.stderr


def test_virtual_pods_answer_exec_and_logs_with_a_clear_error(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace("logs")
    apply(c, ns, STATEFULSET)
    c.kubectl("wait", "-n", ns, "--for=condition=Ready", "pod/pg-0", "--timeout=30s")
    for args in (("logs", "-n", ns, "pg-0"), ("exec", "-n", ns, "pg-0", "--", "true")):
        out = c.kubectl(*args, check=False)
        assert out.returncode == 1, args
        assert "kubesim virtual pods run no processes" in out.stderr, out.stderr
