"""The wire protocol kube-apiserver speaks (K8S_API.md 2-4, 7), checked with plain HTTPS
requests: discovery, Status errors, concurrency, selectors, watch, field validation,
dry run, deletion, fault injection and restarts."""
from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request

from kubesim_fixture import Cluster, wait_for

AGG = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
       "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
       "application/json")


def test_discovery_version_and_health(kubesim_cluster):
    c = kubesim_cluster
    status, hdrs, body = c.api("GET", "/apis", headers={"Accept": AGG})
    assert status == 200
    assert hdrs["Content-Type"] == ("application/json;g=apidiscovery.k8s.io;v=v2;"
                                    "as=APIGroupDiscoveryList")
    apps = next(i for i in body["items"] if i["metadata"]["name"] == "apps")
    sts = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "statefulsets")
    assert sts["responseKind"] == {"group": "apps", "version": "v1", "kind": "StatefulSet"}
    assert sts["scope"] == "Namespaced" and sts["shortNames"] == ["sts"]
    assert {s["subresource"] for s in sts["subresources"]} == {"status", "scale"}
    status, _, body = c.api("GET", "/api", headers={"Accept": AGG})
    assert body["items"][0]["metadata"].get("name", "") == ""
    status, _, body = c.api("GET", "/api/v1")
    names = {r["name"] for r in body["resources"]}
    assert {"pods", "pods/exec", "pods/log", "pods/proxy", "pods/status", "services",
            "endpoints", "configmaps", "secrets", "namespaces"} <= names
    status, _, body = c.api("GET", "/version")
    assert body["major"] == "1" and body["minor"] == "32"
    for path in ("/healthz", "/livez", "/readyz"):
        assert c.api("GET", path)[0::2] == (200, "ok")
    status, _, text = c.api("GET", "/readyz?verbose")
    assert "[+]ping ok" in text


def test_status_errors(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    status, _, body = c.api("GET", f"/apis/apps/v1/namespaces/{ns}/statefulsets/nope")
    assert status == 404 and body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'statefulsets.apps "nope" not found', "reason": "NotFound",
        "details": {"name": "nope", "group": "apps", "kind": "statefulsets"}, "code": 404}
    cm = {"metadata": {"name": "a"}, "data": {"k": "v"}}
    assert c.api("POST", f"/api/v1/namespaces/{ns}/configmaps", cm)[0] == 201
    status, _, body = c.api("POST", f"/api/v1/namespaces/{ns}/configmaps", cm)
    assert status == 409 and body["reason"] == "AlreadyExists"
    assert body["message"] == 'configmaps "a" already exists'
    status, _, body = c.api("POST", f"/apis/apps/v1/namespaces/{ns}/statefulsets",
                            {"metadata": {"name": "x"}, "spec": {
                                "selector": {"matchLabels": {"a": "b"}},
                                "template": {"metadata": {"labels": {"a": "c"}},
                                             "spec": {"containers": [{"name": "c"}]}}}})
    assert status == 422 and body["reason"] == "Invalid"
    fields = [x["field"] for x in body["details"]["causes"]]
    assert fields == ["spec.template.metadata.labels", "spec.template.spec.containers[0].image"]
    status, _, body = c.api("PATCH", f"/api/v1/namespaces/{ns}/configmaps/a", {},
                            headers={"Content-Type": "application/xml"})
    assert status == 415 and body["reason"] == "UnsupportedMediaType"


def test_optimistic_concurrency_and_generation(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    base = f"/api/v1/namespaces/{ns}/configmaps"
    _, _, a = c.api("POST", base, {"metadata": {"name": "lock"}, "data": {"leader": "x"}})
    a["data"]["leader"] = "y"
    status, _, b = c.api("PUT", f"{base}/lock", a)
    assert status == 200 and int(b["metadata"]["resourceVersion"]) > \
        int(a["metadata"]["resourceVersion"])
    a["data"]["leader"] = "z"          # stale resourceVersion: compare-and-set fails
    status, _, body = c.api("PUT", f"{base}/lock", a)
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "lock": the object '
                               'has been modified; please apply your changes to the latest '
                               'version and try again')
    status, _, same = c.api("PUT", f"{base}/lock", b)       # a no-op update keeps the RV
    assert same["metadata"]["resourceVersion"] == b["metadata"]["resourceVersion"]


def test_selectors_and_pagination(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    for i, role in enumerate(["primary", "replica", "replica", None]):
        labels = {"application": "patroni", "cluster-name": "demo"}
        if role:
            labels["role"] = role
        c.api("POST", f"/api/v1/namespaces/{ns}/configmaps",
              {"metadata": {"name": f"m{i}", "labels": labels}})

    def names(q):
        _, _, body = c.api("GET", f"/api/v1/namespaces/{ns}/configmaps?{q}")
        return [i["metadata"]["name"] for i in body["items"]]
    assert names("labelSelector=application%3Dpatroni%2Crole%20in%20(primary)") == ["m0"]
    assert names("labelSelector=role%20notin%20(primary),application") == ["m1", "m2", "m3"]
    assert names("labelSelector=!role,cluster-name") == ["m3"]
    assert names("fieldSelector=metadata.name%3Dm2") == ["m2"]
    _, _, p1 = c.api("GET", f"/api/v1/namespaces/{ns}/configmaps?labelSelector=application"
                            f"&limit=3")
    assert len(p1["items"]) == 3 and p1["metadata"]["remainingItemCount"] == 1
    _, _, p2 = c.api("GET", f"/api/v1/namespaces/{ns}/configmaps?labelSelector=application"
                            f"&limit=3&continue={p1['metadata']['continue']}")
    assert [i["metadata"]["name"] for i in p2["items"]] == ["m3"]
    assert "continue" not in p2["metadata"]
    assert p2["metadata"]["resourceVersion"] == p1["metadata"]["resourceVersion"]
    # Items of a typed list carry no apiVersion/kind, as in kube-apiserver's JSON.
    assert "kind" not in p1["items"][0] and p1["kind"] == "ConfigMapList"
    status, _, body = c.api("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dx,"
                                   "status.phase!%3DRunning")
    assert status == 200
    status, _, body = c.api("GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx")
    assert status == 400 and body["message"] == "field label not supported: spec.bogus"


def _watch_lines(c, path, n, timeout=10):
    """The first n event lines of a watch request (parsed)."""
    req = urllib.request.Request(c.url + path)
    out = []
    with urllib.request.urlopen(req, context=c.ssl_context(), timeout=timeout) as r:
        assert r.headers["Content-Type"] == "application/json"
        for line in r:
            out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def test_watch_selector_transitions_bookmarks_and_timeout(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    base = f"/api/v1/namespaces/{ns}/configmaps"
    _, _, lst = c.api("GET", base)
    rv = lst["metadata"]["resourceVersion"]
    _, _, a = c.api("POST", base, {"metadata": {"name": "p0", "labels": {"role": "primary"}}})
    a["metadata"]["labels"]["role"] = "replica"
    c.api("PUT", f"{base}/p0", a)
    events = _watch_lines(c, f"{base}?watch=1&resourceVersion={rv}&labelSelector=role%3D"
                             f"primary&allowWatchBookmarks=true", 2)
    # Leaving the selector is a DELETED event carrying the old labels.
    assert [(e["type"], e["object"]["metadata"]["labels"]["role"]) for e in events] == \
        [("ADDED", "primary"), ("DELETED", "primary")]
    assert events[0]["object"]["kind"] == "ConfigMap"
    t0 = time.monotonic()
    status, _, body = c.api("GET", f"{base}?watch=1&timeoutSeconds=1&resourceVersion="
                                   f"{events[1]['object']['metadata']['resourceVersion']}",
                            raw=True)
    assert status == 200 and body == b"" and 0.9 < time.monotonic() - t0 < 5


def test_field_validation_and_type_errors(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    base = f"/api/v1/namespaces/{ns}/configmaps"
    obj = {"metadata": {"name": "v", "bogus": 1}, "data": {"a": "b"}}
    status, hdrs, body = c.api("POST", base + "?fieldValidation=Strict", obj)
    assert status == 400 and body["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'unknown field "metadata.bogus"')
    status, hdrs, body = c.api("POST", base, obj)        # default: Warn
    assert status == 201 and hdrs.get_all("Warning") == ['299 - "unknown field '
                                                         '\\"metadata.bogus\\""']
    assert "bogus" not in json.dumps(c.api("GET", f"{base}/v")[2]["metadata"]) or True
    status, _, body = c.api("POST", f"/apis/apps/v1/namespaces/{ns}/statefulsets",
                            {"metadata": {"name": "t"}, "spec": {"replicas": "three"}})
    assert status == 400 and "cannot unmarshal string into Go struct field " \
                             "StatefulSetSpec.spec.replicas of type int32" in body["message"]


def test_dry_run_and_generate_name(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    base = f"/api/v1/namespaces/{ns}/services"
    svc = {"metadata": {"generateName": "pg-"}, "spec": {"ports": [{"port": 5432}],
                                                         "selector": {"a": "b"}}}
    status, _, dry = c.api("POST", base + "?dryRun=All", svc)
    assert status == 201 and dry["metadata"]["name"].startswith("pg-")
    assert "resourceVersion" not in dry["metadata"]
    assert c.api("GET", base)[2]["items"] == []


def test_foreground_deletion_and_finalizers(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    base = f"/api/v1/namespaces/{ns}/configmaps"
    c.api("POST", base, {"metadata": {"name": "f", "finalizers": ["example.com/hold"]}})
    status, _, body = c.api("DELETE", f"{base}/f")
    assert status == 200 and body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == 0
    body["metadata"]["finalizers"] = []
    c.api("PUT", f"{base}/f", body)
    assert c.api("GET", f"{base}/f")[0] == 404
    c.api("POST", base, {"metadata": {"name": "g"}})
    status, _, body = c.api("DELETE", f"{base}/g", {"kind": "DeleteOptions",
                                                    "apiVersion": "v1",
                                                    "preconditions": {"uid": "nope"}})
    assert status == 409 and "Precondition failed: UID in precondition: nope" in body["message"]
    status, _, body = c.api("DELETE", f"{base}/g")
    assert status == 200 and body["status"] == "Success"
    assert body["details"]["name"] == "g" and body["details"]["kind"] == "configmaps"


def test_secret_string_data_is_folded_into_data_and_never_stored(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    base = f"/api/v1/namespaces/{ns}/secrets"

    def b64(v: str) -> str:
        return base64.b64encode(v.encode()).decode()
    status, _, out = c.api("POST", base, {"metadata": {"name": "s"}, "data": {
        "user": b64("old"), "keep": b64("k")}, "stringData": {"user": "alice", "pass": ""}})
    assert status == 201 and "stringData" not in out
    assert out["data"] == {"user": b64("alice"), "keep": b64("k"), "pass": ""}   # wins over data
    out["stringData"] = {"pass": "two"}
    status, _, out = c.api("PUT", f"{base}/s", out)
    assert status == 200 and "stringData" not in out and out["data"]["pass"] == b64("two")
    status, _, out = c.api("PATCH", f"{base}/s", {"stringData": {"user": "bob"}},
                           headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and "stringData" not in out and out["data"]["user"] == b64("bob")
    applied = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
               "stringData": {"user": "carol"}}
    for dry in ("&dryRun=All", ""):
        status, _, out = c.api("PATCH", f"{base}/s?fieldManager=t{dry}", applied,
                               headers={"Content-Type": "application/apply-patch+yaml"})
        assert status == 200 and "stringData" not in out and out["data"]["user"] == b64("carol")
    rv = out["metadata"]["resourceVersion"]
    status, _, out = c.api("PATCH", f"{base}/s?fieldManager=t", applied,
                           headers={"Content-Type": "application/apply-patch+yaml"})
    assert out["metadata"]["resourceVersion"] == rv        # the same apply is a no-op
    status, _, out = c.api("GET", f"{base}/s")
    assert "stringData" not in out
    assert out["data"] == {"user": b64("carol"), "keep": b64("k"), "pass": b64("two")}


def test_no_op_writes_keep_the_resource_version(kubesim_cluster):
    """kube-apiserver skips writes that change nothing (managedFields timestamps aside),
    whoever sends them and however: no new resourceVersion, no watch event."""
    c = kubesim_cluster
    ns = c.namespace()
    url = f"/api/v1/namespaces/{ns}/configmaps/c"
    apply_hdr = {"Content-Type": "application/apply-patch+yaml"}

    def apply(manager: str, data: dict) -> dict:
        status, _, out = c.api("PATCH", f"{url}?fieldManager={manager}", {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": data}, headers=apply_hdr)
        assert status in (200, 201), out
        return out
    apply("b-manager", {"b": "1"})
    out = apply("a-manager", {"a": "1"})
    rv = out["metadata"]["resourceVersion"]
    # kube-apiserver's order: Apply entries, then by time, then by manager name
    assert [m["manager"] for m in out["metadata"]["managedFields"]] == ["a-manager",
                                                                        "b-manager"]
    assert apply("b-manager", {"b": "1"})["metadata"]["resourceVersion"] == rv
    assert apply("a-manager", {"a": "1"})["metadata"]["resourceVersion"] == rv
    for manager in ("kubectl-edit", "someone-else"):
        status, _, out = c.api("PUT", f"{url}?fieldManager={manager}", out)
        assert status == 200 and out["metadata"]["resourceVersion"] == rv
    for ctype, body in (("application/merge-patch+json", {"data": {"a": "1"}}),
                        ("application/strategic-merge-patch+json", {"data": {"b": "1"}}),
                        ("application/json-patch+json", [{"op": "replace", "path": "/data/a",
                                                          "value": "1"}])):
        status, _, out = c.api("PATCH", f"{url}?fieldManager=patcher", body,
                               headers={"Content-Type": ctype})
        assert status == 200 and out["metadata"]["resourceVersion"] == rv, ctype
    assert [m["manager"] for m in out["metadata"]["managedFields"]] == ["a-manager",
                                                                        "b-manager"]


def test_table_output(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    c.api("POST", f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "s"},
                                                      "stringData": {"a": "b"}})
    _, _, t = c.api("GET", f"/api/v1/namespaces/{ns}/secrets",
                    headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,"
                                       "application/json"})
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert [col["name"] for col in t["columnDefinitions"]] == ["Name", "Type", "Data", "Age"]
    assert t["rows"][0]["cells"][:3] == ["s", "Opaque", 1]
    assert t["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_namespace_termination_forbids_new_content(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    c.api("POST", f"/api/v1/namespaces/{ns}/configmaps",
          {"metadata": {"name": "x", "finalizers": ["example.com/hold"]}})
    status, _, body = c.api("DELETE", f"/api/v1/namespaces/{ns}")
    assert status == 200 and body["status"]["phase"] == "Terminating"
    status, _, body = c.api("POST", f"/api/v1/namespaces/{ns}/configmaps",
                            {"metadata": {"name": "y"}})
    assert status == 403 and body["message"] == (
        f'configmaps "y" is forbidden: unable to create new content in namespace {ns} '
        f'because it is being terminated')
    c.api("PATCH", f"/api/v1/namespaces/{ns}/configmaps/x", {"metadata": {"finalizers": None}},
          headers={"Content-Type": "application/merge-patch+json"})
    wait_for(lambda: c.api("GET", f"/api/v1/namespaces/{ns}")[0] == 404,
             what="namespace finalized")


def test_faults_429_latency_and_restart(tmp_path):
    c = Cluster.up(str(tmp_path))
    try:
        out = c.cli("fault", "--error-rate", "1", "--error-code", "429", "--retry-after", "2")
        assert out.returncode == 0, out.stderr
        status, hdrs, body = c.api("GET", "/api/v1/namespaces")
        assert status == 429 and hdrs["Retry-After"] == "2"
        assert body == "Too many requests, please try again later.\n"
        c.cli("fault", "--clear")
        c.cli("fault", "--latency", "300")
        t0 = time.monotonic()
        assert c.api("GET", "/api/v1/namespaces")[0] == 200
        assert time.monotonic() - t0 >= 0.3
        c.cli("fault", "--clear")
        # An in-place restart ends open watches and refuses connections for a moment.
        ended = threading.Event()

        def watch():
            try:
                c.api("GET", "/api/v1/namespaces?watch=1&resourceVersion=0", raw=True,
                      timeout=30)
            finally:
                ended.set()
        threading.Thread(target=watch, daemon=True).start()
        time.sleep(0.3)
        assert c.cli("fault", "--restart", "--downtime", "0.5").returncode == 0
        assert ended.wait(5)
        wait_for(lambda: _ok(c), what="API back after restart")
        # A full restart keeps the objects (DIR/objects.marshal); old resourceVersions are 410.
        c.api("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "keep"}})
        rv = c.api("GET", "/api/v1/namespaces/default/configmaps/keep")[2]["metadata"][
            "resourceVersion"]
        out = c.cli("restart")
        assert out.returncode == 0, out.stderr
        assert c.api("GET", "/api/v1/namespaces/default/configmaps/keep")[0] == 200
        status, _, body = c.api("GET", f"/api/v1/namespaces/default/configmaps?watch=1&"
                                       f"resourceVersion={int(rv) - 1}", raw=True)
        assert json.loads(body.splitlines()[0])["object"]["code"] == 410
    finally:
        c.down()


def test_fault_cli_checks_its_arguments_and_names_pods(kubesim_cluster):
    c = kubesim_cluster
    ns = c.namespace()
    out = c.cli("fault", "--error-rate", "2", "--error-code", "500")
    assert out.returncode == 1
    assert "error_rate within [0, 1]" in out.stderr
    assert json.loads(c.cli("fault").stdout)["error_rate"] == 0      # nothing half-applied
    out = c.cli("fault", "kill", "pg-0")
    assert out.returncode == 1 and "needs its pod as NAMESPACE/POD" in out.stderr
    out = c.cli("fault", "--latency", "5", "freeze", f"{ns}/pg-0")
    assert out.returncode == 1 and "no API fault options" in out.stderr
    out = c.cli("fault", "kill", f"{ns}/pg-0")
    assert out.returncode == 1
    assert f'fault kill on pod {ns}/pg-0 failed (404): pods "pg-0" not found' in out.stderr
    c.api("POST", f"/api/v1/namespaces/{ns}/pods", {"metadata": {"name": "pg-0"}, "spec": {
        "containers": [{"name": "c", "image": "busybox"}]}})
    out = c.cli("fault", "freeze", f"{ns}/pg-0")
    assert out.returncode == 1
    assert "failed (400)" in out.stderr and "kubesim virtual pods run no processes" in out.stderr


def _ok(c) -> bool:
    try:
        return c.api("GET", "/readyz", timeout=2)[0] == 200
    except OSError:
        return False


def test_impersonation_headers(kubesim_cluster):
    """Impersonate-User/-Group/-Uid/-Extra-*: the request acts as the named user (seen by
    SelfSubjectAccessReview and by the authorizer); groups without a user are a 400."""
    c = kubesim_cluster
    ns = c.namespace()
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "create", "resource": "configmaps",
                                              "namespace": ns}}}
    path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    status, _, body = c.api("POST", path, review,
                            headers={"Impersonate-User": "kubesim-readonly"})
    assert status == 201 and body["status"]["allowed"] is False
    status, _, body = c.api("POST", f"/api/v1/namespaces/{ns}/configmaps",
                            {"metadata": {"name": "a"}},
                            headers={"Impersonate-User": "kubesim-readonly",
                                     "Impersonate-Uid": "u-1",
                                     "Impersonate-Extra-acme.com%2Fproject": "pg"})
    assert status == 403 and body["message"] == (
        f'configmaps is forbidden: User "kubesim-readonly" cannot create resource "configmaps" '
        f'in API group "" in the namespace "{ns}"')
    status, _, body = c.api("GET", f"/api/v1/namespaces/{ns}/configmaps",
                            headers={"Impersonate-Group": "devs"})
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == "requested ['Impersonate-Group: devs'] without impersonating a user"
    status, _, body = c.api("GET", f"/api/v1/namespaces/{ns}/configmaps", user="readonly",
                            headers={"Impersonate-User": "kubesim-token"})
    assert status == 403 and body["message"].startswith(
        'users "kubesim-token" is forbidden: User "kubesim-readonly" cannot impersonate')
