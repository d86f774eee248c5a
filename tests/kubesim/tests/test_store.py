"""Store semantics: metadata, resourceVersion, concurrency, deletion, watch (no server)."""
import asyncio
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim.errors import ApiError  # noqa: E402
from ksim.resources import REGISTRY  # noqa: E402
from ksim.store import Store  # noqa: E402

NS = REGISTRY.by_kind("v1", "Namespace")
POD = REGISTRY.by_kind("v1", "Pod")
CM = REGISTRY.by_kind("v1", "ConfigMap")
STS = REGISTRY.by_kind("apps/v1", "StatefulSet")


def new_store():
    s = Store()
    s.create(NS, {"metadata": {"name": "db"}})
    return s


def cm(name, labels=None, data=None):
    return {"metadata": {"name": name, "namespace": "db", "labels": labels or {}},
            "data": data or {}}


def test_create_sets_metadata_and_global_resource_version():
    s = new_store()
    a = s.create(CM, cm("a"))
    b = s.create(STS, {"metadata": {"name": "pg", "namespace": "db"}, "spec": {"replicas": 1}})
    md = a["metadata"]
    assert len(md["uid"]) == 36 and md["creationTimestamp"].endswith("Z")
    assert int(b["metadata"]["resourceVersion"]) == int(md["resourceVersion"]) + 1
    assert "generation" not in md and b["metadata"]["generation"] == 1
    assert s.resource_version == b["metadata"]["resourceVersion"]


def test_generate_name_already_exists_and_missing_namespace():
    s = new_store()
    o = s.create(CM, {"metadata": {"generateName": "x-", "namespace": "db"}})
    assert o["metadata"]["name"].startswith("x-") and len(o["metadata"]["name"]) == 7
    with pytest.raises(ApiError) as e:
        s.create(CM, {"metadata": {"name": o["metadata"]["name"], "namespace": "db"}})
    assert e.value.code == 409 and e.value.reason == "AlreadyExists"
    with pytest.raises(ApiError) as e:
        s.create(CM, {"metadata": {"name": "a", "namespace": "nope"}})
    assert e.value.code == 404 and e.value.message == 'namespaces "nope" not found'
    with pytest.raises(ApiError) as e:
        s.create(CM, {"metadata": {"name": "Bad_Name", "namespace": "db"}})
    assert e.value.code == 422


def test_update_conflict_generation_and_noop():
    s = new_store()
    o = s.create(STS, {"metadata": {"name": "pg", "namespace": "db"}, "spec": {"replicas": 1}})
    o2 = dict(o, spec={"replicas": 3})
    u = s.update(STS, o2)
    assert u["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as e:
        s.update(STS, o2)   # stale resourceVersion
    assert e.value.code == 409 and e.value.reason == "Conflict"
    assert "the object has been modified" in e.value.message
    same = s.update(STS, u)
    assert same["metadata"]["resourceVersion"] == u["metadata"]["resourceVersion"]


def test_status_subresource_semantics():
    s = new_store()
    o = s.create(STS, {"metadata": {"name": "pg", "namespace": "db"}, "spec": {"replicas": 1},
                       "status": {"replicas": 9}})
    assert "status" not in o
    st = s.update(STS, dict(o, status={"replicas": 1}, spec={"replicas": 5}),
                  subresource="status")
    assert st["status"] == {"replicas": 1} and st["spec"] == {"replicas": 1}
    assert st["metadata"]["generation"] == 1
    main = s.update(STS, dict(st, status={"replicas": 7}, spec={"replicas": 2}))
    assert main["status"] == {"replicas": 1} and main["spec"] == {"replicas": 2}


def test_delete_with_finalizers_and_pod_grace():
    s = new_store()
    s.create(CM, dict(cm("f"), metadata={"name": "f", "namespace": "db", "finalizers": ["x/y"]}))
    d = s.delete(CM, "db", "f")
    assert d["metadata"]["deletionTimestamp"] and s.try_get(CM, "db", "f") is not None
    d["metadata"]["finalizers"] = []
    s.update(CM, d)
    assert s.try_get(CM, "db", "f") is None
    s.create(POD, {"metadata": {"name": "p", "namespace": "db"},
                   "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i"}]}})
    p = s.delete(POD, "db", "p")
    assert p["metadata"]["deletionGracePeriodSeconds"] == 30
    s.delete(POD, "db", "p", grace_period=0)
    assert s.try_get(POD, "db", "p") is None


def test_list_selectors_and_pages():
    s = new_store()
    for i in range(7):
        s.create(CM, cm(f"c{i}", {"app": "pg", "i": str(i % 2)}))
    items, rv = s.list(CM, "db", "app=pg,i=1")
    assert [o["metadata"]["name"] for o in items] == ["c1", "c3", "c5"]
    names, token = [], ""
    while True:
        page, prv, token, _ = s.list_page(CM, None, "", "", 3, token)
        names += [o["metadata"]["name"] for o in page]
        assert prv == rv
        if not token:
            break
    assert names == [f"c{i}" for i in range(7)]
    with pytest.raises(ApiError) as e:
        s.list(CM, None, "", "data.x=1")
    assert e.value.code == 400 and e.value.message == "field label not supported: data.x"


def test_watch_initial_resume_transitions_and_expiry():
    async def run():
        s = Store(window=5)
        s.create(NS, {"metadata": {"name": "db"}})
        a = s.create(CM, cm("a", {"role": "primary"}))
        w = s.watch(CM, "db", "", "role=primary")
        assert await w.__anext__() == ("ADDED", s.get_shared(CM, "db", "a"))
        a2 = s.update(CM, dict(a, metadata=dict(a["metadata"], labels={"role": "replica"})))
        t, o = await w.__anext__()
        assert t == "DELETED" and o["metadata"]["resourceVersion"] == a2["metadata"]["resourceVersion"]
        w.close()
        w2 = s.watch(CM, "db", a["metadata"]["resourceVersion"])
        t, o = await w2.__anext__()
        assert t == "MODIFIED" and o["metadata"]["labels"] == {"role": "replica"}
        for i in range(6):
            s.create(CM, cm(f"x{i}"))
        with pytest.raises(ApiError) as e:
            s.watch(CM, "db", a["metadata"]["resourceVersion"])
        assert e.value.code == 410
        s.close_watches()
        rest = [ev async for ev in w2]
        assert len(rest) == 6
    asyncio.run(run())


def test_persistence_round_trip(tmp_path):
    s = new_store()
    s.create(CM, cm("a", data={"k": "v"}))
    p = str(tmp_path / "objects.marshal")
    s.save(p, with_json=True)
    t = Store()
    assert t.load(p)
    assert (tmp_path / "objects.json").exists()
    (tmp_path / "objects.marshal").unlink()
    t = Store()
    assert t.load(p)                      # falls back to the readable objects.json
    assert t.get(CM, "db", "a")["data"] == {"k": "v"}
    assert t.resource_version == s.resource_version
    with pytest.raises(ApiError) as e:
        t.watch(CM, "db", "1")
    assert e.value.code == 410
