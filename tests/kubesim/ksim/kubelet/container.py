"""One container of a pod as local processes: start through the sandbox launcher, exit
codes, per-restart log files, signals, exec.

Logs: <pod dir>/logs/<container>/<restartCount>.log holds stdout and stderr of one
run (what `kubectl logs` shows; `--previous` is the run before the current one).
"""
from __future__ import annotations

import asyncio
import os
import time

from ksim.kubelet.cgroups import Cgroup
from ksim.kubelet.volumes import Mount

SANDBOX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox.py")
PYTHON = "/usr/bin/python3"


def _write_spec(spec: dict, path: str) -> None:
    import json
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(spec, f)


def _read_pid(fd: int) -> int | None:
    """Reads the launcher's pipe to EOF: the init's pid, or None if it never forked."""
    data = b""
    try:
        while chunk := os.read(fd, 64):
            data += chunk
    finally:
        os.close(fd)
    return int(data) if data else None


class ContainerProcess:
    """A running (or finished) container: the launcher process and its init."""

    def __init__(self, name: str, workdir: str, cgroup: Cgroup):
        self.name = name
        self.workdir = workdir            # <pod dir>/containers/<name>
        self.cgroup = cgroup
        self.proc: asyncio.subprocess.Process | None = None
        self.env: dict[str, str] = {}
        self.cwd = ""
        self.uid = self.gid = 0
        self.started_at = 0.0
        self.log_path = ""
        self._init_pid: int | None = None

    def log_file(self, logs_dir: str, restart: int) -> str:
        os.makedirs(logs_dir, exist_ok=True)
        return os.path.join(logs_dir, f"{restart}.log")

    async def start(self, *, netns: str, hostname: str, mounts: list[Mount], argv: list[str],
                    env: dict[str, str], cwd: str, uid: int, gid: int, log_path: str) -> None:
        self.env, self.cwd, self.uid, self.gid = env, cwd, uid, gid
        self.cgroup.create()
        spec = {"mode": "run", "netns": netns, "hostname": hostname,
                "mounts": [m.to_spec() for m in mounts], "cgroup": self.cgroup.path,
                "uid": uid, "gid": gid, "groups": [gid], "env": env, "cwd": cwd, "argv": argv,
                "remove_spec": True}
        spec_path = os.path.join(self.workdir, "launch.json")
        self.log_path = log_path
        ready_r, ready_w = os.pipe()
        spec["ready_fd"] = ready_w
        _write_spec(spec, spec_path)
        log = open(log_path, "ab", buffering=0)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                PYTHON, "-I", "-S", SANDBOX, spec_path, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=log, start_new_session=True, pass_fds=(ready_w,))
        finally:
            log.close()
            os.close(ready_w)
        self.started_at = time.time()
        self._init_pid = await asyncio.to_thread(_read_pid, ready_r)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def init_pid(self) -> int | None:
        """Host pid of the container's init while the container runs."""
        return self._init_pid if self.running else None

    async def wait(self) -> int:
        return await self.proc.wait()

    def signal(self, signum: int) -> None:
        if self.running:
            try:
                os.kill(self.proc.pid, signum)    # the launcher forwards it to init
            except ProcessLookupError:
                pass

    def kill_all(self) -> None:
        """SIGKILL to every process of the container at once; the launcher (outside the
        cgroup) then reaps the init and exits with 137."""
        self.cgroup.kill()

    async def exec(self, argv: list[str], *, stdin: bool, tty: bool,
                   stdio=None) -> asyncio.subprocess.Process:
        """Starts `argv` inside the running container (its namespaces, env, cgroup).
        `stdio`: a pty slave fd for TTY sessions."""
        pid = self.init_pid()
        if pid is None:
            raise RuntimeError(f"container {self.name!r} is not running")
        spec = {"mode": "join", "target_pid": pid, "cgroup": self.cgroup.path, "uid": self.uid,
                "gid": self.gid, "groups": [self.gid], "env": self.env, "cwd": self.cwd, "argv": argv,
                "tty": tty, "remove_spec": True}
        spec_path = os.path.join(self.workdir, f"exec-{os.getpid()}-{time.monotonic_ns()}.json")
        _write_spec(spec, spec_path)
        if stdio is not None:
            return await asyncio.create_subprocess_exec(
                PYTHON, "-I", "-S", SANDBOX, spec_path, stdin=stdio, stdout=stdio, stderr=stdio,
                start_new_session=True)
        return await asyncio.create_subprocess_exec(
            PYTHON, "-I", "-S", SANDBOX, spec_path,
            stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)

    async def run_command(self, argv: list[str], timeout: float) -> int:
        """exec with no streams; the exit code, or -1 on timeout (the command is killed)."""
        proc = await self.exec(argv, stdin=False, tty=False)
        try:
            out = asyncio.ensure_future(proc.communicate())
            await asyncio.wait_for(asyncio.shield(out), timeout)
            return proc.returncode
        except asyncio.TimeoutError:
            try:
                proc.terminate()          # forwarded to the command by the launcher
            except ProcessLookupError:
                pass
            await out
            return -1

