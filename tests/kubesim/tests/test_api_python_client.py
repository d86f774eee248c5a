"""Fidelity: the official Kubernetes Python client (Debian's python3-kubernetes) against
kubesim: list with selectors and pagination, watch with resume and 410, patches, apply."""
from __future__ import annotations

import json

import pytest

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client, config, dynamic, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402


@pytest.fixture(scope="module")
def api(kubesim_cluster):
    return config.new_client_from_config(config_file=kubesim_cluster.kubeconfig)


def _cm(name, labels=None, data=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels),
                              data=data or {})


def test_list_with_label_selector_and_pages(kubesim_cluster, api):
    ns = kubesim_cluster.namespace()
    core = client.CoreV1Api(api)
    for i in range(7):
        core.create_namespaced_config_map(ns, _cm(f"c{i}", {"app": "pg", "odd": str(i % 2)}))
    got = core.list_namespaced_config_map(ns, label_selector="app=pg,odd in (1)")
    assert [i.metadata.name for i in got.items] == ["c1", "c3", "c5"]
    names, token = [], None
    first = core.list_namespaced_config_map(ns, label_selector="app", limit=3)
    assert first.metadata.remaining_item_count == 4
    page = first
    while True:
        names += [i.metadata.name for i in page.items]
        assert page.metadata.resource_version == first.metadata.resource_version
        token = page.metadata._continue
        if not token:
            break
        page = core.list_namespaced_config_map(ns, label_selector="app", limit=3,
                                               _continue=token)
    assert names == [f"c{i}" for i in range(7)]
    with pytest.raises(ApiException) as e:
        core.list_namespaced_config_map(ns, field_selector="data.a=1")
    assert e.value.status == 400 and "field label not supported: data.a" in e.value.body


def test_watch_with_resume(kubesim_cluster, api):
    ns = kubesim_cluster.namespace()
    core = client.CoreV1Api(api)
    lst = core.list_namespaced_config_map(ns, label_selector="w=1")
    rv = lst.metadata.resource_version
    core.create_namespaced_config_map(ns, _cm("a", {"w": "1"}))
    core.patch_namespaced_config_map("a", ns, {"data": {"k": "v"}})
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, ns, label_selector="w=1",
                       resource_version=rv, timeout_seconds=5):
        seen.append((ev["type"], ev["object"].metadata.name, ev["object"].data))
        if len(seen) == 2:
            w.stop()
    assert seen == [("ADDED", "a", None), ("MODIFIED", "a", {"k": "v"})]
    # Resume from the last event's resourceVersion: only later changes arrive.
    last = w.resource_version
    core.delete_namespaced_config_map("a", ns)
    for ev in w.stream(core.list_namespaced_config_map, ns, label_selector="w=1",
                       resource_version=last, timeout_seconds=5):
        assert (ev["type"], ev["object"].metadata.name) == ("DELETED", "a")
        w.stop()


def test_watch_from_compacted_resource_version_is_410(tmp_path):
    from kubesim_fixture import Cluster
    c = Cluster.up(str(tmp_path), "--watch-window", "5")
    try:
        api = config.new_client_from_config(config_file=c.kubeconfig)
        core = client.CoreV1Api(api)
        ns = c.namespace()
        first = core.create_namespaced_config_map(ns, _cm("c0"))
        for i in range(1, 8):
            core.create_namespaced_config_map(ns, _cm(f"c{i}"))
        with pytest.raises(ApiException) as e:
            for _ in watch.Watch().stream(core.list_namespaced_config_map, ns,
                                          resource_version=first.metadata.resource_version,
                                          timeout_seconds=5):
                pass
        assert e.value.status == 410
        status, _, body = c.api("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&"
                                       f"resourceVersion={first.metadata.resource_version}",
                                raw=True)
        ev = json.loads(body.decode().splitlines()[0])
        assert status == 200 and ev["type"] == "ERROR"
        assert ev["object"]["reason"] == "Expired" and ev["object"]["code"] == 410
        assert ev["object"]["message"].startswith(
            f"too old resource version: {first.metadata.resource_version} (")
    finally:
        c.down()


def test_patch_kinds(kubesim_cluster, api):
    ns = kubesim_cluster.namespace()
    apps = client.AppsV1Api(api)
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "pool"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "pool"}},
                    "template": {"metadata": {"labels": {"app": "pool"}}, "spec": {
                        "containers": [
                            {"name": "pgpool", "image": "pgpool/pgpool:4.5",
                             "env": [{"name": "A", "value": "1"}]},
                            {"name": "exporter", "image": "exporter:1"}]}}}}
    apps.create_namespaced_deployment(ns, dep)
    # strategic merge (the client's default for a dict body): containers merge by name.
    out = apps.patch_namespaced_deployment("pool", ns, {"spec": {"template": {"spec": {
        "containers": [{"name": "pgpool", "env": [{"name": "B", "value": "2"}]}]}}}})
    c0 = out.spec.template.spec.containers
    assert [c.name for c in c0] == ["pgpool", "exporter"]
    assert [(e.name, e.value) for e in c0[0].env] == [("A", "1"), ("B", "2")]
    assert out.metadata.generation == 2
    # JSON patch (a list body).
    out = apps.patch_namespaced_deployment("pool", ns, [
        {"op": "replace", "path": "/spec/replicas", "value": 2},
        {"op": "test", "path": "/spec/template/spec/containers/1/name", "value": "exporter"}])
    assert out.spec.replicas == 2
    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("pool", ns, [
            {"op": "test", "path": "/spec/replicas", "value": 9}])
    assert e.value.status == 422
    # Optimistic concurrency: a stale resourceVersion in a patch is a 409.
    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("pool", ns, {"metadata": {"resourceVersion": "1"},
                                                       "spec": {"replicas": 3}})
    assert e.value.status == 409 and "the object has been modified" in e.value.body


def test_server_side_apply_with_dynamic_client(kubesim_cluster, api):
    ns = kubesim_cluster.namespace()
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "leader", "namespace": ns}, "data": {"a": "1"}}
    # python3-kubernetes 22 sends an apply patch only as a serialized body (str).
    out = cms.server_side_apply(body=json.dumps(body), name="leader", namespace=ns,
                                field_manager="py")
    assert out.data.a == "1"
    entries = out.metadata.managedFields
    assert [(e.manager, e.operation) for e in entries] == [("py", "Apply")]
    body["data"] = {"a": "2"}
    with pytest.raises(ApiException) as e:
        cms.server_side_apply(body=json.dumps(body), name="leader", namespace=ns,
                              field_manager="other")
    assert e.value.status == 409
    out = cms.server_side_apply(body=json.dumps(body), name="leader", namespace=ns,
                                field_manager="other", force_conflicts=True)
    assert out.data.a == "2"
