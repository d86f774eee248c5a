"""Discovery documents made from the registry: legacy (/api, /apis, /api/v1,
/apis/G/V) and aggregated v2 (`APIGroupDiscoveryList`), as kube-apiserver 1.32 serves
them (K8S_API.md 7.1-7.2; `API apidiscovery/v2/types.go`)."""
from __future__ import annotations

from .resources import REGISTRY, ResourceType

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


def wants_aggregated(accept: str) -> str | None:
    """The aggregated media type to answer with when Accept offers it (v2 preferred)."""
    best = None
    for part in accept.split(","):
        params = {}
        for p in part.split(";")[1:]:
            k, _, v = p.strip().partition("=")
            params[k] = v
        if params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList":
            if params.get("v") == "v2":
                return AGGREGATED_V2
            if params.get("v") == "v2beta1":
                best = AGGREGATED_V2BETA1
    return best


def api_versions(server_address: str) -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                            "serverAddress": server_address}]}


def _gv(group: str, version: str) -> dict:
    return {"groupVersion": f"{group}/{version}", "version": version}


def api_group_list() -> dict:
    groups = []
    for group, version in REGISTRY.group_versions():
        if not group:
            continue
        groups.append({"name": group, "versions": [_gv(group, version)],
                       "preferredVersion": _gv(group, version)})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group: str) -> dict | None:
    versions = [v for g, v in REGISTRY.group_versions() if g == group]
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group,
            "versions": [_gv(group, v) for v in versions],
            "preferredVersion": _gv(group, versions[0])}


def _resource_entry(rt: ResourceType) -> dict:
    e = {"name": rt.resource, "singularName": rt.singular, "namespaced": rt.namespaced,
         "kind": rt.kind, "verbs": list(rt.verbs)}
    if rt.short_names:
        e["shortNames"] = list(rt.short_names)
    if rt.categories:
        e["categories"] = list(rt.categories)
    return e


def api_resource_list(group: str, version: str) -> dict | None:
    types = REGISTRY.in_group_version(group, version)
    if not types:
        return None
    resources = []
    for rt in types:
        resources.append(_resource_entry(rt))
        for sub in sorted(rt.subresource_info.values(), key=lambda s: s.name):
            e = {"name": f"{rt.resource}/{sub.name}", "singularName": "",
                 "namespaced": rt.namespaced, "kind": sub.kind, "verbs": list(sub.verbs)}
            if sub.group or sub.version:
                e["group"], e["version"] = sub.group, sub.version
            resources.append(e)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": resources}


def _aggregated_resource(rt: ResourceType) -> dict:
    e = {"resource": rt.resource,
         "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
         "scope": "Namespaced" if rt.namespaced else "Cluster",
         "singularResource": rt.singular, "verbs": list(rt.verbs)}
    if rt.short_names:
        e["shortNames"] = list(rt.short_names)
    if rt.categories:
        e["categories"] = list(rt.categories)
    subs = []
    for sub in sorted(rt.subresource_info.values(), key=lambda s: s.name):
        subs.append({"subresource": sub.name,
                     "responseKind": {"group": sub.group if sub.version else rt.group,
                                      "version": sub.version or rt.version, "kind": sub.kind},
                     "verbs": list(sub.verbs)})
    if subs:
        e["subresources"] = subs
    return e


def aggregated(legacy: bool, media_type: str) -> dict:
    """The APIGroupDiscoveryList for /api (legacy=True: the single core group, empty name)
    or /apis (every named group)."""
    items = []
    for group, version in REGISTRY.group_versions():
        if bool(group) == legacy:
            continue
        items.append({"metadata": {"name": group, "creationTimestamp": None},
                      "versions": [{"version": version, "freshness": "Current",
                                    "resources": [_aggregated_resource(rt) for rt in
                                                  REGISTRY.in_group_version(group, version)]}]})
    api_version = "apidiscovery.k8s.io/v2" if "v=v2;" in media_type else \
        "apidiscovery.k8s.io/v2beta1"
    return {"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {},
            "items": items}
