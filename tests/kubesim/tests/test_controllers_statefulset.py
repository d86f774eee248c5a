"""StatefulSet controller against the Store with the virtual kubelet (no HTTP)."""
from controllers_harness import EV, POD, PV, PVC, REV, STS, Cluster, run, statefulset


def ready(pod) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


@run
async def test_ordered_ready_creates_pods_in_order_with_identity_and_claims():
    async with Cluster(ready_delay=0.05) as c:
        c.create(STS, statefulset("pg", 3))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 3, what="3 ready")
        # Each pod was created only once every lower ordinal was Running and Ready.
        created = [o for t, kind, _, o in c.events if t == "ADDED" and kind == "Pod"]
        assert [p["metadata"]["name"] for p in created] == ["pg-0", "pg-1", "pg-2"]
        for later in created[1:]:
            rv = int(later["metadata"]["resourceVersion"])
            lower = f"pg-{int(later['metadata']['name'][-1]) - 1}"
            before = [o for t, kind, _, o in c.events if kind == "Pod"
                      and o["metadata"]["name"] == lower
                      and int(o["metadata"]["resourceVersion"]) < rv]
            assert before and ready(before[-1]), f"{lower} not ready before {later['metadata']['name']}"
        pod = c.get(POD, "pg-1")
        m, spec = pod["metadata"], pod["spec"]
        rev = c.status(STS, "pg")["updateRevision"]
        assert m["labels"] == {"app": "pg", "statefulset.kubernetes.io/pod-name": "pg-1",
                               "apps.kubernetes.io/pod-index": "1",
                               "controller-revision-hash": rev}
        assert m["generateName"] == "pg-"
        assert m["ownerReferences"][0]["kind"] == "StatefulSet"
        assert m["ownerReferences"][0]["controller"] is True
        assert spec["hostname"] == "pg-1" and spec["subdomain"] == "pg"
        assert spec["nodeName"] == "kubesim-node-1"
        assert spec["volumes"][0] == {"name": "data",
                                      "persistentVolumeClaim": {"claimName": "data-pg-1"}}
        assert pod["status"]["phase"] == "Running" and pod["status"]["podIP"].startswith("127.")
        pvc = c.get(PVC, "data-pg-1")
        assert pvc["metadata"]["labels"] == {"app": "pg"}
        await c.until(lambda: (c.get(PVC, "data-pg-1").get("status") or {}).get("phase")
                      == "Bound", what="claim bound")
        st = c.status(STS, "pg")
        assert st == {"observedGeneration": 1, "replicas": 3, "readyReplicas": 3,
                      "currentReplicas": 3, "updatedReplicas": 3, "currentRevision": rev,
                      "updateRevision": rev, "collisionCount": 0, "availableReplicas": 3}
        assert rev.startswith("pg-")
        revs = c.store.list(REV, "db")[0]
        assert [r["metadata"]["name"] for r in revs] == [rev]
        assert revs[0]["revision"] == 1
        assert revs[0]["data"]["spec"]["template"]["$patch"] == "replace"
        assert revs[0]["metadata"]["labels"]["controller.kubernetes.io/hash"] == rev[3:]


@run
async def test_parallel_creates_all_pods_without_waiting():
    async with Cluster(ready_delay=30) as c:
        c.create(STS, statefulset("pg", 3, policy="Parallel"))
        await c.until(lambda: len(c.pods()) == 3, what="3 pods")
        assert all(p["status"]["phase"] == "Pending" for p in c.pods())
        assert c.status(STS, "pg")["replicas"] == 3
        assert "readyReplicas" not in c.status(STS, "pg")


@run
async def test_scale_down_removes_highest_first_and_keeps_claims():
    async with Cluster(termination_seconds=0.05) as c:
        c.create(STS, statefulset("pg", 3))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 3, what="3 ready")
        c.events.clear()
        c.patch_spec(STS, "pg", replicas=1)
        await c.until(lambda: c.names(POD) == ["pg-0"], what="scaled to 1")
        deletions = [(t, o["metadata"]["name"], bool(o["metadata"].get("deletionTimestamp")))
                     for t, kind, _, o in c.events if kind == "Pod"
                     and (t == "DELETED" or o["metadata"].get("deletionTimestamp"))]
        order = [name for t, name, terminating in deletions if terminating and t == "MODIFIED"]
        assert order == ["pg-2", "pg-1"]
        # pg-1 began terminating only after pg-2 was gone.
        gone = [i for i, (t, n, _) in enumerate(deletions) if t == "DELETED" and n == "pg-2"][0]
        started = [i for i, (t, n, d) in enumerate(deletions) if n == "pg-1" and d][0]
        assert gone < started
        assert c.names(PVC) == ["data-pg-0", "data-pg-1", "data-pg-2"]
        await c.until(lambda: c.status(STS, "pg").get("replicas") == 1, what="status 1")
        # Scaling up again re-uses the retained claims.
        volume = c.get(PVC, "data-pg-2")["spec"]["volumeName"]
        c.patch_spec(STS, "pg", replicas=3)
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 3, what="3 again")
        assert c.get(PVC, "data-pg-2")["spec"]["volumeName"] == volume
        assert len(c.store.list(PV, None)[0]) == 3


@run
async def test_rolling_update_from_highest_ordinal_then_status_converges():
    async with Cluster(ready_delay=0.02) as c:
        c.create(STS, statefulset("pg", 3))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 3, what="3 ready")
        old_rev = c.status(STS, "pg")["currentRevision"]
        c.events.clear()
        sts = c.store.get(STS, "db", "pg")
        sts["spec"]["template"]["spec"]["containers"][0]["image"] = "postgres:17"
        c.store.update(STS, sts)

        def rolled():
            st = c.status(STS, "pg")
            return (st.get("observedGeneration") == 2 and st.get("updatedReplicas") == 3
                    and st.get("readyReplicas") == 3
                    and st.get("currentRevision") == st.get("updateRevision"))
        await c.until(rolled, what="rollout complete")
        st = c.status(STS, "pg")
        assert st["updateRevision"] != old_rev and st["currentReplicas"] == 3
        order = [o["metadata"]["name"] for t, kind, _, o in c.events
                 if kind == "Pod" and t == "ADDED"]
        assert order == ["pg-2", "pg-1", "pg-0"]
        assert all(p["spec"]["containers"][0]["image"] == "postgres:17" for p in c.pods())
        revs = sorted(c.store.list(REV, "db")[0], key=lambda r: r["revision"])
        assert [r["metadata"]["name"] for r in revs] == [old_rev, st["updateRevision"]]
        # Rolling back re-uses the first revision and renumbers it.
        sts = c.store.get(STS, "db", "pg")
        sts["spec"]["template"]["spec"]["containers"][0]["image"] = "postgres:16"
        c.store.update(STS, sts)
        await c.until(lambda: c.status(STS, "pg").get("updateRevision") == old_rev,
                      what="rollback revision")
        assert c.get(REV, old_rev)["revision"] == 3


@run
async def test_partition_updates_only_ordinals_at_or_above_it():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 3, updateStrategy={
            "type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 3, what="3 ready")
        sts = c.store.get(STS, "db", "pg")
        sts["spec"]["template"]["spec"]["containers"][0]["image"] = "postgres:17"
        c.store.update(STS, sts)
        await c.until(lambda: c.status(STS, "pg").get("updatedReplicas") == 1
                      and c.status(STS, "pg").get("readyReplicas") == 3, what="pg-2 updated")
        await c.settle()
        images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in c.pods()}
        assert images == {"pg-0": "postgres:16", "pg-1": "postgres:16", "pg-2": "postgres:17"}
        st = c.status(STS, "pg")
        assert st["currentRevision"] != st["updateRevision"] and st["currentReplicas"] == 2
        # A deleted pod below the partition comes back at the old revision.
        c.store.delete(POD, "db", "pg-0", grace_period=0)
        await c.until(lambda: c.get(POD, "pg-0") is not None
                      and c.status(STS, "pg").get("readyReplicas") == 3, what="pg-0 back")
        assert c.get(POD, "pg-0")["spec"]["containers"][0]["image"] == "postgres:16"


@run
async def test_failed_pod_is_replaced_and_ondelete_never_deletes():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 2, claims=False,
                                  updateStrategy={"type": "OnDelete"}))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 2, what="2 ready")
        uid = c.get(POD, "pg-1")["metadata"]["uid"]
        pod = c.get(POD, "pg-1")
        pod["status"]["phase"] = "Failed"
        c.store.update(POD, pod, subresource="status")
        await c.until(lambda: (c.get(POD, "pg-1") or {"metadata": {"uid": uid}})["metadata"]
                      ["uid"] != uid, what="pg-1 replaced")
        sts = c.store.get(STS, "db", "pg")
        sts["spec"]["template"]["spec"]["containers"][0]["image"] = "postgres:17"
        c.store.update(STS, sts)
        await c.until(lambda: c.status(STS, "pg").get("observedGeneration") == 2, what="seen")
        await c.settle()
        assert {p["spec"]["containers"][0]["image"] for p in c.pods()} == {"postgres:16"}
        assert c.status(STS, "pg").get("updatedReplicas", 0) == 0


@run
async def test_claims_follow_the_retention_policy_when_the_set_is_deleted():
    async with Cluster() as c:
        c.create(STS, statefulset("keep", 1))
        c.create(STS, statefulset("drop", 1, persistentVolumeClaimRetentionPolicy={
            "whenDeleted": "Delete", "whenScaled": "Retain"}))
        await c.until(lambda: c.status(STS, "keep").get("readyReplicas") == 1
                      and c.status(STS, "drop").get("readyReplicas") == 1, what="ready")
        c.store.delete(STS, "db", "keep")
        c.store.delete(STS, "db", "drop")
        await c.until(lambda: c.names(POD) == [], what="pods gone")
        await c.until(lambda: c.names(PVC) == ["data-keep-0"], what="only Retain claim left")
        assert c.names(REV) == []


@run
async def test_when_scaled_delete_removes_claims_of_condemned_ordinals():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 2, persistentVolumeClaimRetentionPolicy={
            "whenDeleted": "Retain", "whenScaled": "Delete"}))
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 2, what="2 ready")
        c.patch_spec(STS, "pg", replicas=1)
        await c.until(lambda: c.names(PVC) == ["data-pg-0"], what="data-pg-1 collected")
        assert c.names(POD) == ["pg-0"]


@run
async def test_start_ordinal_and_min_ready_seconds():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 2, claims=False, ordinals={"start": 5},
                                  minReadySeconds=2))
        await c.until(lambda: c.names(POD) == ["pg-5"], what="first pod")
        await c.until(lambda: c.status(STS, "pg").get("readyReplicas") == 1, what="ready")
        # Ready but not yet available for minReadySeconds (at least 1 s more, as times
        # are whole seconds): the next ordinal waits.
        assert c.status(STS, "pg")["availableReplicas"] == 0 and c.names(POD) == ["pg-5"]
        await c.until(lambda: c.status(STS, "pg").get("availableReplicas") == 2, timeout=10,
                      what="both available")
        assert c.names(POD) == ["pg-5", "pg-6"]
        assert c.get(POD, "pg-6")["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "6"


@run
async def test_pods_the_api_refuses_leave_a_warning_event():
    async with Cluster() as c:
        c.create(STS, statefulset("pg", 1, claims=False, template={
            "metadata": {"labels": {"app": "pg"}},
            "spec": {"serviceAccountName": "missing",
                     "containers": [{"name": "postgres", "image": "postgres:16"}]}}))

        def warned():
            events = [e for e in c.store.list(EV, "db")[0] if e["reason"] == "FailedCreate"]
            return events and events[0]["count"] >= 2 and events[0]
        event = await c.until(warned, what="an aggregated FailedCreate event")
        assert event["type"] == "Warning" and event["involvedObject"]["kind"] == "StatefulSet"
        assert event["source"] == {"component": "statefulset-controller"}
        assert event["message"].startswith("create Pod pg-0 in StatefulSet pg failed error: ")
        assert 'serviceaccount "missing" not found' in event["message"]
        assert c.names(POD) == []
