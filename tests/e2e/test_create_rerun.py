"""Re-running `kubectl pg create` on an existing cluster, against the shared kubesim:
without -f the stored spec (ConfigMap <name>-spec) is the base and flags change only
what they name; a change the running cluster cannot take (volumeClaimTemplates) is
refused before anything is sent; the namespace defaults to the kubeconfig context's.
The cluster runs a sleeper image (it never becomes ready): only the objects matter."""
from __future__ import annotations

import json
import os
import shutil

from create_fixtures import kube  # noqa: F401 (pytest fixtures)
from create_fixtures import object_lines, run_pg

NS = "rerun"
FIRST = ["create", "rerun", "-n", NS, "--members", "1", "--pgpool-replicas", "1",
         "--storage-size", "1Gi", "--spilo-image", "registry.example.com/not-spilo:1",
         "--wait=false"]


def _statefulset(kube) -> dict:
    return json.loads(kube.kubectl("get", "statefulset", "rerun", "-n", NS, "-o", "json").stdout)


def _stored_spec(kube) -> str:
    return kube.kubectl("get", "configmap", "rerun-spec", "-n", NS, "-o",
                        r"jsonpath={.data.spec\.yaml}").stdout


def test_rerun_uses_the_stored_spec_and_refuses_immutable_changes(kube):
    try:
        first = run_pg(kube, *FIRST)
        assert first.returncode == 0, first.stderr
        assert "using its stored spec" not in first.stderr

        # Only --members given: the image, storage and pgpool of the first run stay.
        scaled = run_pg(kube, "create", "rerun", "-n", NS, "--members", "2", "--wait=false")
        assert scaled.returncode == 0, scaled.stderr
        assert "cluster rerun/rerun exists: using its stored spec (configmap rerun/rerun-spec)" \
            in scaled.stderr
        actions = object_lines(scaled.stdout)
        assert actions["statefulset.apps/rerun"] == "configured"
        assert actions["deployment.apps/rerun-pgpool"] == "unchanged"
        sts = _statefulset(kube)
        assert sts["spec"]["replicas"] == 2
        assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == \
            "registry.example.com/not-spilo:1"
        claim = sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]
        assert claim["storage"] == "1Gi"
        assert "members: 2" in _stored_spec(kube)

        # No flags: the same cluster again, nothing changes.
        again = run_pg(kube, "create", "rerun", "-n", NS, "--wait=false")
        assert again.returncode == 0, again.stderr
        assert set(object_lines(again.stdout).values()) == {"unchanged"}, again.stdout

        # The volume size is in volumeClaimTemplates: refused, nothing sent.
        before = _stored_spec(kube)
        resized = run_pg(kube, "create", "rerun", "-n", NS, "--storage-size", "2Gi",
                         "--wait=false")
        assert resized.returncode == 2, resized.stderr
        assert "cluster rerun/rerun exists and this change cannot be applied to it " \
               "(nothing was applied)" in resized.stderr
        assert "spec.storage.size: 1Gi -> 2Gi" in resized.stderr
        assert resized.stdout == ""
        assert _stored_spec(kube) == before

        # A bootstrap-only setting is applied to the manifests, with a warning.
        tuned = run_pg(kube, "create", "rerun", "-n", NS, "--parameter", "work_mem=64MB",
                       "--wait=false")
        assert tuned.returncode == 0, tuned.stderr
        assert "warning: spec.postgresql.parameters: (none) -> work_mem=64MB: Patroni " \
               "applies it only when the cluster is first bootstrapped" in tuned.stderr
    finally:
        kube.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def test_namespace_defaults_to_the_kubeconfig_context(kube, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    shutil.copy(kube.kubeconfig, kubeconfig)
    kube.kubectl("--kubeconfig", str(kubeconfig), "config", "set-context", "--current",
                 "--namespace", "from-context")
    env = dict(kube.env(), KUBECONFIG=str(kubeconfig))
    assert _rendered_namespaces(kube, env) == {"from-context"}
    # with no kubeconfig at all, --dry-run=client still renders, in "default"
    assert _rendered_namespaces(kube, dict(kube.env(), KUBECONFIG=os.devnull)) == {"default"}


def _rendered_namespaces(kube, env: dict) -> set[str]:
    rendered = run_pg(kube, "create", "ctx", "--dry-run=client", "-o", "json", env=env)
    assert rendered.returncode == 0, rendered.stderr
    items = json.loads(rendered.stdout)["items"]
    return {o["metadata"]["namespace"] for o in items if o["kind"] != "Namespace"}
