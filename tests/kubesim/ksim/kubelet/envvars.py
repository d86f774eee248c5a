"""A container's environment as the kubelet builds it (KK pkg/kubelet/kubelet_pods.go
makeEnvironmentVariables; DOC tasks/inject-data-application/define-interdependent-environment-variables/):

1. service links: `<SVC>_SERVICE_HOST/_PORT` (+ `_PORT_<n>_TCP...`) for every Service of
   the pod's namespace with a ClusterIP when `enableServiceLinks` (default true), and
   always `KUBERNETES_SERVICE_HOST/PORT` of `default/kubernetes`;
2. `envFrom` (configMapRef / secretRef with `prefix`);
3. `env` in order: `value` with `$(VAR)` expanded from the variables defined before it
   (`$$(VAR)` escapes, unknown references stay as written), or `valueFrom`
   (fieldRef, secretKeyRef, configMapKeyRef, resourceFieldRef).
A missing non-optional Secret or ConfigMap (or key) is a CreateContainerConfigError.
"""
from __future__ import annotations

import base64
import re

from ksim.kubelet.fieldpath import field_value

_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")


class ConfigError(Exception):
    """The container cannot be configured (reason CreateContainerConfigError)."""


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes `$(VAR)` expansion (`$$` is a literal `$`)."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return _REF.sub(sub, value)


def _svc_env_name(name: str) -> str:
    return name.upper().replace("-", "_")


def service_links(services: list[dict], namespace: str, kubernetes_ip: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for svc in services:
        spec = svc.get("spec", {})
        ip = spec.get("clusterIP", "")
        if not ip or ip == "None" or svc["metadata"].get("namespace") != namespace:
            continue
        ports = spec.get("ports") or []
        if not ports:
            continue
        n = _svc_env_name(svc["metadata"]["name"])
        env[f"{n}_SERVICE_HOST"] = ip
        env[f"{n}_SERVICE_PORT"] = str(ports[0]["port"])
        for p in ports:
            if p.get("name"):
                env[f"{n}_SERVICE_PORT_{_svc_env_name(p['name'])}"] = str(p["port"])
        proto = (ports[0].get("protocol") or "TCP").lower()
        env[f"{n}_PORT"] = f"{proto}://{ip}:{ports[0]['port']}"
        for p in ports:
            pr = (p.get("protocol") or "TCP")
            base = f"{n}_PORT_{p['port']}_{pr}"
            env[base] = f"{pr.lower()}://{ip}:{p['port']}"
            env[f"{base}_PROTO"] = pr.lower()
            env[f"{base}_PORT"] = str(p["port"])
            env[f"{base}_ADDR"] = ip
    env.update({"KUBERNETES_SERVICE_HOST": kubernetes_ip, "KUBERNETES_SERVICE_PORT": "443",
                "KUBERNETES_SERVICE_PORT_HTTPS": "443",
                "KUBERNETES_PORT": f"tcp://{kubernetes_ip}:443",
                "KUBERNETES_PORT_443_TCP": f"tcp://{kubernetes_ip}:443",
                "KUBERNETES_PORT_443_TCP_PROTO": "tcp", "KUBERNETES_PORT_443_TCP_PORT": "443",
                "KUBERNETES_PORT_443_TCP_ADDR": kubernetes_ip})
    return env


def _resource_value(container: dict, resource: str) -> str:
    """limits.memory etc. as written in the spec (kubesim applies no divisor)."""
    section, _, name = resource.partition(".")
    return str(((container.get("resources") or {}).get(section) or {}).get(name, "0"))


def container_env(pod: dict, container: dict, lookup, base: dict[str, str]) -> dict[str, str]:
    """The environment of `container` (base = service links and image defaults).
    `lookup(kind, ns, name)` returns a stored ConfigMap/Secret or None."""
    ns = pod["metadata"].get("namespace", "default")
    env = dict(base)

    def source_data(kind: str, name: str, optional: bool) -> dict[str, str] | None:
        obj = lookup(kind, ns, name)
        if obj is None:
            if optional:
                return None
            raise ConfigError(f'{kind.lower()} "{name}" not found')
        if kind == "Secret":
            return {k: base64.b64decode(v).decode("utf-8", "replace")
                    for k, v in (obj.get("data") or {}).items()}
        return dict(obj.get("data") or {})

    for ef in container.get("envFrom") or []:
        prefix = ef.get("prefix", "")
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            if key in ef:
                data = source_data(kind, ef[key]["name"], bool(ef[key].get("optional")))
                for k, v in (data or {}).items():
                    env[prefix + k] = v

    for e in container.get("env") or []:
        name = e["name"]
        if "valueFrom" not in e:
            env[name] = expand(e.get("value", ""), env)
            continue
        vf = e["valueFrom"]
        if "fieldRef" in vf:
            env[name] = field_value(pod, vf["fieldRef"]["fieldPath"])
        elif "secretKeyRef" in vf or "configMapKeyRef" in vf:
            kind, ref = ("Secret", vf["secretKeyRef"]) if "secretKeyRef" in vf \
                else ("ConfigMap", vf["configMapKeyRef"])
            data = source_data(kind, ref["name"], bool(ref.get("optional")))
            if data is None:
                continue
            if ref["key"] not in data:
                if ref.get("optional"):
                    continue
                raise ConfigError(f"couldn't find key {ref['key']} in {kind} {ns}/{ref['name']}")
            env[name] = data[ref["key"]]
        elif "resourceFieldRef" in vf:
            env[name] = _resource_value(container, vf["resourceFieldRef"]["resource"])
    return env
