"""cgroup v2 groups per container: kill every process at once (`cgroup.kill`), freeze
and thaw (`cgroup.freeze`), and CPU time (`cpu.stat`). These are core cgroup v2 files
(kernel >= 5.14), available without any controller enabled, so the v2 hierarchy
mounted at /sys/fs/cgroup (pure v2) or /sys/fs/cgroup/unified (hybrid) both work.
"""
from __future__ import annotations

import os
import time


def cgroup2_root() -> str:
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 2 and parts[2] == "cgroup2":
                return parts[1]
    raise RuntimeError("no cgroup v2 hierarchy is mounted (needed to supervise pod processes)")


class Cgroup:
    def __init__(self, path: str):
        self.path = path

    def create(self) -> "Cgroup":
        os.makedirs(self.path, exist_ok=True)
        return self

    def _write(self, name: str, value: str) -> None:
        with open(os.path.join(self.path, name), "w") as f:
            f.write(value)

    def pids(self) -> list[int]:
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                return [int(x) for x in f.read().split()]
        except FileNotFoundError:
            return []

    def kill(self) -> None:
        """SIGKILL to every process in the group and its children (atomic)."""
        if os.path.isdir(self.path):
            self._write("cgroup.kill", "1")

    def freeze(self, frozen: bool) -> None:
        if os.path.isdir(self.path):
            self._write("cgroup.freeze", "1" if frozen else "0")

    def cpu_usec(self) -> int:
        try:
            with open(os.path.join(self.path, "cpu.stat")) as f:
                for line in f:
                    k, v = line.split()
                    if k == "usage_usec":
                        return int(v)
        except FileNotFoundError:
            pass
        return 0

    def remove(self, timeout: float = 5.0) -> None:
        """Kills what is left, then removes the group (and sub-groups)."""
        if not os.path.isdir(self.path):
            return
        deadline = time.monotonic() + timeout
        for dirpath, dirs, _files in sorted(os.walk(self.path), key=lambda t: -t[0].count("/")):
            cg = Cgroup(dirpath)
            cg.freeze(False)
            cg.kill()
            while True:
                try:
                    os.rmdir(dirpath)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
