"""Deployment -> ReplicaSet -> Pods, and Jobs, against the Store with the virtual kubelet."""
from controllers_harness import DEPLOY, EV, JOB, RS, SA, Cluster, deployment, run


def conditions(obj) -> dict:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or ()}


def rollout_done(c, name) -> bool:
    """kubectl's DeploymentStatusViewer condition (KC pkg/polymorphichelpers/rollout_status.go)."""
    d = c.get(DEPLOY, name)
    st = d.get("status") or {}
    want = d["spec"]["replicas"]
    return (st.get("observedGeneration", 0) >= d["metadata"]["generation"]
            and st.get("updatedReplicas", 0) == want and st.get("replicas", 0) == want
            and st.get("availableReplicas", 0) == want)


@run
async def test_deployment_creates_replicaset_and_pods_with_template_hash():
    async with Cluster(ready_delay=0.02) as c:
        c.create(DEPLOY, deployment("pool", 3))
        await c.until(lambda: rollout_done(c, "pool"), what="rollout")
        [rs] = c.store.list(RS, "db")[0]
        h = rs["metadata"]["labels"]["pod-template-hash"]
        assert rs["metadata"]["name"] == f"pool-{h}"
        assert rs["spec"]["selector"]["matchLabels"] == {"app": "pool", "pod-template-hash": h}
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "4"
        pods = c.pods()
        assert len(pods) == 3
        assert all(p["metadata"]["name"].startswith(f"pool-{h}-") for p in pods)
        assert all(p["metadata"]["labels"]["pod-template-hash"] == h for p in pods)
        d = c.get(DEPLOY, "pool")
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
        conds = conditions(d)
        assert conds["Available"]["status"] == "True"
        assert conds["Available"]["reason"] == "MinimumReplicasAvailable"
        assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
        assert conds["Progressing"]["message"] == f'ReplicaSet "pool-{h}" has successfully progressed.'


@run
async def test_rolling_update_respects_max_surge_and_max_unavailable():
    async with Cluster(ready_delay=0.03, termination_seconds=0.03) as c:
        c.create(DEPLOY, deployment("pool", 4, strategy={
            "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}))
        await c.until(lambda: rollout_done(c, "pool"), what="first rollout")
        await c.settle()
        c.events.clear()
        live = {f"db/{p['metadata']['name']}": p for p in c.pods()}
        d = c.store.get(DEPLOY, "db", "pool")
        d["spec"]["template"]["spec"]["containers"][0]["image"] = "pgpool:5"
        c.store.update(DEPLOY, d)
        await c.until(lambda: rollout_done(c, "pool") and
                      c.get(DEPLOY, "pool")["status"].get("observedGeneration") == 2,
                      what="second rollout")
        # Replay pod events: never more than replicas + maxSurge pods (terminating ones
        # aside, as in Kubernetes), never fewer than replicas - maxUnavailable ready ones.
        most, fewest_ready = 0, 4
        for t, kind, key, o in c.events:
            if kind != "Pod":
                continue
            if t == "DELETED":
                live.pop(key, None)
            else:
                live[key] = o
            most = max(most, sum(1 for p in live.values()
                                 if not p["metadata"].get("deletionTimestamp")))
            ready = sum(1 for p in live.values()
                        if not p["metadata"].get("deletionTimestamp") and any(
                            x["type"] == "Ready" and x["status"] == "True"
                            for x in (p.get("status") or {}).get("conditions") or ()))
            fewest_ready = min(fewest_ready, ready)
        assert most <= 5 and fewest_ready >= 4
        rss = sorted(c.store.list(RS, "db")[0],
                     key=lambda r: r["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
        assert [r["spec"]["replicas"] for r in rss] == [0, 4]
        assert {p["spec"]["containers"][0]["image"] for p in c.pods()
                if not p["metadata"].get("deletionTimestamp")} == {"pgpool:5"}
        assert c.get(DEPLOY, "pool")["metadata"]["annotations"][
            "deployment.kubernetes.io/revision"] == "2"


@run
async def test_recreate_waits_for_old_pods_and_scaling_follows_the_deployment():
    async with Cluster(termination_seconds=0.05) as c:
        c.create(DEPLOY, deployment("pool", 2, strategy={"type": "Recreate"}))
        await c.until(lambda: rollout_done(c, "pool"), what="rollout")
        c.events.clear()
        d = c.store.get(DEPLOY, "db", "pool")
        d["spec"]["template"]["spec"]["containers"][0]["image"] = "pgpool:5"
        c.store.update(DEPLOY, d)
        await c.until(lambda: rollout_done(c, "pool")
                      and c.get(DEPLOY, "pool")["status"]["observedGeneration"] == 2, what="2")
        pod_events = [(t, o["spec"]["containers"][0]["image"]) for t, kind, _, o in c.events
                      if kind == "Pod" and t in ("ADDED", "DELETED")]
        first_new = pod_events.index(("ADDED", "pgpool:5"))
        assert [e for e in pod_events[:first_new]] == [("DELETED", "pgpool:4")] * 2
        c.patch_spec(DEPLOY, "pool", replicas=5)
        await c.until(lambda: rollout_done(c, "pool") and len(c.pods()) == 5, what="scale up")
        c.patch_spec(DEPLOY, "pool", replicas=1)
        await c.until(lambda: rollout_done(c, "pool") and len(c.pods()) == 1, what="scale down")


@run
async def test_deployment_that_cannot_become_available_reports_it():
    async with Cluster() as c:
        dep = deployment("stuck", 1, progressDeadlineSeconds=1)
        dep["spec"]["template"]["metadata"]["annotations"] = {"kubesim.io/ready": "false"}
        c.create(DEPLOY, dep)
        await c.until(lambda: conditions(c.get(DEPLOY, "stuck")).get("Progressing", {}).get(
            "reason") == "ProgressDeadlineExceeded", timeout=5, what="deadline")
        conds = conditions(c.get(DEPLOY, "stuck"))
        assert conds["Progressing"]["status"] == "False"
        assert conds["Available"]["status"] == "False"
        assert c.get(DEPLOY, "stuck")["status"]["unavailableReplicas"] == 1


def job(name, **spec):
    obj = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
           "spec": {"template": {"spec": {"restartPolicy": "Never",
                                          "containers": [{"name": "work", "image": "busybox"}]}}}}
    obj["spec"].update(spec)
    return obj


@run
async def test_job_runs_completions_with_parallelism_and_completes():
    async with Cluster(run_seconds=0.02) as c:
        c.create(JOB, job("backup", completions=3, parallelism=2))
        await c.until(lambda: conditions(c.get(JOB, "backup")).get("Complete"), what="complete")
        j = c.get(JOB, "backup")
        st = j["status"]
        assert st["succeeded"] == 3 and "active" not in st and st["completionTime"]
        assert conditions(j)["Complete"]["status"] == "True"
        assert conditions(j)["SuccessCriteriaMet"]["reason"] == "CompletionsReached"
        pods = c.pods()
        assert len(pods) == 3 and {p["status"]["phase"] for p in pods} == {"Succeeded"}
        assert all(p["metadata"]["labels"]["job-name"] == "backup" for p in pods)
        # Never more than `parallelism` pods running at once.
        running = set()
        most = 0
        for t, kind, key, o in c.events:
            if kind == "Pod":
                if t != "DELETED" and o.get("status", {}).get("phase") in (None, "Pending",
                                                                         "Running"):
                    running.add(key)
                else:
                    running.discard(key)
                most = max(most, len(running))
        assert most == 2


@run
async def test_job_fails_after_backoff_limit():
    async with Cluster(run_seconds=0.02, exit_code=1) as c:
        c.create(JOB, job("restore", backoffLimit=1))
        await c.until(lambda: conditions(c.get(JOB, "restore")).get("Failed"), what="failed")
        j = c.get(JOB, "restore")
        assert conditions(j)["Failed"]["reason"] == "BackoffLimitExceeded"
        assert conditions(j)["FailureTarget"]["status"] == "True"
        assert j["status"]["failed"] == 2 and "Complete" not in conditions(j)


@run
async def test_indexed_job_reports_completed_indexes():
    async with Cluster(run_seconds=0.02) as c:
        c.create(JOB, job("idx", completions=3, parallelism=3, completionMode="Indexed"))
        await c.until(lambda: conditions(c.get(JOB, "idx")).get("Complete"), what="complete")
        assert c.get(JOB, "idx")["status"]["completedIndexes"] == "0-2"
        idx = sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
                     for p in c.pods())
        assert idx == ["0", "1", "2"]
        assert {p["spec"]["hostname"] for p in c.pods()} == {"idx-0", "idx-1", "idx-2"}


@run
async def test_pod_exit_code_annotation_decides_success():
    async with Cluster(run_seconds=0.02) as c:
        j = job("mixed", backoffLimit=0)
        j["spec"]["template"]["metadata"] = {"annotations": {"kubesim.io/exit-code": "3"}}
        c.create(JOB, j)
        await c.until(lambda: conditions(c.get(JOB, "mixed")).get("Failed"), what="failed")
        [pod] = c.pods()
        term = pod["status"]["containerStatuses"][0]["state"]["terminated"]
        assert term["exitCode"] == 3 and term["reason"] == "Error"
        assert pod["status"]["phase"] == "Failed"


@run
async def test_restart_policy_always_restarts_exiting_containers():
    async with Cluster(run_seconds=0.05) as c:
        dep = deployment("crashy", 1)
        dep["spec"]["template"]["metadata"]["annotations"] = {"kubesim.io/exit-code": "2"}
        c.create(DEPLOY, dep)

        def restarted():
            pods = c.pods()
            st = pods and (pods[0].get("status") or {}).get("containerStatuses")
            return st and st[0]["restartCount"] >= 2 and pods[0]
        pod = await c.until(restarted, what="two restarts")
        assert pod["status"]["phase"] == "Running"
        last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
        assert last["exitCode"] == 2 and last["reason"] == "Error"
        assert last["containerID"] != pod["status"]["containerStatuses"][0]["containerID"]


@run
async def test_pods_that_cannot_be_created_surface_as_replica_failure():
    async with Cluster() as c:
        dep = deployment("bad", 1)
        dep["spec"]["template"]["spec"]["serviceAccountName"] = "missing"
        c.create(DEPLOY, dep)

        def failed():
            return conditions(c.get(DEPLOY, "bad")).get("ReplicaFailure")
        cond = await c.until(failed, what="ReplicaFailure")
        assert cond["status"] == "True" and cond["reason"] == "FailedCreate"
        assert 'serviceaccount "missing" not found' in cond["message"]
        [rs] = c.store.list(RS, "db")[0]
        assert conditions(rs)["ReplicaFailure"]["reason"] == "FailedCreate"
        event = [e for e in c.store.list(EV, "db")[0] if e["reason"] == "FailedCreate"][0]
        assert event["message"].startswith("Error creating: ")
        assert event["involvedObject"]["name"] == rs["metadata"]["name"]
        c.create(SA, {"metadata": {"name": "missing"}})
        await c.until(lambda: rollout_done(c, "bad") and "ReplicaFailure" not in conditions(
            c.get(DEPLOY, "bad")), what="recovered")
