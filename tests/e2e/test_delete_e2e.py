"""kubectl pg delete against kubesim, in order on one cluster (`doomed`): refused without
--yes and a terminal; then deleted with the data kept; re-run (idempotent); then the data
and the Namespace removed; then not found. Run: see status_fixtures.py."""
from __future__ import annotations

import json

CREATED = "app.kubernetes.io/instance=doomed,app.kubernetes.io/managed-by=kubectl-pg"
DATA = "app.kubernetes.io/name=postgresql,app.kubernetes.io/instance=doomed"
KINDS = ("statefulsets,deployments,services,configmaps,secrets,serviceaccounts,roles,"
         "rolebindings,poddisruptionbudgets,networkpolicies")


def names(cluster, kinds: str, selector: str) -> list[str]:
    out = cluster.kubectl("get", kinds, "-l", selector, "-o", "json")
    return sorted(f'{i["kind"]}/{i["metadata"]["name"]}' for i in json.loads(out.stdout)["items"])


def test_delete_without_yes_and_no_terminal_is_refused(doomed):
    doomed.wait_healthy()
    before = names(doomed, KINDS, CREATED)
    assert len(before) == 21, before  # 22 rendered, less the Namespace
    out = doomed.pg("delete", "doomed")
    assert out.returncode == 5, out.stderr
    assert "will not delete cluster st-b/doomed" in out.stderr
    assert "pass --yes to confirm" in out.stderr
    assert out.stdout == ""
    assert names(doomed, KINDS, CREATED) == before
    assert len(doomed.pods()) == 3 and len(doomed.pods("pooler")) == 2


def test_delete_keeps_the_data(doomed):
    out = doomed.pg("delete", "doomed", "--yes", timeout=300)
    assert out.returncode == 0, out.stderr
    assert names(doomed, KINDS, CREATED) == []
    assert doomed.get("pods", "app.kubernetes.io/instance=doomed") == []
    claims = names(doomed, "persistentvolumeclaims", DATA)
    assert claims == [f"PersistentVolumeClaim/pgdata-doomed-{i}" for i in range(3)]
    assert "ConfigMap/doomed-config" in names(doomed, "configmaps", DATA)
    assert ("kept 3 PersistentVolumeClaims (pgdata-doomed-0, pgdata-doomed-1, pgdata-doomed-2) "
            "and ") in out.stderr
    assert out.stderr.rstrip().endswith("delete them with --delete-data")
    assert 'statefulsets.apps "doomed" deleted' in out.stdout


def test_delete_again_has_nothing_left_but_the_data(doomed):
    out = doomed.pg("delete", "doomed")
    assert out.returncode == 0, out.stderr
    assert "has nothing left to delete but its data" in out.stderr
    assert len(names(doomed, "persistentvolumeclaims", DATA)) == 3


def test_delete_data_and_the_namespace_create_made(doomed):
    out = doomed.pg("delete", "doomed", "--delete-data", "--delete-namespace", "--yes",
                    timeout=300)
    assert out.returncode == 0, out.stderr
    assert 'persistentvolumeclaims "pgdata-doomed-0" deleted' in out.stdout
    assert 'configmaps "doomed-config" deleted' in out.stdout
    assert 'namespaces "st-b" deleted' in out.stdout
    gone = doomed.kube.kubectl("get", "namespace", "st-b", check=False)
    assert gone.returncode == 1 and "NotFound" in gone.stderr


def test_delete_a_missing_cluster_is_not_found(doomed):
    out = doomed.pg("delete", "doomed", "--yes")
    assert out.returncode == 1
    assert 'cluster "doomed" not found in namespace "st-b"' in out.stderr
