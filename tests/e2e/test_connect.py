"""`kubectl pg connect` end to end: a cluster rendered by `kubectl-pg create
--dry-run=client` and applied with the real kubectl (server-side) to kubesim with the
process kubelet (real Patroni, PostgreSQL and pgpool-II), then psql through
kubectl-pg's own exec: on the primary, on a replica, through pgpool, with a terminal and
without, psql's exit code passed on, a closed stdout reported, and API errors printed as
kubectl prints them. Needs root (the process kubelet); skipped otherwise.

    KPG_BIN=build/kubectl-pg /usr/bin/python3 -m pytest -q tests/e2e/test_connect.py
"""
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "kubesim", "tests"))

from kubesim_fixture import Cluster, wait_for  # noqa: E402

KPG = os.environ.get("KPG_BIN", os.path.join(HERE, "..", "..", "build", "kubectl-pg"))
NS = "connect"
NAME = "demo"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the process kubelet needs root")


def _pods(c: Cluster) -> list[dict]:
    out = c.kubectl("get", "pods", "-n", NS, "-l", f"app.kubernetes.io/instance={NAME}",
                    "-o", "json").stdout
    return json.loads(out)["items"]


def _ready(pod: dict) -> bool:
    return any(cond["type"] == "Ready" and cond["status"] == "True"
               for cond in (pod.get("status") or {}).get("conditions", []))


def _role(pod: dict) -> str:
    return pod["metadata"].get("labels", {}).get("spilo-role", "")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """kubesim with the process kubelet and cluster connect/demo: a ready leader and a
    ready replica."""
    c = Cluster.up(str(tmp_path_factory.mktemp("kubesim") / "state"), "--kubelet", "process")
    yield c  # pytest resumes here whatever the tests' outcome
    c.down()


@pytest.fixture(scope="module")
def demo(cluster):
    rendered = subprocess.run([KPG, "create", NAME, "-n", NS, "--dry-run=client",
                               "--show-secrets", "-o", "yaml"],
                              capture_output=True, text=True, check=True)
    cluster.kubectl("apply", "--server-side", "-f", "-", input=rendered.stdout)

    def leader_and_replica_ready():
        pods = [p for p in _pods(cluster) if _ready(p)]
        leaders = [p for p in pods if _role(p) == "master"]
        replicas = [p for p in pods if _role(p) == "replica"]
        return leaders and replicas and (leaders[0]["metadata"]["name"],
                                         replicas[0]["metadata"]["name"])
    return wait_for(leader_and_replica_ready, 180, 0.5, "a ready leader and a ready replica")


def connect(cluster, *args, input=None, stdout=subprocess.PIPE, context=None):
    cmd = [KPG, *(["--context", context] if context else []), "connect", NAME, "-n", NS,
           *args]
    return subprocess.run(cmd, input=input, stdout=stdout, stderr=subprocess.PIPE,
                          env=cluster.env(), timeout=60)


def test_primary_is_not_in_recovery(cluster, demo):
    r = connect(cluster, "--primary", input=b"select pg_is_in_recovery()\n")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.decode().splitlines() == [" pg_is_in_recovery ", "-------------------",
                                              " f", "(1 row)", ""]


def test_replica_is_in_recovery_and_psql_args_pass_through(cluster, demo):
    r = connect(cluster, "--replica", "-d", "postgres", "--", "-At", "-c",
                "select pg_is_in_recovery(), current_user, current_database()")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == b"t|postgres|postgres\n"


def test_pooler_goes_through_pgpool(cluster, demo):
    r = connect(cluster, "--", "-At", "-c", "show pool_version")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.startswith(b"4.")  # SHOW pool_version answers only through pgpool-II


def test_psql_exit_code_is_passed_on(cluster, demo):
    r = connect(cluster, "--primary", "--", "-v", "ON_ERROR_STOP=1",
                input=b"select 1/0;\nselect 2;\n")
    assert r.returncode == 3  # psql: an error in a script with ON_ERROR_STOP
    assert b"division by zero" in r.stderr
    assert b"error:" not in r.stderr.split(b"ERROR:")[0]  # psql's report only


def test_closed_stdout_is_an_error_not_a_silent_death(cluster, demo):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = connect(cluster, "--primary", "--", "-c", "select 1", stdout=write_end)
    finally:
        os.close(write_end)
    assert r.returncode == 1
    assert r.stderr == b"error: writing stdout: Broken pipe\n"


def test_api_error_printed_as_kubectl_prints_it(cluster, demo):
    r = connect(cluster, "--primary", context="readonly", input=b"select 1\n")
    assert r.returncode == 1
    leader = demo[0]
    # kubectl's line, no "error: " prefix, the attempt after kubectl's head, then the
    # server's message (kubesim words it `pods/exec "demo-0" is forbidden: ...`)
    head = (f"Error from server (Forbidden): while running psql (primary) in pod "
            f"{NS}/{leader}: ")
    err = r.stderr.decode()
    assert err.startswith(head), err
    assert err.endswith(f"is forbidden: User \"kubesim-readonly\" cannot create resource "
                        f"\"pods/exec\" in API group \"\" in the namespace \"{NS}\"\n"), err
    assert err.count("\n") == 1


def test_unknown_cluster_names_what_was_looked_for(cluster, demo):
    r = subprocess.run([KPG, "connect", "nosuch", "-n", NS], capture_output=True,
                       env=cluster.env(), timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 1
    assert r.stderr.decode() == (
        f"error: cluster {NS}/nosuch has no member pods (none matches "
        "app.kubernetes.io/instance=nosuch,app.kubernetes.io/component=database); check the "
        "name and namespace with \"kubectl pg list -A\"\n")


def _read_until(fd: int, wanted: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no {wanted!r} within {timeout} s; got {seen!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            raise AssertionError(f"terminal closed before {wanted!r}; got {seen!r}")
        seen += chunk
    return seen


def test_terminal_gets_psql_prompt_and_window_size(cluster, demo):
    leader_fd, follower_fd = pty.openpty()
    fcntl.ioctl(follower_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    p = subprocess.Popen([KPG, "connect", NAME, "-n", NS, "--primary", "--", "-P", "pager=off"],
                         stdin=follower_fd, stdout=follower_fd, stderr=follower_fd,
                         env=cluster.env())
    os.close(follower_fd)
    try:
        _read_until(leader_fd, b"postgres=#", 60)  # psql's prompt: it has a terminal
        os.write(leader_fd, b"select 40 + 2 as answer;\n")
        assert b" 42\r\n" in _read_until(leader_fd, b"(1 row)", 30)
        os.write(leader_fd, b"\\! stty size\n")  # the remote terminal has our size
        _read_until(leader_fd, b"40 120\r\n", 30)
        os.write(leader_fd, b"\\q\n")
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(leader_fd)
