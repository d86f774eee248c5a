"""The image registry: container images -> local runtimes built from Debian packages.

A runtime turns a container (image, command, args, resolved env) into a `Plan`: the
argv the container's init process runs, the environment, extra private mounts, and
files it prepared beforehand (as root, before the container starts). Each honours the
documented contract of the real image for what kubectl-pg's templates use; the
differences are listed in tests/kubesim/IMAGES.md.

Inside every container, `/run/kubesim` is the container's private runtime directory
(generated configuration), and `/tmp`, `/run/postgresql` and `/var/run/pgpool` are
private to the container, as they are in an image's own filesystem.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ksim.kubelet.envvars import expand
from ksim.kubelet.volumes import Mount

PG_BIN = "/usr/lib/postgresql/15/bin"
DEFAULT_PATH = f"{PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RUNTIME_DIR = "/run/kubesim"


@dataclass
class Context:
    """What a runtime needs to know about the container it plans."""
    pod: dict
    container: dict
    env: dict[str, str]               # resolved container env (spec env + service links)
    pod_ip: str
    private_dir: str                  # host path shown at RUNTIME_DIR in the container
    mounts: list[Mount]               # the container's volume mounts
    uid: int
    gid: int

    def host_path(self, container_path: str) -> str | None:
        """The host path behind `container_path`, if a volume mount covers it."""
        best = None
        for m in self.mounts:
            t = m.target.rstrip("/")
            if container_path == t or container_path.startswith(t + "/"):
                if best is None or len(t) > len(best.target.rstrip("/")):
                    best = m
        if best is None:
            return None
        return best.source + container_path[len(best.target.rstrip("/")):]

    def write(self, name: str, text: str | bytes, mode: int = 0o644) -> str:
        """Writes a file into the private dir; returns its path inside the container."""
        path = os.path.join(self.private_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(text, bytes) else "w") as f:
            f.write(text)
        os.chmod(path, mode)
        os.chown(path, self.uid, self.gid)
        return os.path.join(RUNTIME_DIR, name)


@dataclass
class Plan:
    argv: list[str]
    env: dict[str, str]
    mounts: list[Mount] = field(default_factory=list)


def image_repository(image: str) -> str:
    """`ghcr.io/zalando/spilo-16:3.3-p1` -> `ghcr.io/zalando/spilo-16` (tag/digest off,
    Docker Hub's implicit `docker.io/library/` and `docker.io/` prefixes removed)."""
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)
    if ":" in last[-1]:
        repo = repo[: repo.rfind(":")]
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if repo.startswith(prefix):
            repo = repo[len(prefix):]
    return repo


def runtime_name(image: str) -> str:
    repo = image_repository(image)
    if repo.startswith("ghcr.io/zalando/spilo") or "/acid/spilo" in repo:
        return "spilo"
    if repo == "pgpool/pgpool":
        return "pgpool"
    if repo == "postgres":
        return "postgres"
    return "sleep"


def explicit_argv(ctx: Context) -> list[str] | None:
    """command + args from the spec with $(VAR) expansion, or None without a command."""
    c = ctx.container
    if not c.get("command"):
        return None
    return [expand(x, ctx.env) for x in c["command"] + (c.get("args") or [])]


def plan(ctx: Context) -> Plan:
    from ksim.runtimes import pgpool, postgres, sleep, spilo
    module = {"spilo": spilo, "pgpool": pgpool, "postgres": postgres, "sleep": sleep}[
        runtime_name(ctx.container.get("image", ""))]
    env = {"PATH": DEFAULT_PATH, "HOME": "/var/lib/postgresql", "LANG": "C.UTF-8"}
    env.update(ctx.env)
    ctx.env = env
    return module.plan(ctx)
