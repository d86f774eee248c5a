"""Endpoints and EndpointSlices from Services and pods; the `kubernetes` Service."""
from controllers_harness import (EP, NS, POD, SLICE, STS, SVC, Cluster, run, service,
                                 statefulset)


def pod(name, labels, *, ports=None, annotations=None, **spec):
    obj = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "labels": labels, "annotations": annotations or {}},
           "spec": {"containers": [{"name": "c", "image": "x", "ports": ports or []}]}}
    obj["spec"].update(spec)
    return obj


def slice_endpoints(c, svc) -> dict:
    out = {}
    for sl in c.store.list(SLICE, "db", label_selector=f"kubernetes.io/service-name={svc}")[0]:
        for ep in sl.get("endpoints") or ():
            out[ep["targetRef"]["name"]] = ep["conditions"]
    return out


def addresses(c, svc) -> tuple[list, list]:
    ep = c.get(EP, svc)
    ready, not_ready = [], []
    for s in (ep or {}).get("subsets") or ():
        ready += [a["targetRef"]["name"] for a in s.get("addresses") or ()]
        not_ready += [a["targetRef"]["name"] for a in s.get("notReadyAddresses") or ()]
    return sorted(ready), sorted(not_ready)


@run
async def test_ready_and_not_ready_pods_and_publish_not_ready_addresses():
    async with Cluster() as c:
        port = [{"name": "postgresql", "containerPort": 5432}]
        c.create(POD, pod("a", {"app": "x"}, ports=port))
        c.create(POD, pod("b", {"app": "x"}, ports=port, annotations={"kubesim.io/ready": "false"}))
        c.create(POD, pod("other", {"app": "y"}, ports=port))
        c.create(SVC, service("x", {"app": "x"}))
        c.create(SVC, service("x-all", {"app": "x"}, publishNotReadyAddresses=True))
        await c.until(lambda: addresses(c, "x") == (["a"], ["b"]), what="x endpoints")
        await c.until(lambda: addresses(c, "x-all") == (["a", "b"], []), what="x-all endpoints")
        ep = c.get(EP, "x")
        assert ep["subsets"][0]["ports"] == [{"name": "postgresql", "port": 5432,
                                              "protocol": "TCP"}]
        addr = ep["subsets"][0]["addresses"][0]
        assert addr["nodeName"] == "kubesim-node-1" and addr["ip"].startswith("127.")
        assert addr["targetRef"]["kind"] == "Pod" and "hostname" not in addr
        await c.until(lambda: slice_endpoints(c, "x") == {
            "a": {"ready": True, "serving": True, "terminating": False},
            "b": {"ready": False, "serving": False, "terminating": False}}, what="slices")
        await c.until(lambda: slice_endpoints(c, "x-all").get("b", {}).get("ready") is True,
                      what="x-all slice")
        [sl] = c.store.list(SLICE, "db", label_selector="kubernetes.io/service-name=x")[0]
        assert sl["metadata"]["name"].startswith("x-")
        assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
            "endpointslice-controller.k8s.io"
        assert sl["addressType"] == "IPv4"
        assert sl["ports"] == [{"name": "postgresql", "port": 5432, "protocol": "TCP"}]
        # Readiness follows the pod.
        b = c.store.get(POD, "db", "b")
        b["metadata"]["annotations"]["kubesim.io/ready"] = "true"
        c.store.update(POD, b)
        await c.until(lambda: addresses(c, "x") == (["a", "b"], []), what="b ready")


@run
async def test_terminating_pods_leave_endpoints_but_stay_in_slices_as_terminating():
    async with Cluster(termination_seconds=30) as c:
        c.create(POD, pod("a", {"app": "x"}))
        c.create(SVC, service("x", {"app": "x"}, ports=[{"port": 80, "targetPort": 8080}]))
        await c.until(lambda: addresses(c, "x") == (["a"], []), what="a ready")
        c.store.delete(POD, "db", "a")
        await c.until(lambda: addresses(c, "x") == ([], []), what="a gone from endpoints")
        await c.until(lambda: slice_endpoints(c, "x") == {
            "a": {"ready": False, "serving": True, "terminating": True}}, what="terminating")


@run
async def test_named_target_ports_resolve_per_pod_and_hostnames_follow_subdomain():
    async with Cluster() as c:
        c.create(POD, pod("p1", {"app": "x"}, ports=[{"name": "web", "containerPort": 8080}],
                          hostname="p1", subdomain="x"))
        c.create(POD, pod("p2", {"app": "x"}, ports=[{"name": "web", "containerPort": 9090}]))
        c.create(SVC, service("x", {"app": "x"}, headless=True,
                              ports=[{"name": "http", "port": 80, "targetPort": "web"}]))
        await c.until(lambda: len((c.get(EP, "x") or {}).get("subsets") or ()) == 2, what="2")
        subsets = {s["ports"][0]["port"]: s["addresses"] for s in c.get(EP, "x")["subsets"]}
        assert [a["targetRef"]["name"] for a in subsets[8080]] == ["p1"]
        assert [a["targetRef"]["name"] for a in subsets[9090]] == ["p2"]
        assert subsets[8080][0]["hostname"] == "p1" and "hostname" not in subsets[9090][0]
        assert c.get(EP, "x")["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}
        await c.until(lambda: len(c.store.list(SLICE, "db")[0]) == 2, what="one slice per port")


@run
async def test_selectorless_services_keep_their_endpoints_until_deleted():
    async with Cluster() as c:
        c.create(SVC, service("leader", None))
        c.create(EP, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {
            "name": "leader", "annotations": {"leader": "pg-0"}},
            "subsets": [{"addresses": [{"ip": "127.0.0.9"}], "ports": [{"port": 5432}]}]})
        c.create(EP, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "config"}})
        await c.settle()
        assert c.get(EP, "leader")["subsets"][0]["addresses"] == [{"ip": "127.0.0.9"}]
        assert c.get(EP, "config") is not None
        assert c.store.list(SLICE, "db")[0] == []
        c.store.delete(SVC, "db", "leader")
        await c.until(lambda: c.get(EP, "leader") is None, what="endpoints deleted")
        assert c.get(EP, "config") is not None


@run
async def test_statefulset_behind_headless_service_and_slices_removed_with_it():
    async with Cluster() as c:
        c.create(SVC, service("pg", {"app": "pg"}, headless=True))
        c.create(STS, statefulset("pg", 2, claims=False))
        await c.until(lambda: addresses(c, "pg") == (["pg-0", "pg-1"], []), what="endpoints")
        hosts = sorted(a["hostname"] for a in c.get(EP, "pg")["subsets"][0]["addresses"])
        assert hosts == ["pg-0", "pg-1"]
        c.store.delete(SVC, "db", "pg")
        await c.until(lambda: c.get(EP, "pg") is None and c.store.list(SLICE, "db")[0] == [],
                      what="endpoints and slices gone")


@run
async def test_kubernetes_service_points_at_the_api_server_and_is_repaired():
    async with Cluster() as c:
        await c.until(lambda: c.get(EP, "kubernetes", "default"), what="kubernetes endpoints")
        svc = c.get(SVC, "kubernetes", "default")
        assert svc["spec"]["clusterIP"] == "10.96.0.1"
        assert svc["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP",
                                         "targetPort": 7443}]
        want = [{"addresses": [{"ip": "127.0.0.1"}],
                 "ports": [{"name": "https", "port": 7443, "protocol": "TCP"}]}]
        assert c.get(EP, "kubernetes", "default")["subsets"] == want
        c.store.delete(EP, "default", "kubernetes")
        await c.until(lambda: (c.get(EP, "kubernetes", "default") or {}).get("subsets") == want,
                      what="endpoints recreated")
        [sl] = c.store.list(SLICE, "default")[0]
        assert sl["metadata"]["name"] == "kubernetes"
        assert sl["endpoints"][0]["addresses"] == ["127.0.0.1"]


@run
async def test_controllers_go_quiet_once_converged():
    """No controller rewrites an object it already converged (no write loops)."""
    async with Cluster() as c:
        c.create(SVC, service("pg", {"app": "pg"}, headless=True))
        c.create(STS, statefulset("pg", 2))
        await c.until(lambda: addresses(c, "pg") == (["pg-0", "pg-1"], []), what="endpoints")
        await c.settle()
        rv = c.store.resource_version
        for ctl in c.tasks.controllers:      # a full resync changes nothing
            ctl._resync()
        await c.settle()
        assert c.store.resource_version == rv, [
            (t, k, key) for t, k, key, _ in c.events[-10:]]


@run
async def test_readiness_gates_and_host_network_pods():
    async with Cluster() as c:
        c.create(POD, pod("gated", {"app": "g"}, readinessGates=[{"conditionType": "lb/ready"}]))
        c.create(POD, pod("host", {"app": "h"}, hostNetwork=True))
        c.create(SVC, service("g", {"app": "g"}, ports=[{"port": 80}]))
        await c.until(lambda: addresses(c, "g") == ([], ["gated"]), what="gated not ready")
        ready = [x for x in c.get(POD, "gated")["status"]["conditions"] if x["type"] == "Ready"][0]
        assert ready["reason"] == "ReadinessGatesNotReady"
        assert ready["message"] == \
            'corresponding condition of pod readiness gate "lb/ready" does not exist.'
        gated = c.store.get(POD, "db", "gated")
        gated["status"]["conditions"].append({"type": "lb/ready", "status": "True"})
        c.store.update(POD, gated, subresource="status")
        await c.until(lambda: addresses(c, "g") == (["gated"], []), what="gate passed")
        types = [x["type"] for x in c.get(POD, "gated")["status"]["conditions"]]
        assert types[-1] == "lb/ready"     # the kubelet keeps conditions others own
        await c.until(lambda: (c.get(POD, "host").get("status") or {}).get("podIP"), what="ip")
        assert c.get(POD, "host")["status"]["podIP"] == "127.0.0.1"


@run
async def test_leftover_endpoints_without_a_service_go_at_start_up():
    """checkLeftoverEndpoints: a (re)started controller deletes Endpoints that have no
    Service, except leader-election records; Patroni guards its own with Services."""
    c = Cluster(namespace="")
    store = c.store
    store.create(NS, {"metadata": {"name": "db"}, "spec": {"finalizers": ["kubernetes"]}})
    guarded = service("guarded", None)
    guarded["metadata"]["namespace"] = "db"
    store.create(SVC, guarded)
    for name, ann in (("guarded", {}), ("stray", {}),
                      ("lock", {"control-plane.alpha.kubernetes.io/leader": "{}"})):
        store.create(EP, {"metadata": {"name": name, "namespace": "db", "annotations": ann}})
    async with c:
        await c.until(lambda: c.get(EP, "stray", "db") is None, what="stray deleted")
        await c.settle()
        assert c.get(EP, "guarded", "db") is not None and c.get(EP, "lock", "db") is not None
