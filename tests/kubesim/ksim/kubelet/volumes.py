"""Pod volumes as directories, and the bind mounts that put them at their mountPaths.

Where each volume type lives (DIR = the kubesim state directory):
- persistentVolumeClaim: the bound PersistentVolume's hostPath (kubesim's provisioner
  makes DIR/volumes/pvc-<uid>), else DIR/volumes/<namespace>/<claimName>/, created on first use
  and never removed by the kubelet, so a re-created pod that names the same claim
  (a StatefulSet pod of the same ordinal) finds its data again;
- emptyDir: <pod dir>/volumes/<name>/ (mode 0777 as the kubelet makes it), removed
  with the pod; `medium: Memory` is a plain directory too;
- configMap, secret, downwardAPI, projected (serviceAccountToken, configMap, secret,
  downwardAPI sources): files written into <pod dir>/volumes/<name>/ with `items`
  (key -> path) and `defaultMode`/`mode`, refreshed when the source object changes
  (KK pkg/volume/configmap, secret, projected); a missing non-optional source keeps
  the pod in ContainerCreating;
- hostPath: the host path itself.

Files are owned by the container user (the local `postgres` user; the real kubelet
would use root with fsGroup). The service-account volume (token, ca.crt, namespace)
is mounted at /var/run/secrets/kubernetes.io/serviceaccount, as the ServiceAccount
admission plugin adds it, unless automountServiceAccountToken is false.
"""
from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass

from ksim.kubelet.fieldpath import field_value

SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


class VolumeNotReady(Exception):
    """A volume's source is missing (the pod waits in ContainerCreating, FailedMount)."""


@dataclass
class Mount:
    source: str
    target: str
    read_only: bool = False
    file: bool = False

    def to_spec(self) -> dict:
        return {"source": self.source, "target": self.target,
                "read_only": self.read_only, "file": self.file}


def _chown(path: str, uid: int, gid: int) -> None:
    try:
        os.chown(path, uid, gid)
    except OSError:
        pass


def _write_files(root: str, files: dict[str, tuple[bytes, int]], uid: int, gid: int) -> None:
    """Makes `root` hold exactly `files` (relative path -> (content, mode))."""
    os.makedirs(root, exist_ok=True)
    wanted = set()
    for rel, (content, mode) in files.items():
        path = os.path.join(root, rel)
        wanted.add(os.path.normpath(path))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        old = None
        if os.path.isfile(path):
            with open(path, "rb") as f:
                old = f.read()
        if old != content:
            with open(path, "wb") as f:     # in place: bind mounts of single files keep the inode
                f.write(content)
        os.chmod(path, mode)
        _chown(path, uid, gid)
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = os.path.normpath(os.path.join(dirpath, n))
            if p not in wanted:
                os.unlink(p)


class VolumeSet:
    """Materialises the volumes of one pod. `lookup(kind, ns, name)` returns a stored
    object (dict) or None; `token(pod)` the service-account token; `ca_pem` bytes."""

    def __init__(self, pod: dict, pod_dir: str, volumes_root: str, lookup, token, ca_pem: bytes,
                 uid: int, gid: int):
        self.pod = pod
        self.pod_dir = pod_dir
        self.volumes_root = volumes_root
        self.lookup = lookup
        self.token = token
        self.ca_pem = ca_pem
        self.uid, self.gid = uid, gid
        self.paths: dict[str, str] = {}

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    def prepare(self) -> None:
        """Creates or refreshes every volume; raises VolumeNotReady."""
        for vol in self.pod["spec"].get("volumes") or []:
            self.paths[vol["name"]] = self._prepare_one(vol)
        if self.automount_token():
            self.paths["\0serviceaccount"] = self._service_account()

    def automount_token(self) -> bool:
        spec = self.pod["spec"]
        if spec.get("automountServiceAccountToken") is False:
            return False
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            for m in c.get("volumeMounts") or []:
                if m.get("mountPath", "").rstrip("/") == SA_MOUNT:
                    return False
        return True

    def _own_dir(self, name: str) -> str:
        return os.path.join(self.pod_dir, "volumes", name)

    def _prepare_one(self, vol: dict) -> str:
        name = vol["name"]
        if "persistentVolumeClaim" in vol:
            claim = vol["persistentVolumeClaim"]["claimName"]
            pvc = self.lookup("PersistentVolumeClaim", self.namespace, claim)
            if pvc is None:
                raise VolumeNotReady(f'persistentvolumeclaim "{claim}" not found')
            path = self._claim_path(pvc)
            os.makedirs(path, mode=0o755, exist_ok=True)
            if os.stat(path).st_uid != self.uid:
                _chown(path, self.uid, self.gid)
            return path
        if "emptyDir" in vol:
            path = self._own_dir(name)
            if not os.path.isdir(path):
                os.makedirs(path)
                os.chmod(path, 0o777)
                _chown(path, self.uid, self.gid)
            return path
        if "hostPath" in vol:
            path = vol["hostPath"]["path"]
            if vol["hostPath"].get("type") in ("DirectoryOrCreate",):
                os.makedirs(path, exist_ok=True)
            return path
        files: dict[str, tuple[bytes, int]] = {}
        if "configMap" in vol:
            self._add_source(files, "ConfigMap", vol["configMap"], vol["configMap"].get("defaultMode", 0o644))
        elif "secret" in vol:
            src = dict(vol["secret"], name=vol["secret"].get("secretName"))
            self._add_source(files, "Secret", src, vol["secret"].get("defaultMode", 0o644))
        elif "downwardAPI" in vol:
            self._add_downward(files, vol["downwardAPI"].get("items") or [],
                               vol["downwardAPI"].get("defaultMode", 0o644))
        elif "projected" in vol:
            mode = vol["projected"].get("defaultMode", 0o644)
            for src in vol["projected"].get("sources") or []:
                if "serviceAccountToken" in src:
                    files[src["serviceAccountToken"]["path"]] = (self.token(self.pod).encode(), mode)
                elif "configMap" in src:
                    self._add_source(files, "ConfigMap", src["configMap"], mode)
                elif "secret" in src:
                    self._add_source(files, "Secret", src["secret"], mode)
                elif "downwardAPI" in src:
                    self._add_downward(files, src["downwardAPI"].get("items") or [], mode)
        else:
            raise VolumeNotReady(f"volume {name!r}: this volume type is not supported by kubesim")
        path = self._own_dir(name)
        _write_files(path, files, self.uid, self.gid)
        return path

    def _claim_path(self, pvc: dict) -> str:
        """The bound PersistentVolume's hostPath, else DIR/volumes/<ns>/<claim>."""
        pv_name = (pvc.get("spec") or {}).get("volumeName")
        pv = self.lookup("PersistentVolume", None, pv_name) if pv_name else None
        host = ((pv or {}).get("spec") or {}).get("hostPath", {}).get("path")
        return host or os.path.join(self.volumes_root, self.namespace, pvc["metadata"]["name"])

    def _add_source(self, files, kind: str, src: dict, mode: int) -> None:
        obj = self.lookup(kind, self.namespace, src.get("name", ""))
        if obj is None:
            if src.get("optional"):
                return
            raise VolumeNotReady(f'{kind.lower()} "{src.get("name")}" not found')
        data = {k: v.encode() for k, v in (obj.get("data") or {}).items()} if kind == "ConfigMap" \
            else {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
        if kind == "ConfigMap":
            data.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
        items = src.get("items")
        if not items:
            for k, v in data.items():
                files[k] = (v, mode)
            return
        for it in items:
            if it["key"] not in data:
                if src.get("optional"):
                    continue
                raise VolumeNotReady(f'{kind.lower()} "{src.get("name")}" has no key {it["key"]!r}')
            files[it["path"]] = (data[it["key"]], it.get("mode", mode))

    def _add_downward(self, files, items: list, mode: int) -> None:
        for it in items:
            if "fieldRef" in it:
                value = field_value(self.pod, it["fieldRef"]["fieldPath"])
                files[it["path"]] = (value.encode(), it.get("mode", mode))

    def _service_account(self) -> str:
        files = {"token": (self.token(self.pod).encode(), 0o644),
                 "ca.crt": (self.ca_pem, 0o644),
                 "namespace": (self.namespace.encode(), 0o644)}
        path = self._own_dir("kube-api-access")
        _write_files(path, files, self.uid, self.gid)
        return path

    def mounts_for(self, container: dict) -> list[Mount]:
        """The container's bind mounts (parents before children)."""
        out = []
        for m in container.get("volumeMounts") or []:
            base = self.paths.get(m["name"])
            if base is None:
                raise VolumeNotReady(f"container {container['name']!r} mounts unknown volume {m['name']!r}")
            src = base
            if m.get("subPath"):
                src = os.path.join(base, m["subPath"])
                if not os.path.exists(src):
                    os.makedirs(src)
                    _chown(src, self.uid, self.gid)
            out.append(Mount(src, m["mountPath"].rstrip("/") or "/", bool(m.get("readOnly")),
                             os.path.isfile(src)))
        if "\0serviceaccount" in self.paths:
            out.append(Mount(self.paths["\0serviceaccount"], SA_MOUNT, True))
        out.sort(key=lambda mt: mt.target.count("/"))
        return out

    def remove_pod_volumes(self) -> None:
        shutil.rmtree(os.path.join(self.pod_dir, "volumes"), ignore_errors=True)

