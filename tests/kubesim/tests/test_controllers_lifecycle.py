"""Namespaces, garbage collection, volumes, disruption budgets, scheduling and pod
termination."""
import os

from controllers_harness import (CM, DEPLOY, NODE, NS, PDB, POD, PV, PVC, RS, SA, SC, STS,
                                 Cluster, deployment, run, statefulset)


def plain_pod(name, **spec):
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"containers": [{"name": "c", "image": "x"}]}}
    obj["spec"].update(spec)
    return obj


def claim(name, size="1Gi", **spec):
    obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}
    obj["spec"].update(spec)
    return obj


@run
async def test_every_namespace_gets_default_service_account_and_root_ca():
    async with Cluster() as c:
        await c.until(lambda: c.get(SA, "default") and c.get(CM, "kube-root-ca.crt"), what="defaults")
        cm = c.get(CM, "kube-root-ca.crt")
        assert cm["data"] == {"ca.crt": c.config["ca_pem"]}
        assert "kube-apiserver" in cm["metadata"]["annotations"]["kubernetes.io/description"]
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            assert c.get(NS, ns) is not None
        c.store.delete(SA, "db", "default")
        cm = c.store.get(CM, "db", "kube-root-ca.crt")
        cm["data"]["ca.crt"] = "tampered"
        c.store.update(CM, cm)
        await c.until(lambda: c.get(SA, "default") and
                      c.get(CM, "kube-root-ca.crt")["data"]["ca.crt"] == c.config["ca_pem"],
                      what="restored")
        [sc] = c.store.list(SC)[0]
        assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
        assert c.get(NODE, "kubesim-node-1")["status"]["conditions"][-1]["type"] == "Ready"


@run
async def test_namespace_deletion_removes_content_then_the_namespace():
    async with Cluster(termination_seconds=0.1) as c:
        c.create(STS, statefulset("pg", 2))
        c.create(CM, {"metadata": {"name": "conf"}, "data": {}})
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 2, what="ready")
        c.store.delete(NS, None, "db")
        ns = c.get(NS, "db")
        assert ns["status"]["phase"] == "Terminating"

        def remaining():
            ns = c.get(NS, "db")
            conds = {x["type"]: x for x in (ns or {}).get("status", {}).get("conditions", ())}
            return conds.get("NamespaceContentRemaining", {}).get("status") == "True" and conds
        conds = await c.until(remaining, what="content remaining condition")
        assert "pods. has" in conds["NamespaceContentRemaining"]["message"]
        await c.until(lambda: c.get(NS, "db") is None, what="namespace gone")
        assert c.pods("db") == [] and c.store.list(PVC, "db")[0] == []


@run
async def test_background_deletion_collects_dependents():
    async with Cluster() as c:
        c.create(DEPLOY, deployment("pool", 2))
        await c.until(lambda: len(c.pods()) == 2, what="pods")
        c.store.delete(DEPLOY, "db", "pool")
        await c.until(lambda: c.names(RS) == [] and c.pods() == [], what="RS and pods gone")


@run
async def test_foreground_deletion_waits_for_blocking_dependents():
    async with Cluster(termination_seconds=0.2) as c:
        c.create(DEPLOY, deployment("pool", 2))
        await c.until(lambda: len(c.pods()) == 2, what="pods")
        c.store.delete(DEPLOY, "db", "pool", propagation="Foreground")
        d = c.get(DEPLOY, "pool")
        assert d["metadata"]["deletionTimestamp"]
        assert "foregroundDeletion" in d["metadata"]["finalizers"]
        await c.until(lambda: any(p["metadata"].get("deletionTimestamp") for p in c.pods()),
                      what="pods terminating")
        assert c.get(DEPLOY, "pool") is not None       # still waiting for its pods
        await c.until(lambda: c.get(DEPLOY, "pool") is None, what="deployment gone")
        assert c.pods() == [] and c.names(RS) == []


@run
async def test_orphan_deletion_keeps_dependents_without_the_reference():
    async with Cluster() as c:
        c.create(DEPLOY, deployment("pool", 1))
        await c.until(lambda: len(c.pods()) == 1, what="pod")
        c.store.delete(DEPLOY, "db", "pool", propagation="Orphan")
        await c.until(lambda: c.get(DEPLOY, "pool") is None, what="deployment gone")
        [rs] = c.store.list(RS, "db")[0]
        assert "ownerReferences" not in rs["metadata"]
        await c.settle()
        assert len(c.pods()) == 1


@run
async def test_dependent_of_a_missing_owner_is_collected():
    async with Cluster() as c:
        c.create(CM, {"metadata": {"name": "orphan", "ownerReferences": [{
            "apiVersion": "v1", "kind": "ConfigMap", "name": "gone",
            "uid": "00000000-0000-0000-0000-000000000000"}]}})
        owner = c.create(CM, {"metadata": {"name": "owner"}})
        c.create(CM, {"metadata": {"name": "two", "ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "gone",
             "uid": "00000000-0000-0000-0000-000000000001"},
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
             "uid": owner["metadata"]["uid"]}]}})
        await c.until(lambda: c.get(CM, "orphan") is None, what="orphan collected")
        await c.until(lambda: len(c.get(CM, "two")["metadata"]["ownerReferences"]) == 1,
                      what="dangling reference removed")


@run
async def test_claims_are_provisioned_bound_and_reclaimed(tmp_path=None):
    import tempfile
    with tempfile.TemporaryDirectory() as state:
        async with Cluster(state_dir=state) as c:
            c.create(PVC, claim("data"))
            await c.until(lambda: (c.get(PVC, "data").get("status") or {}).get("phase") ==
                          "Bound", what="bound")
            pvc = c.get(PVC, "data")
            assert pvc["spec"]["storageClassName"] == "standard"
            pv = c.get(PV, pvc["spec"]["volumeName"])
            assert pv["metadata"]["name"] == f"pvc-{pvc['metadata']['uid']}"
            assert pv["spec"]["claimRef"]["name"] == "data"
            assert pv["status"]["phase"] == "Bound"
            assert pvc["status"]["capacity"] == {"storage": "1Gi"}
            assert pvc["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
            path = pv["spec"]["hostPath"]["path"]
            assert path.startswith(os.path.join(state, "volumes")) and os.path.isdir(path)
            # A static volume with Retain binds by class/size and is Released afterwards.
            c.store.create(PV, {"metadata": {"name": "static"}, "spec": {
                "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
                "storageClassName": "manual", "persistentVolumeReclaimPolicy": "Retain",
                "hostPath": {"path": "/tmp/static"}}})
            c.create(PVC, claim("fixed", "5Gi", storageClassName="manual"))
            await c.until(lambda: c.get(PVC, "fixed")["spec"].get("volumeName") == "static",
                          what="static bind")
            c.store.delete(PVC, "db", "data")
            c.store.delete(PVC, "db", "fixed")
            await c.until(lambda: c.get(PV, pv["metadata"]["name"]) is None, what="deleted")
            assert not os.path.exists(path)
            await c.until(lambda: c.get(PV, "static")["status"]["phase"] == "Released",
                          what="released")


@run
async def test_pods_wait_out_their_grace_period_and_other_schedulers_are_ignored():
    async with Cluster(termination_seconds=0.3) as c:
        c.create(POD, plain_pod("a"))
        c.create(POD, plain_pod("b", schedulerName="other"))
        await c.until(lambda: (c.get(POD, "a").get("status") or {}).get("phase") == "Running",
                      what="running")
        assert "nodeName" not in c.get(POD, "b")["spec"]
        c.store.delete(POD, "db", "a", grace_period=1)
        assert c.get(POD, "a")["metadata"]["deletionGracePeriodSeconds"] == 1
        await c.until(lambda: c.get(POD, "a") is None, what="pod removed")
        deleted = [o for t, kind, _, o in c.events if kind == "Pod" and t == "DELETED"]
        assert deleted and deleted[0]["metadata"]["name"] == "a"


@run
async def test_disruption_budgets_count_healthy_pods():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 3, claims=False))
        for name, spec in (("min", {"minAvailable": 2}), ("max", {"maxUnavailable": 1}),
                           ("pct", {"minAvailable": "50%"})):
            spec["selector"] = {"matchLabels": {"app": "pg"}}
            c.create(PDB, {"metadata": {"name": name}, "spec": spec})
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 3, what="ready")
        await c.until(lambda: c.status(PDB, "pct").get("currentHealthy") == 3, what="pdb")
        await c.settle()
        got = {n: {k: c.status(PDB, n)[k] for k in ("currentHealthy", "desiredHealthy",
                                                     "expectedPods", "disruptionsAllowed")}
               for n in ("min", "max", "pct")}
        assert got == {"min": {"currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3,
                               "disruptionsAllowed": 1},
                       "max": {"currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3,
                               "disruptionsAllowed": 1},
                       "pct": {"currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3,
                               "disruptionsAllowed": 1}}
        pod = c.store.get(POD, "db", "pg-2")
        pod["metadata"].setdefault("annotations", {})["kubesim.io/ready"] = "false"
        c.store.update(POD, pod)
        await c.until(lambda: c.status(PDB, "min").get("disruptionsAllowed") == 0, what="0")
        cond = c.status(PDB, "min")["conditions"][0]
        assert (cond["type"], cond["status"], cond["reason"]) == (
            "DisruptionAllowed", "False", "InsufficientPods")


@run
async def test_recreated_owners_adopt_what_an_orphan_deletion_left():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 2))
        c.create(DEPLOY, deployment("pool", 2))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 2
                      and c.status(DEPLOY, "pool").get("availableReplicas") == 2, what="ready")
        await c.settle()
        before = {p["metadata"]["name"]: p["metadata"]["uid"] for p in c.pods()}
        revision = c.status(STS, "pg")["updateRevision"]
        c.store.delete(STS, "db", "pg", propagation="Orphan")
        c.store.delete(DEPLOY, "db", "pool", propagation="Orphan")
        await c.until(lambda: c.get(STS, "pg") is None and c.get(DEPLOY, "pool") is None,
                      what="owners gone")
        c.create(STS, statefulset("pg", 2))
        c.create(DEPLOY, deployment("pool", 2))
        await c.until(lambda: all(p["metadata"].get("ownerReferences") for p in c.pods())
                      and c.status(STS, "pg").get("readyReplicas") == 2
                      and c.status(DEPLOY, "pool").get("availableReplicas") == 2, what="adopted")
        await c.settle()
        assert {p["metadata"]["name"]: p["metadata"]["uid"] for p in c.pods()} == before
        assert c.status(STS, "pg")["updateRevision"] == revision
        assert len(c.store.list(RS, "db")[0]) == 1


@run
async def test_pods_are_scheduled_once_their_claims_are_bound():
    async with Cluster() as c:
        c.create(POD, plain_pod("user", volumes=[
            {"name": "data", "persistentVolumeClaim": {"claimName": "later"}}]))
        await c.settle()
        assert "nodeName" not in c.get(POD, "user")["spec"]
        c.create(PVC, claim("later"))
        await c.until(lambda: c.get(POD, "user")["spec"].get("nodeName") == "kubesim-node-1",
                      what="scheduled")
        assert c.get(PVC, "later")["status"]["phase"] == "Bound"
        # A WaitForFirstConsumer class: the pod is bound first, then the claim.
        c.store.create(SC, {"metadata": {"name": "wffc"}, "provisioner": "kubesim.io/hostpath",
                            "volumeBindingMode": "WaitForFirstConsumer"})
        c.create(PVC, claim("lazy", storageClassName="wffc"))
        await c.settle()
        assert c.get(PVC, "lazy")["status"]["phase"] == "Pending"
        c.create(POD, plain_pod("consumer", volumes=[
            {"name": "data", "persistentVolumeClaim": {"claimName": "lazy"}}]))
        await c.until(lambda: c.get(PVC, "lazy")["status"]["phase"] == "Bound", what="bound")


@run
async def test_claims_in_use_wait_for_their_pods_before_going():
    import tempfile
    with tempfile.TemporaryDirectory() as state:
        async with Cluster(state_dir=state, termination_seconds=0.3) as c:
            c.create(STS, statefulset("pg", 1))
            await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 1, what="ready")
            pvc = c.get(PVC, "data-pg-0")
            assert pvc["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
            pv = c.get(PV, pvc["spec"]["volumeName"])
            assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
            path = pv["spec"]["hostPath"]["path"]
            c.store.delete(PVC, "db", "data-pg-0")
            await c.settle()
            assert c.get(PVC, "data-pg-0")["metadata"]["deletionTimestamp"]   # pod uses it
            assert os.path.isdir(path)
            c.store.delete(STS, "db", "pg")
            await c.until(lambda: c.get(PVC, "data-pg-0") is None, what="claim gone")
            await c.until(lambda: c.get(PV, pv["metadata"]["name"]) is None, what="volume gone")
            assert not os.path.exists(path)
