"""Request-body validation: decoding (wrong JSON types -> 400 always) and unknown fields
(reported per fieldValidation Strict/Warn/Ignore), as kube-apiserver's strict decoder does
(`AS pkg/endpoints/handlers/rest.go`, K8S_API.md 3.3). Field paths are written as the
API writes them: `spec.template.spec.containers[0].foo`.
"""
from __future__ import annotations

from functools import lru_cache

from . import schema

_JSON_TYPE = {str: "string", int: "number", float: "number", bool: "bool", list: "array",
              dict: "object", type(None): "null"}
_GO_SCALAR = {"str": "string", "int": "int32", "bool": "bool", "float": "float64",
              "datetime": "v1.Time", "date": "string"}


def _go_type(typ: str) -> str:
    kind, inner = schema.split(typ)
    if kind == "list":
        return "[]" + _go_type(inner)
    if kind == "dict":
        return "map[string]" + _go_type(inner)
    if kind == "scalar":
        return _GO_SCALAR.get(typ, "interface {}")
    return "v1." + typ.split("V1", 1)[-1]


class Validator:
    def check(self, rt, obj: dict) -> tuple[list[str], list[str]]:
        """(type errors, unknown field paths) for a wire object of kind rt.kind."""
        model = schema.model_for_kind(rt.kind)
        if schema.fields(model) is None:
            return [], []
        type_errors: list[str] = []
        unknown: list[str] = []
        self._walk(obj, model, "", model, type_errors, unknown)
        return type_errors, unknown

    def _walk(self, value, typ: str, path: str, parent_model: str, type_errors, unknown):
        if value is None:
            return
        kind, inner = schema.split(typ)
        if kind == "scalar":
            ok = {"str": isinstance(value, str),
                  "int": isinstance(value, int) and not isinstance(value, bool),
                  "float": isinstance(value, (int, float)) and not isinstance(value, bool),
                  "bool": isinstance(value, bool),
                  "datetime": isinstance(value, str), "date": isinstance(value, str),
                  "object": True}.get(typ, True)
            if not ok:
                self._type_error(value, typ, path, parent_model, type_errors)
            return
        if kind == "list":
            if not isinstance(value, list):
                self._type_error(value, typ, path, parent_model, type_errors)
                return
            for i, v in enumerate(value):
                self._walk(v, inner, f"{path}[{i}]", parent_model, type_errors, unknown)
            return
        if kind == "dict":
            if not isinstance(value, dict):
                self._type_error(value, typ, path, parent_model, type_errors)
                return
            for k, v in value.items():
                self._walk(v, inner, f"{path}.{k}" if path else k, parent_model, type_errors,
                           unknown)
            return
        fields = schema.fields(typ)
        if fields is None:
            return
        if not isinstance(value, dict):
            self._type_error(value, typ, path, parent_model, type_errors)
            return
        for k, v in value.items():
            sub = f"{path}.{k}" if path else k
            t = fields.get(k)
            if t is None:
                unknown.append(sub)
                continue
            self._walk(v, t, sub, typ, type_errors, unknown)

    @staticmethod
    def _type_error(value, typ, path, parent_model, type_errors):
        struct = parent_model.split("V1", 1)[-1]
        type_errors.append(f"json: cannot unmarshal {_JSON_TYPE.get(type(value), 'value')} "
                           f"into Go struct field {struct}.{path} of type {_go_type(typ)}")


# Slices serialized without omitempty in the Go types (kept when empty).
_KEEP_EMPTY = {("V1PodSpec", "containers"), ("V1Role", "rules"), ("V1ClusterRole", "rules"),
               ("V1EndpointSlice", "endpoints"), ("V1NetworkPolicyPeer", "ipBlock")}


def normalize(rt, obj: dict) -> None:
    """Drop what Go's encoder would not write: nulls, and empty maps and slices of
    `omitempty` fields (every map/slice field of the served kinds but a few), so a
    stored object reads back as kube-apiserver's would (`data: {}` -> absent)."""
    model = schema.model_for_kind(rt.kind)
    if schema.fields(model) is not None:
        _normalize(obj, model)


@lru_cache(maxsize=None)
def _plan(model: str) -> dict:
    """field -> (kind, inner, keep_empty) for a model (cached)."""
    out = {}
    for k, typ in (schema.fields(model) or {}).items():
        kind, inner = schema.split(typ)
        nested = None
        if kind == "model":
            nested = typ
        elif kind == "list" and schema.split(inner)[0] == "model":
            nested = inner
        out[k] = (kind, nested, (model, k) in _KEEP_EMPTY)
    return out


def _normalize(value: dict, model: str) -> None:
    plan = _plan(model)
    for k in list(value):
        v = value[k]
        if v is None:
            if k != "creationTimestamp":
                del value[k]
            continue
        p = plan.get(k)
        if p is None:
            continue
        kind, nested, keep = p
        if kind in ("list", "dict") and not v and not keep:
            del value[k]
        elif nested is not None:
            if kind == "model":
                if isinstance(v, dict):
                    _normalize(v, nested)
            elif isinstance(v, list):
                for item in v:
                    if isinstance(item, dict):
                        _normalize(item, nested)
