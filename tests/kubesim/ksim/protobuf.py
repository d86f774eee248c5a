"""Decoding of the protobuf request bodies kubectl's typed clients send
(`application/vnd.kubernetes.protobuf`), for the small kinds its generators create:
`kubectl create namespace|configmap|secret|serviceaccount` and `kubectl auth can-i`.

Wire format: the magic `k8s\\0`, then a runtime.Unknown {1: typeMeta {1: apiVersion,
2: kind}, 2: raw (the object), 3: contentEncoding, 4: contentType}
(`AM pkg/runtime/serializer/protobuf/protobuf.go`). Field numbers are those of the
`protobuf:"..."` struct tags of k8s.io/api and apimachinery (`generated.proto`). Other
kinds are answered 415, naming the JSON alternative.
"""
from __future__ import annotations

import base64

from . import errors

MAGIC = b"k8s\x00"

# message -> {field number: (json name, type)}; type: "string", "bytes", "bool", "int",
# "map<string>", "map<bytes>", "repeated string", a message name, or "repeated <message>".
_MESSAGES = {
    "ObjectMeta": {1: ("name", "string"), 2: ("generateName", "string"),
                   3: ("namespace", "string"), 5: ("uid", "string"),
                   6: ("resourceVersion", "string"), 11: ("labels", "map<string>"),
                   12: ("annotations", "map<string>"),
                   13: ("ownerReferences", "repeated OwnerReference"),
                   14: ("finalizers", "repeated string")},
    "OwnerReference": {1: ("kind", "string"), 3: ("name", "string"), 4: ("uid", "string"),
                       5: ("apiVersion", "string"), 6: ("controller", "bool"),
                       7: ("blockOwnerDeletion", "bool")},
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "repeated string")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "map<string>"),
                  3: ("binaryData", "map<bytes>"), 4: ("immutable", "bool")},
    "Secret": {1: ("metadata", "ObjectMeta"), 2: ("data", "map<bytes>"),
               3: ("type", "string"), 4: ("stringData", "map<string>"),
               5: ("immutable", "bool")},
    "ServiceAccount": {1: ("metadata", "ObjectMeta"),
                       2: ("secrets", "repeated ObjectReference"),
                       3: ("imagePullSecrets", "repeated LocalObjectReference"),
                       4: ("automountServiceAccountToken", "bool")},
    "ObjectReference": {1: ("kind", "string"), 2: ("namespace", "string"),
                        3: ("name", "string")},
    "LocalObjectReference": {1: ("name", "string")},
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"),
                                2: ("spec", "SelfSubjectAccessReviewSpec")},
    "SelfSubjectAccessReviewSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                                    2: ("nonResourceAttributes", "NonResourceAttributes")},
    "ResourceAttributes": {1: ("namespace", "string"), 2: ("verb", "string"),
                           3: ("group", "string"), 4: ("version", "string"),
                           5: ("resource", "string"), 6: ("subresource", "string"),
                           7: ("name", "string")},
    "NonResourceAttributes": {1: ("path", "string"), 2: ("verb", "string")},
}


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes):
    """(field number, wire type, value) triples; length-delimited values as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        else:
            raise ValueError(f"unsupported wire type {wt}")
        yield num, wt, val


def _message(buf: bytes, name: str) -> dict:
    spec = _MESSAGES[name]
    out: dict = {}
    for num, _, val in _fields(buf):
        if num not in spec:
            continue
        field, typ = spec[num]
        if typ in ("string", "bool", "int") and not val:
            continue        # Go zero values: omitted in JSON (omitempty)
        if typ == "string":
            out[field] = val.decode()
        elif typ == "bytes":
            out[field] = base64.b64encode(val).decode()
        elif typ == "bool":
            out[field] = bool(val)
        elif typ == "int":
            out[field] = val
        elif typ.startswith("map<"):
            entry = {k: v for k, _, v in _fields(val)}
            key = entry.get(1, b"").decode()
            raw = entry.get(2, b"")
            out.setdefault(field, {})[key] = raw.decode() if typ == "map<string>" else \
                base64.b64encode(raw).decode()
        elif typ == "repeated string":
            out.setdefault(field, []).append(val.decode())
        elif typ.startswith("repeated "):
            out.setdefault(field, []).append(_message(val, typ[9:]))
        else:
            out[field] = _message(val, typ)
    return out


def decode(body: bytes) -> dict:
    """A wire-form JSON object from a protobuf request body; ApiError 415 for kinds this
    module does not know."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("protobuf body without the k8s\\0 prefix")
    unknown = {num: val for num, _, val in _fields(body[len(MAGIC):])}
    tm = {num: val.decode() for num, _, val in _fields(unknown.get(1, b""))}
    api_version, kind = tm.get(1, ""), tm.get(2, "")
    if kind not in _MESSAGES:
        raise errors.ApiError(
            415, "UnsupportedMediaType",
            f"kubesim decodes protobuf bodies only for {', '.join(k for k in _TOP)}, "
            f"not {kind or 'this object'}: send JSON (e.g. `kubectl create ... "
            f"--dry-run=client -o yaml | kubectl apply -f -`)")
    obj = {"apiVersion": api_version, "kind": kind}
    obj.update(_message(unknown.get(2, b""), kind))
    return obj


_TOP = ("Namespace", "ConfigMap", "Secret", "ServiceAccount", "SelfSubjectAccessReview")
