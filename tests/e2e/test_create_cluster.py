"""`kubectl pg create` against kubesim with real Patroni, PostgreSQL and pgpool-II:
the cluster comes up (one leader, every replica streaming, SQL through pgpool over
TLS), a re-run is a no-op that keeps the passwords, --dry-run=server changes nothing,
a field another manager took over needs --force-conflicts, and the real kubectl sees
everything. The cluster is created once (create_fixtures.created) and shared."""
from __future__ import annotations

import json
import subprocess

from create_fixtures import created, kube  # noqa: F401 (pytest fixtures)
from create_fixtures import (KUBECTL_PG, MEMBERS, NAME, NAMESPACE, PGPOOL, object_lines,
                             run_pg)
from kubesim_fixture import wait_for

EXPECTED_OBJECTS = {
    "namespace/shop", "networkpolicy.networking.k8s.io/orders",
    "poddisruptionbudget.policy/orders", "poddisruptionbudget.policy/orders-pgpool",
    "serviceaccount/orders-patroni", "secret/orders-superuser", "secret/orders-replication",
    "secret/orders-patroni-api", "secret/orders-pgpool", "secret/orders-pgpool-admin",
    "secret/orders-tls", "configmap/orders-patroni-settings", "configmap/orders-pgpool",
    "configmap/orders-spec", "role.rbac.authorization.k8s.io/orders-patroni",
    "rolebinding.rbac.authorization.k8s.io/orders-patroni", "service/orders-headless",
    "service/orders-primary", "service/orders-replica", "service/orders-pgpool",
    "statefulset.apps/orders", "deployment.apps/orders-pgpool",
}


def _versions(created) -> dict[str, str]:
    """What create's own objects look like to the server, by kind/name: the
    resourceVersion of objects no controller writes, the generation (spec changes) of
    those whose status controllers keep writing (StatefulSet, Deployment, PDB)."""
    kinds = "namespace,networkpolicy,poddisruptionbudget,serviceaccount,secret,configmap,role," \
            "rolebinding,service,statefulset,deployment"
    items = created.get_json(kinds, "-l", f"app.kubernetes.io/instance={NAME}")["items"]
    out = {}
    for i in items:
        ref = f"{i['kind'].lower()}/{i['metadata']['name']}"
        if not any(e.split(".")[0] == ref.split("/")[0] and e.endswith("/" + i["metadata"]["name"])
                   for e in EXPECTED_OBJECTS):
            continue  # Patroni's own ConfigMaps (leader lock, config) carry the label too
        status_written = i["kind"] in ("StatefulSet", "Deployment", "PodDisruptionBudget")
        out[ref] = str(i["metadata"]["generation"]) if status_written \
            else i["metadata"]["resourceVersion"]
    return out


def test_create_applies_every_object_in_dependency_order_and_waits(created):
    lines = object_lines(created.result.stdout)
    assert set(lines) == EXPECTED_OBJECTS
    assert set(lines.values()) == {"created"}
    order = list(lines)
    assert order[0] == "namespace/shop"
    assert order.index("networkpolicy.networking.k8s.io/orders") < order.index("statefulset.apps/orders")
    assert order.index("secret/orders-tls") < order.index("statefulset.apps/orders")
    assert f"cluster {NAMESPACE}/{NAME} is ready" in created.result.stdout
    assert f"replicas streaming {MEMBERS - 1}/{MEMBERS - 1}" in created.result.stdout
    # not a terminal: progress is timestamped lines on stderr
    assert "members ready" in created.result.stderr
    assert "Z objects applied" in created.result.stderr


def test_members_ready_one_leader_every_replica_streaming(created):
    members = created.pods("database")
    assert len(members) == MEMBERS
    assert all(any(c["type"] == "Ready" and c["status"] == "True"
                   for c in p["status"]["conditions"]) for p in members)
    leaders = created.leaders()
    assert len(leaders) == 1
    replicas = sorted(p["metadata"]["name"] for p in members if p["metadata"]["name"] != leaders[0])
    streaming = created.sql(leaders[0], "select application_name from pg_stat_replication "
                                        "where state = 'streaming' order by 1")
    assert streaming.split() == replicas
    assert len([p for p in created.pods("pooler")]) == PGPOOL


def test_a_row_written_through_pgpool_is_on_every_member(created):
    leader = created.leaders()[0]
    write = created.sql_via_pgpool(
        leader, "create table if not exists e2e_probe(id int primary key, note text); "
                "insert into e2e_probe values (1, 'through pgpool') on conflict do nothing; "
                "select pg_is_in_recovery()")
    assert write.returncode == 0, write.stderr
    assert write.stdout.strip().splitlines()[-1] == "f"  # the write reached the primary
    for pod in created.pods("database"):
        name = pod["metadata"]["name"]
        # replicas replay asynchronously: poll each with a deadline
        row = wait_for(lambda: created.sql(name, "select note from e2e_probe where id = 1", check=False),
                       timeout=30, interval=0.5, what=f"the row on {name}")
        assert row == "through pgpool", f"{name}: {row!r}"


def test_pgpool_serves_tls_and_rejects_plain_connections(created):
    leader = created.leaders()[0]
    plain = created.sql_via_pgpool(leader, "select 1", sslmode="disable")
    assert plain.returncode != 0 and "SSL off" in plain.stderr
    ssl = created.sql_via_pgpool(leader, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")
    assert ssl.returncode == 0 and ssl.stdout.strip() == "t", ssl.stderr  # pgpool -> member: TLS


def test_recreate_is_a_no_op_and_keeps_passwords(created):
    before = _versions(created)
    secrets = {n: created.get_json("secret", n)["data"] for n in
               (f"{NAME}-superuser", f"{NAME}-replication", f"{NAME}-tls")}
    again = run_pg(created.kube, "create", NAME, "-n", NAMESPACE, "--members", str(MEMBERS),
                   "--pgpool-replicas", str(PGPOOL), "--storage-size", "1Gi", "--wait=false")
    assert again.returncode == 0, again.stderr
    lines = object_lines(again.stdout)
    assert set(lines) == EXPECTED_OBJECTS
    assert set(lines.values()) == {"unchanged"}, again.stdout
    assert "secret/orders-superuser unchanged (exists: kept" in again.stdout
    assert _versions(created) == before
    for name, data in secrets.items():
        assert created.get_json("secret", name)["data"] == data


def test_stored_spec_reloads_as_the_same_cluster(created):
    stored = created.get_json("configmap", f"{NAME}-spec")["data"]["spec.yaml"]
    assert "kind: PostgresCluster" in stored and f"members: {MEMBERS}" in stored
    rendered = subprocess.run([KUBECTL_PG, "create", "-f", "-", "--dry-run=client", "-o", "json"],
                              input=stored, capture_output=True, text=True, check=True)
    names = {f"{o['kind']}/{o['metadata']['name']}" for o in json.loads(rendered.stdout)["items"]}
    assert f"StatefulSet/{NAME}" in names and f"ConfigMap/{NAME}-spec" in names


def test_dry_run_server_answers_and_changes_nothing(created):
    before = _versions(created)
    out = run_pg(created.kube, "create", NAME, "-n", NAMESPACE, "--members", "5",
                 "--pgpool-replicas", str(PGPOOL), "--storage-size", "1Gi",
                 "--dry-run=server", "-o", "json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)["items"]
    assert len(items) == len(EXPECTED_OBJECTS)
    sts = next(i for i in items if i["kind"] == "StatefulSet")
    assert sts["spec"]["replicas"] == 5  # the server's answer, defaulted
    assert sts["spec"]["podManagementPolicy"] == "OrderedReady"
    secret = next(i for i in items if i["kind"] == "Secret")
    assert set(secret["data"].values()) == {"d2l0aGhlbGQtcmVydW4td2l0aC1zaG93LXNlY3JldHM="}
    assert "withheld the secret data" in out.stderr
    assert _versions(created) == before
    assert created.get_json("statefulset", NAME)["spec"]["replicas"] == MEMBERS


def test_a_field_owned_by_another_manager_needs_force_conflicts(created):
    spec = created.get_json("configmap", f"{NAME}-spec")["data"]["spec.yaml"]
    other = {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": f"{NAME}-spec", "namespace": NAMESPACE},
             "data": {"spec.yaml": spec + "# edited by hand\n"}}
    created.kube.kubectl("apply", "--server-side", "--field-manager=hand-edit",
                         "--force-conflicts", "-f", "-", input=json.dumps(other))
    conflict = run_pg(created.kube, "create", NAME, "-n", NAMESPACE, "--members", str(MEMBERS),
                      "--pgpool-replicas", str(PGPOOL), "--storage-size", "1Gi", "--wait=false")
    assert conflict.returncode == 1
    assert "hand-edit" in conflict.stderr and "--force-conflicts" in conflict.stderr
    assert "not applied: configmap/orders-spec" in conflict.stderr
    forced = run_pg(created.kube, "create", NAME, "-n", NAMESPACE, "--members", str(MEMBERS),
                    "--pgpool-replicas", str(PGPOOL), "--storage-size", "1Gi", "--wait=false",
                    "--force-conflicts")
    assert forced.returncode == 0, forced.stderr
    assert object_lines(forced.stdout)["configmap/orders-spec"] == "configured"
    assert created.get_json("configmap", f"{NAME}-spec")["data"]["spec.yaml"] == spec


def test_the_real_kubectl_inspects_everything(created):
    out = created.kubectl("get", "all,pvc,secret,configmap,networkpolicy,pdb", "-o", "name")
    names = set(out.stdout.split())
    for expected in ("statefulset.apps/orders", "deployment.apps/orders-pgpool",
                     "service/orders-pgpool", "pod/orders-0", "pod/orders-2",
                     "persistentvolumeclaim/pgdata-orders-0", "secret/orders-tls",
                     "configmap/orders-spec"):
        assert expected in names, f"{expected} missing from kubectl get: {sorted(names)}"
    described = created.kubectl("describe", "statefulset", NAME)
    assert "kubectl-pg" in described.stdout


def test_patroni_api_through_the_pod_proxy_guards_unsafe_endpoints(created):
    """The NetworkPolicy admits 8008 for the pod proxy; Patroni's safe endpoints answer,
    the unsafe ones want the <name>-patroni-api credentials (basic auth)."""
    leader = created.leaders()[0]
    base = f"/api/v1/namespaces/{NAMESPACE}/pods/{leader}:8008/proxy"
    status, _, body = created.kube.api("GET", f"{base}/cluster")
    assert status == 200 and len(body["members"]) == MEMBERS
    status, _, _ = created.kube.api("POST", f"{base}/restart", body={})
    assert status == 401
    policy = created.get_json("networkpolicy", NAME)
    assert {"ports": [{"protocol": "TCP", "port": 8008}]} in policy["spec"]["ingress"]
