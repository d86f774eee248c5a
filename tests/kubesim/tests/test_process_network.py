"""Pod networks whose namespace outlives the pod (a process still holds it, as a dying
container can): its veth must not block the next pod that gets the same number, in this
instance or the next one of the slot. Needs root; skipped otherwise."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim.kubelet.network import PodNetwork  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="pod networks need root")


def _veths(slot: int) -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show", "type", "veth"], capture_output=True,
                         text=True).stdout
    names = {line.split(":")[1].strip().split("@")[0] for line in out.splitlines()}
    return {n for n in names if n.startswith(f"ksim{slot}v")}


def test_a_held_namespace_does_not_block_the_next_pod():
    net = PodNetwork.acquire()
    holder = None
    try:
        ip = net.setup_pod("db/a")
        holder = subprocess.Popen(["ip", "netns", "exec", net.netns_name("db/a"), "sleep",
                                   "60"])
        # a pod whose namespace is still held, torn down: its veth goes at once
        net.teardown_pod("db/a")
        assert _veths(net.slot) == set()
        assert net.setup_pod("db/b") == ip          # same host number, no "File exists"
        # a crashed instance: the next one of the slot starts clean
        slot = net.slot
        net.release()
        assert _veths(slot) == set()
        net = PodNetwork.acquire(slot)
        assert net.slot == slot and net.setup_pod("db/c") == ip
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        net.release()
    assert _veths(net.slot) == set()
