"""Cluster DNS as a per-pod /etc/hosts (bind-mounted in the pod's mount namespace).

The names follow the Kubernetes DNS specification (DOC concepts/services-networking/
dns-pod-service/, kubernetes/dns docs/specification.md) with search path
`<ns>.svc.cluster.local svc.cluster.local cluster.local` already applied, because
/etc/hosts lookups do not use the resolver's search list:

- every Service with a ClusterIP: `svc.ns.svc.cluster.local`, `svc.ns.svc`, `svc.ns`,
  and `svc` in the pod's own namespace;
- a headless Service (clusterIP None): the same names for each address of its
  Endpoints (ready addresses only: notReadyAddresses get no record, unless
  publishNotReadyAddresses put them among the addresses);
- an endpoint with a `hostname` (StatefulSet pods of the governing Service):
  `hostname.svc.ns.svc.cluster.local` and the shorter forms as above;
- the pod itself (`hostname[.subdomain.ns.svc.cluster.local]`) and `localhost`.
resolv.conf points at no server (127.0.0.1:53 in the pod, closed), so unknown names
fail at once instead of leaking queries off the machine.
"""
from __future__ import annotations

import os

DOMAIN = "cluster.local"


def _forms(name: str, ns: str, own_ns: str) -> list[str]:
    out = [f"{name}.{ns}.svc.{DOMAIN}", f"{name}.{ns}.svc", f"{name}.{ns}"]
    if ns == own_ns:
        out.append(name)
    return out


def hosts_file(pod: dict, pod_ip: str, services: list[dict], endpoints: list[dict]) -> str:
    """The /etc/hosts text for `pod` (all objects are wire-form dicts)."""
    meta, spec = pod["metadata"], pod.get("spec", {})
    own_ns = meta.get("namespace", "default")
    hostname = spec.get("hostname") or meta["name"]
    lines = ["# Kubernetes-managed hosts file (kubesim).",
             "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    if pod_ip:
        names = []
        if spec.get("subdomain"):
            names.append(f"{hostname}.{spec['subdomain']}.{own_ns}.svc.{DOMAIN}")
        names.append(hostname)
        lines.append(f"{pod_ip}\t{' '.join(names)}")
    by_key = {(e["metadata"].get("namespace"), e["metadata"]["name"]): e for e in endpoints}
    records: list[tuple[str, list[str]]] = []
    for svc in services:
        sm = svc["metadata"]
        ns, name = sm.get("namespace", "default"), sm["name"]
        ip = (svc.get("spec") or {}).get("clusterIP", "")
        if ip and ip != "None":
            records.append((ip, _forms(name, ns, own_ns)))
            continue
        ep = by_key.get((ns, name))
        for subset in (ep or {}).get("subsets") or []:
            for addr in subset.get("addresses") or []:
                records.append((addr["ip"], _forms(name, ns, own_ns)))
                if addr.get("hostname"):
                    records.append((addr["ip"], _forms(f"{addr['hostname']}.{name}", ns, own_ns)))
    for ip, names in records:
        lines.append(f"{ip}\t{' '.join(names)}")
    return "\n".join(lines) + "\n"


def resolv_conf(namespace: str) -> str:
    return (f"search {namespace}.svc.{DOMAIN} svc.{DOMAIN} {DOMAIN}\n"
            "nameserver 127.0.0.1\noptions ndots:5 timeout:1 attempts:1\n")


def write_in_place(path: str, text: str) -> bool:
    """Rewrites `path` keeping its inode (it is bind-mounted); True if it changed."""
    data = text.encode()
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)
    return True
