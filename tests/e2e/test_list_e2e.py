"""kubectl pg list against kubesim: the cluster made by the fixtures is listed with its
leader and health, in its namespace and with -A. Run: see status_fixtures.py."""
from __future__ import annotations

import json


def test_list_all_namespaces_shows_the_cluster(orders):
    out = orders.pg("list", "-A", "-o", "json", namespaced=False)
    assert out.returncode == 0, out.stderr
    items = {(i["namespace"], i["name"]): i for i in json.loads(out.stdout)["items"]}
    row = items[("st-a", "orders")]
    assert row["engine"] == "patroni"  # the kubectl-pg.io/engine label create writes
    assert row["leader"] == orders.leader()
    assert (row["membersReady"], row["membersDesired"]) == (3, 3)
    assert (row["pgpoolReady"], row["pgpoolDesired"]) == (2, 2)
    assert row["health"] == "healthy", row["reasons"]


def test_list_table_in_one_namespace(orders):
    out = orders.pg("list")
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header.split() == ["NAME", "ENGINE", "MEMBERS", "LEADER", "PGPOOL", "AGE", "HEALTH"]
    assert [r.split()[0] for r in rows] == ["orders"]
    assert rows[0].split()[1:5] == ["patroni", "3/3", orders.leader(), "2/2"]


def test_list_in_an_empty_namespace(orders):
    out = orders.pg("list", "-n", "default", namespaced=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert out.stderr == "No clusters found in default namespace.\n"
