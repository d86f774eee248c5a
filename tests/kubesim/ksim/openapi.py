"""OpenAPI v3 documents (`/openapi/v3` index and one document per group version), made
from the registry and ksim.schema, shaped as kube-apiserver 1.32 serves them:
`components.schemas` named `io.k8s.api.apps.v1.StatefulSet` with
`x-kubernetes-group-version-kind`, list semantics (`x-kubernetes-list-type`,
`x-kubernetes-list-map-keys`, `x-kubernetes-patch-merge-key`), and paths whose PATCH
operation lists the `fieldValidation` query parameter -- which is what makes kubectl send
`fieldValidation=Strict` and leave validation to the server (K8S_API.md 7.1).
`/openapi/v2` answers 404 (kubectl 1.32 only falls back to it when v3 fails).
"""
from __future__ import annotations

import hashlib
import json

from aiohttp import web

from . import errors, schema
from .patch import list_kind
from .resources import REGISTRY

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_PARAM = {
    "dryRun": "When present, indicates that modifications should not be persisted. An "
              "invalid or unrecognized dryRun directive will result in an error response and "
              "no further processing of the request. Valid values are: - All: all dry run "
              "stages will be processed",
    "fieldManager": "fieldManager is a name associated with the actor or entity that is "
                    "making these changes.",
    "fieldValidation": "fieldValidation instructs the server on how to handle objects in the "
                       "request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid "
                       "values are: - Ignore - Warn - Strict",
    "force": "Force is going to \"force\" Apply requests. It means user will re-acquire "
             "conflicting fields owned by other people.",
    "pretty": "If 'true', then the output is pretty printed.",
}


def _qparam(name: str, typ: str = "string") -> dict:
    return {"name": name, "in": "query", "description": _PARAM.get(name, name),
            "schema": {"type": typ, "uniqueItems": True}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


class OpenApi:
    def __init__(self, validator=None):
        self._docs: dict[str, tuple[bytes, str]] = {}

    async def handle(self, request: web.Request, segs: list[str]):
        if not segs or segs[0] not in ("v3",):
            raise errors.ApiError(404, "NotFound", "the server could not find the requested "
                                                   "resource", {})
        if len(segs) == 1:
            paths = {}
            for group, version in REGISTRY.group_versions():
                key = f"apis/{group}/{version}" if group else f"api/{version}"
                _, digest = self._doc(group, version)
                paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
            return web.json_response({"paths": paths})
        rest = segs[1:]
        if rest[0] == "api" and len(rest) == 2:
            group, version = "", rest[1]
        elif rest[0] == "apis" and len(rest) == 3:
            group, version = rest[1], rest[2]
        else:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested "
                                                   "resource", {})
        if (group, version) not in REGISTRY.group_versions():
            raise errors.ApiError(404, "NotFound", "the server could not find the requested "
                                                   "resource", {})
        body, digest = self._doc(group, version)
        return web.Response(body=body, content_type="application/json",
                            headers={"Etag": f'"{digest}"',
                                     "Cache-Control": "public, immutable"
                                     if request.query.get("hash") else "no-cache, private"})

    def _doc(self, group: str, version: str) -> tuple[bytes, str]:
        key = f"{group}/{version}"
        if key not in self._docs:
            doc = self.document(group, version)
            body = json.dumps(doc, separators=(",", ":")).encode()
            self._docs[key] = (body, hashlib.sha512(body).hexdigest().upper())
        return self._docs[key]

    def document(self, group: str, version: str) -> dict:
        schemas: dict = {}
        paths: dict = {}
        for rt in REGISTRY.in_group_version(group, version):
            model = schema.model_for_kind(rt.kind)
            if schema.fields(model) is None:
                continue
            top = schema.definition_name(model)
            self._add_model(model, schemas)
            schemas[top]["x-kubernetes-group-version-kind"] = [
                {"group": rt.group, "kind": rt.kind, "version": rt.version}]
            lst = top + "List"
            schemas[lst] = {
                "description": f"{rt.list_kind} is a list of {rt.kind}.",
                "type": "object", "required": ["items"],
                "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                               "items": {"type": "array", "items": {"allOf": [_ref(top)],
                                                                    "default": {}}},
                               "metadata": {"allOf": [_ref(_META + "ListMeta")],
                                            "default": {}}},
                "x-kubernetes-group-version-kind": [
                    {"group": rt.group, "kind": rt.list_kind, "version": rt.version}]}
            self._add_model("V1ListMeta", schemas)
            self._paths(rt, top, lst, paths)
        for extra in ("V1Status", "V1DeleteOptions"):
            self._add_model(extra, schemas)
        return {"openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": "v1.32.0"},
                "paths": paths, "components": {"schemas": schemas}}

    def _paths(self, rt, top: str, lst: str, paths: dict) -> None:
        prefix = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
        coll = prefix + ("/namespaces/{namespace}/" if rt.namespaced else "/") + rt.resource
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        op_kind = rt.kind

        def op(action, verb, body=None, params=(), ret=top, desc=""):
            o = {"tags": [f"{rt.group or 'core'}_{rt.version}"],
                 "description": desc or f"{action} {op_kind}",
                 "operationId": f"{action}{op_kind}",
                 "parameters": [_qparam(p) for p in params],
                 "responses": {"200": {"description": "OK", "content": {
                     "application/json": {"schema": _ref(ret)}}},
                     "401": {"description": "Unauthorized"}},
                 "x-kubernetes-action": verb, "x-kubernetes-group-version-kind": gvk}
            if body:
                o["requestBody"] = {"content": body, "required": True}
            return o

        obj_body = {"application/json": {"schema": _ref(top)},
                    "application/yaml": {"schema": _ref(top)}}
        patch_body = {ct: {"schema": _ref(_META + "Patch")} for ct in (
            "application/apply-patch+yaml", "application/json-patch+json",
            "application/merge-patch+json", "application/strategic-merge-patch+json")}
        write = ("dryRun", "fieldManager", "fieldValidation")
        paths[coll] = {
            "get": op("list", "list", ret=lst),
            "post": op("create", "post", obj_body, write),
            "delete": op("deletecollection", "deletecollection", ret=_META + "Status"),
            "parameters": ([{"name": "namespace", "in": "path", "required": True,
                             "schema": {"type": "string", "uniqueItems": True}}]
                           if rt.namespaced else []) + [_qparam("pretty")],
        }
        item_params = [{"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string", "uniqueItems": True}}] + \
            paths[coll]["parameters"]
        paths[coll + "/{name}"] = {
            "get": op("read", "get"),
            "put": op("replace", "put", obj_body, write),
            "patch": op("patch", "patch", patch_body, write + ("force",)),
            "delete": op("delete", "delete", {"application/json": {
                "schema": _ref(_META + "DeleteOptions")}}, ("dryRun",)),
            "parameters": item_params,
        }
        for sub in ("status",) if rt.has_status else ():
            paths[coll + "/{name}/" + sub] = {
                "get": op("read" + sub.title(), "get"),
                "put": op("replace" + sub.title(), "put", obj_body, write),
                "patch": op("patch" + sub.title(), "patch", patch_body, write + ("force",)),
                "parameters": item_params,
            }

    def _add_model(self, model: str, schemas: dict) -> None:
        name = schema.definition_name(model)
        if name in schemas:
            return
        fields = schema.fields(model)
        if fields is None:
            schemas[name] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
            return
        props: dict = {}
        schemas[name] = {"description": f"{name.rsplit('.', 1)[-1]} (kubesim: derived from the "
                                        f"Kubernetes API definitions).",
                         "type": "object", "properties": props}
        for field, typ in sorted(fields.items()):
            props[field] = self._prop(model, field, typ, schemas)

    def _prop(self, model: str, field: str, typ: str, schemas: dict) -> dict:
        kind, inner = schema.split(typ)
        if kind == "scalar":
            return {"str": {"type": "string", "default": ""}, "int": {"type": "integer",
                                                                     "format": "int32"},
                    "bool": {"type": "boolean"}, "float": {"type": "number",
                                                           "format": "double"},
                    "datetime": {"allOf": [_ref(_META + "Time")]},
                    "date": {"type": "string", "format": "date"},
                    }.get(typ, {"x-kubernetes-preserve-unknown-fields": True})
        if kind == "dict":
            return {"type": "object", "additionalProperties": self._prop(model, field, inner,
                                                                         schemas)}
        if kind == "list":
            p = {"type": "array", "items": self._prop(model, field, inner, schemas)}
            path = ("containers",) if model in ("V1Container", "V1EphemeralContainer") else \
                ("spec",) if model == "V1ServiceSpec" else ("status",) if \
                model.endswith("Status") else ()
            lk, keys = list_kind(path, field)
            if lk == "map":
                p["x-kubernetes-list-type"] = "map"
                p["x-kubernetes-list-map-keys"] = list(keys)
                p["x-kubernetes-patch-strategy"] = "merge"
                p["x-kubernetes-patch-merge-key"] = keys[0]
            elif lk == "set":
                p["x-kubernetes-list-type"] = "set"
                p["x-kubernetes-patch-strategy"] = "merge"
            elif inner.startswith("V1") or inner in ("str", "int"):
                p["x-kubernetes-list-type"] = "atomic"
            return p
        self._add_model(typ, schemas)
        return {"allOf": [_ref(schema.definition_name(typ))], "default": {}}
