"""The resource registry: every API resource kubesim serves.

Discovery (legacy and aggregated), routing, field selectors and the store's
per-kind semantics (generation, status subresource, create-on-update) are all
driven from this table. Values follow kube-apiserver 1.32
(`kubectl api-resources -o wide` on a 1.32 cluster; `KK pkg/registry/*/strategy.go`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")


@dataclass(frozen=True)
class Subresource:
    """One subresource: `name` (e.g. "status"), the kind it takes/returns and its verbs."""
    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str = ""      # response kind's group/version when it differs from the parent's
    version: str = ""


@dataclass(frozen=True, eq=False)
class ResourceType:
    """One served resource: group/version/resource (plural) and its kind.

    `subresources` is the set of subresource names ({"status", "scale"}); `subresource_info`
    maps each to a Subresource. `field_selectors` lists the fields a fieldSelector may use.
    `has_generation`: metadata.generation is maintained (bumped on spec changes).
    `allow_create_on_update`: PUT of a missing object creates it (Endpoints, Leases, ...).
    """
    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool
    singular: str
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresource_info: dict = field(default_factory=dict)
    field_selectors: tuple[str, ...] = ()
    has_generation: bool = False
    allow_create_on_update: bool = False
    verbs: tuple[str, ...] = ALL_VERBS

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def subresources(self) -> frozenset[str]:
        return frozenset(self.subresource_info)

    @property
    def has_status(self) -> bool:
        return "status" in self.subresource_info

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def qualified(self) -> str:
        """`pods`, `statefulsets.apps`: how error messages name the resource."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def allowed_field(self, name: str) -> bool:
        if name == "metadata.name":
            return True
        if name == "metadata.namespace":
            return self.namespaced
        return name in self.field_selectors

    def __repr__(self) -> str:
        return f"ResourceType({self.api_version}, {self.resource})"


def _subs(*items: Subresource) -> dict:
    return {s.name: s for s in items}


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, STATUS_VERBS)


_SCALE = Subresource("scale", "Scale", STATUS_VERBS, "autoscaling", "v1")

_POD_FIELDS = ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
               "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
               "status.podIP", "status.podIPs", "status.nominatedNodeName")
_EVENT_FIELDS = ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                 "involvedObject.uid", "involvedObject.apiVersion",
                 "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                 "reportingComponent", "source", "type")

_TYPES = [
    # core/v1
    ResourceType("", "v1", "namespaces", "Namespace", False, "namespace", ("ns",),
                 subresource_info=_subs(_status("Namespace"),
                                        Subresource("finalize", "Namespace", ("update",))),
                 field_selectors=("status.phase",),
                 verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    ResourceType("", "v1", "nodes", "Node", False, "node", ("no",),
                 subresource_info=_subs(_status("Node"),
                                        Subresource("proxy", "NodeProxyOptions",
                                                    ("create", "delete", "get", "patch", "update"))),
                 field_selectors=("spec.unschedulable",)),
    ResourceType("", "v1", "pods", "Pod", True, "pod", ("po",), ("all",),
                 subresource_info=_subs(
                     _status("Pod"),
                     Subresource("attach", "PodAttachOptions", ("create", "get")),
                     Subresource("binding", "Binding", ("create",)),
                     Subresource("ephemeralcontainers", "Pod", STATUS_VERBS),
                     Subresource("eviction", "Eviction", ("create",), "policy", "v1"),
                     Subresource("exec", "PodExecOptions", ("create", "get")),
                     Subresource("log", "Pod", ("get",)),
                     Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
                     Subresource("proxy", "PodProxyOptions",
                                 ("create", "delete", "get", "patch", "update"))),
                 field_selectors=_POD_FIELDS),
    ResourceType("", "v1", "services", "Service", True, "service", ("svc",), ("all",),
                 subresource_info=_subs(_status("Service"),
                                        Subresource("proxy", "ServiceProxyOptions",
                                                    ("create", "delete", "get", "patch", "update"))),
                 verbs=("create", "delete", "deletecollection", "get", "list", "patch",
                        "update", "watch")),
    ResourceType("", "v1", "endpoints", "Endpoints", True, "endpoints", ("ep",),
                 allow_create_on_update=True),
    ResourceType("", "v1", "configmaps", "ConfigMap", True, "configmap", ("cm",)),
    ResourceType("", "v1", "secrets", "Secret", True, "secret", (), field_selectors=("type",)),
    ResourceType("", "v1", "serviceaccounts", "ServiceAccount", True, "serviceaccount", ("sa",),
                 subresource_info=_subs(Subresource("token", "TokenRequest", ("create",),
                                                    "authentication.k8s.io", "v1"))),
    ResourceType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True,
                 "persistentvolumeclaim", ("pvc",),
                 subresource_info=_subs(_status("PersistentVolumeClaim"))),
    ResourceType("", "v1", "persistentvolumes", "PersistentVolume", False, "persistentvolume",
                 ("pv",), subresource_info=_subs(_status("PersistentVolume"))),
    ResourceType("", "v1", "events", "Event", True, "event", ("ev",),
                 field_selectors=_EVENT_FIELDS, allow_create_on_update=True),
    # apps/v1
    ResourceType("apps", "v1", "statefulsets", "StatefulSet", True, "statefulset", ("sts",),
                 ("all",), _subs(_status("StatefulSet"), _SCALE), has_generation=True),
    ResourceType("apps", "v1", "deployments", "Deployment", True, "deployment", ("deploy",),
                 ("all",), _subs(_status("Deployment"), _SCALE), has_generation=True),
    ResourceType("apps", "v1", "replicasets", "ReplicaSet", True, "replicaset", ("rs",),
                 ("all",), _subs(_status("ReplicaSet"), _SCALE),
                 field_selectors=("status.replicas",), has_generation=True),
    ResourceType("apps", "v1", "controllerrevisions", "ControllerRevision", True,
                 "controllerrevision"),
    # batch/v1
    ResourceType("batch", "v1", "jobs", "Job", True, "job", (), ("all",),
                 _subs(_status("Job")), field_selectors=("status.successful",),
                 has_generation=True),
    # policy/v1
    ResourceType("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True,
                 "poddisruptionbudget", ("pdb",),
                 subresource_info=_subs(_status("PodDisruptionBudget")), has_generation=True),
    # networking.k8s.io/v1
    ResourceType("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True,
                 "networkpolicy", ("netpol",), has_generation=True),
    # discovery.k8s.io/v1
    ResourceType("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True,
                 "endpointslice", has_generation=True),
    # rbac.authorization.k8s.io/v1
    ResourceType("rbac.authorization.k8s.io", "v1", "roles", "Role", True, "role"),
    ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True,
                 "rolebinding"),
    ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False,
                 "clusterrole"),
    ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding",
                 False, "clusterrolebinding"),
    # coordination.k8s.io/v1
    ResourceType("coordination.k8s.io", "v1", "leases", "Lease", True, "lease",
                 allow_create_on_update=True),
    # storage.k8s.io/v1
    ResourceType("storage.k8s.io", "v1", "storageclasses", "StorageClass", False,
                 "storageclass", ("sc",)),
    # authorization.k8s.io/v1: answered, never stored (`kubectl auth can-i`)
    ResourceType("authorization.k8s.io", "v1", "selfsubjectaccessreviews",
                 "SelfSubjectAccessReview", False, "selfsubjectaccessreview",
                 verbs=("create",)),
]

# Group order as kube-apiserver lists them in /apis (legacy core first, in /api).
GROUP_ORDER = ["", "apps", "batch", "policy", "networking.k8s.io", "discovery.k8s.io",
               "rbac.authorization.k8s.io", "coordination.k8s.io", "storage.k8s.io",
               "authorization.k8s.io"]


class Registry:
    """Lookup of ResourceTypes by kind, by resource and by group version."""

    def __init__(self, types: list[ResourceType]):
        self._types = list(types)
        self._by_kind = {(t.api_version, t.kind): t for t in types}
        self._by_resource = {(t.group, t.version, t.resource): t for t in types}

    def all(self) -> list[ResourceType]:
        return list(self._types)

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_kind.get((api_version, kind))

    def by_resource(self, group: str, version: str, resource: str) -> ResourceType | None:
        return self._by_resource.get((group, version, resource))

    def group_versions(self) -> list[tuple[str, str]]:
        """(group, version) pairs in discovery order, core ("", "v1") first."""
        seen = []
        for g in GROUP_ORDER:
            for t in self._types:
                if t.group == g and (g, t.version) not in seen:
                    seen.append((g, t.version))
        return seen

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [t for t in self._types if t.group == group and t.version == version]

    def find(self, name: str) -> ResourceType | None:
        """Resolve a kubectl-style name: plural, singular, short name, kind, or `res.group`."""
        name = name.lower()
        res, _, group = name.partition(".")
        for t in self._types:
            if group and t.group != group:
                continue
            if res in (t.resource, t.singular, t.kind.lower()) or res in t.short_names:
                return t
        return None


REGISTRY = Registry(_TYPES)
