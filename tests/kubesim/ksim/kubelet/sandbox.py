"""The container launcher: runs one container (or one exec) inside a pod's sandbox.

Run by the process kubelet as root, `/usr/bin/python3 -I -S sandbox.py SPEC.json`,
with the container's stdin/stdout/stderr already in place. It imports nothing from
ksim (it runs in the launched process, before privileges are dropped).

SPEC (JSON):
  mode        "run" (a container) or "join" (an exec into a running container)
  netns       path of the pod's network namespace (/run/netns/NAME)        [run]
  hostname    the pod's hostname                                           [run]
  mounts      [{"source", "target", "read_only", "file"}], applied in order [run]
  target_pid  host pid of the container's init process to join            [join]
  cgroup      cgroup v2 directory the program's tree is put in (kill, freeze, CPU); the
              launcher stays outside, so it survives a cgroup kill and reaps the init
  uid, gid, groups   identity the program runs as
  env         the program's environment (dict)
  cwd         working directory ("" = "/")
  argv        the program and its arguments (argv[0] found through env PATH)
  tty         true: stdin is a terminal that becomes the controlling terminal
  ready_fd    [run] inherited pipe fd: receives the init's host pid once it is forked

"run" mirrors a container runtime: it joins the pod's network namespace, makes
private mount and UTS namespaces (bind mounts at the mountPaths, hostname) and a
new PID namespace whose init is the program itself, with its own /proc. When that
init exits the kernel kills everything left in the namespace, so a container never
leaves strays (`man 7 pid_namespaces`). This process stays in the host PID
namespace as the program's parent: it forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/
SIGUSR2 and exits with the program's code (128 + signal number when killed),
as container runtimes report it.

"join" mirrors `nsenter`: setns into the target's net, uts, pid and mount
namespaces, then fork and exec in the child.
"""
import ctypes
import json
import os
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT,
             signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH)

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, what):
    _check(_libc.mount(source.encode() if source else None, target.encode(),
                       fstype.encode() if fstype else None, ctypes.c_ulong(flags), None),
           f"mount {what} at {target}")


def _setns_path(path: str, nstype: int) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        _check(_libc.setns(fd, nstype), f"setns {path}")
    finally:
        os.close(fd)


def _prepare_target(target: str, is_file: bool) -> None:
    if is_file:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            with open(target, "a"):
                pass
    else:
        os.makedirs(target, exist_ok=True)


def _apply_mounts(mounts) -> None:
    # Sources are opened first: an earlier mount (a private /tmp) may hide a later source.
    fds = [os.open(m["source"], os.O_PATH | os.O_CLOEXEC) for m in mounts]
    for m, fd in zip(mounts, fds):
        _prepare_target(m["target"], m.get("file", False))
        _mount(f"/proc/self/fd/{fd}", m["target"], None, MS_BIND | MS_REC, m["source"])
        os.close(fd)
        if m.get("read_only"):
            _mount(None, m["target"], None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC,
                   "read-only remount")


def _join_cgroup(cgroup: str) -> None:
    if cgroup:
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))


def _exec_program(spec) -> None:
    """In the child: drop privileges, set up the terminal, exec. Never returns."""
    try:
        if spec.get("tty"):
            os.setsid()
            import fcntl
            import termios
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        os.setgroups(spec.get("groups", []))
        os.setgid(spec["gid"])
        os.setuid(spec["uid"])
        os.chdir(spec.get("cwd") or "/")
        env = spec["env"]
        os.execvpe(spec["argv"][0], spec["argv"], env)
    except OSError as e:
        sys.stderr.write(f"kubesim: cannot start {spec['argv'][0]!r}: {e.strerror}\n")
        sys.stderr.flush()
        os._exit(127 if e.errno == 2 else 126)


def _wait_forwarding(child: int) -> int:
    """Forwards signals to `child` until it exits; returns the container exit code."""
    def forward(signum, _frame):
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass
    for s in FORWARDED:
        signal.signal(s, forward)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            return 255
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def run(spec) -> int:
    _setns_path(spec["netns"], CLONE_NEWNET)
    # A private IPC namespace, as a pod has: PostgreSQL's System V shared memory
    # goes with the container when it dies (killed by a fault, a test or
    # `kubesim down`) instead of piling up on the host.
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, "private propagation")
    name = spec["hostname"].encode()
    _check(_libc.sethostname(name, len(name)), "sethostname")
    _apply_mounts(spec.get("mounts", []))
    child = os.fork()
    if child == 0:
        if spec.get("ready_fd") is not None:
            os.close(spec["ready_fd"])
        try:
            _join_cgroup(spec.get("cgroup", ""))
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc")
        except OSError as e:
            sys.stderr.write(f"kubesim: {e}\n")
            os._exit(126)
        _exec_program(spec)
    if spec.get("ready_fd") is not None:      # tells the kubelet the init's host pid
        os.write(spec["ready_fd"], str(child).encode())
        os.close(spec["ready_fd"])
    return _wait_forwarding(child)


def join(spec) -> int:
    pid = spec["target_pid"]
    fds = [(os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY | os.O_CLOEXEC), flag)
           for ns, flag in (("net", CLONE_NEWNET), ("uts", CLONE_NEWUTS),
                            ("ipc", CLONE_NEWIPC), ("pid", CLONE_NEWPID),
                            ("mnt", CLONE_NEWNS))]
    for fd, flag in fds:
        _check(_libc.setns(fd, flag), f"setns into pid {pid}")
        os.close(fd)
    child = os.fork()
    if child == 0:
        _join_cgroup(spec.get("cgroup", ""))
        _exec_program(spec)
    return _wait_forwarding(child)


def main() -> int:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    if spec.get("remove_spec"):
        os.unlink(sys.argv[1])
    try:
        return run(spec) if spec["mode"] == "run" else join(spec)
    except OSError as e:
        sys.stderr.write(f"kubesim: cannot create the container sandbox: {e}\n")
        return 128


if __name__ == "__main__":
    sys.exit(main())
