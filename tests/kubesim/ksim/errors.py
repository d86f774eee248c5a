"""ApiError: an API failure that renders as a metav1.Status.

Messages follow kube-apiserver's (`AM pkg/api/errors/errors.go`): NotFound and AlreadyExists
name the qualified resource (`statefulsets.apps "pg" not found`), Invalid lists causes.
"""
from __future__ import annotations


class ApiError(Exception):
    """`code` is the HTTP status, `reason` the metav1.StatusReason, `details` the
    StatusDetails dict (name, group, kind, causes[{reason,message,field}], retryAfterSeconds)."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict:
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message}
        if self.reason:
            s["reason"] = self.reason
        if self.details:
            s["details"] = self.details
        s["code"] = self.code
        return s

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.reason}, {self.message!r})"


def _details(rt, name: str | None) -> dict:
    d = {}
    if name:
        d["name"] = name
    if rt is not None:
        if rt.group:
            d["group"] = rt.group
        d["kind"] = rt.resource
    return d


def not_found(rt, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{rt.qualified} "{name}" not found', _details(rt, name))


def already_exists(rt, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{rt.qualified} "{name}" already exists',
                    _details(rt, name))


def conflict(rt, name: str, why: str) -> ApiError:
    return ApiError(409, "Conflict",
                    f'Operation cannot be fulfilled on {rt.qualified} "{name}": {why}',
                    _details(rt, name))


STALE = ("the object has been modified; please apply your changes to the latest version "
         "and try again")


def invalid(rt, name: str, causes: list[dict]) -> ApiError:
    """causes: [{"reason": "FieldValueInvalid", "message": "Invalid value: ...", "field": "spec.x"}]"""
    parts = [f"{c['field']}: {c['message']}" if c.get("field") else c["message"] for c in causes]
    if len(parts) == 1:
        body = parts[0]
    else:
        body = "[" + ", ".join(parts) + "]"
    d = _details(rt, name)
    if rt is not None:
        d["kind"] = rt.kind
    d["causes"] = causes
    return ApiError(422, "Invalid", f'{rt.kind if rt else "object"} "{name}" is invalid: {body}', d)


def cause(reason: str, field: str, message: str) -> dict:
    return {"reason": reason, "message": message, "field": field}


def required(field: str, what: str = "") -> dict:
    return cause("FieldValueRequired", field, "Required value" + (f": {what}" if what else ""))


def bad_value(field: str, value, why: str) -> dict:
    import json
    return cause("FieldValueInvalid", field, f"Invalid value: {json.dumps(value)}: {why}")


def bad_request(message: str, causes: list[dict] | None = None) -> ApiError:
    return ApiError(400, "BadRequest", message, {"causes": causes} if causes else None)


def forbidden(message: str, rt=None, name: str | None = None) -> ApiError:
    return ApiError(403, "Forbidden", message, _details(rt, name) or None)


def method_not_allowed(message: str) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)


def expired(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType",
                    f'the body of the request was in an unknown format - accepted media types '
                    f'include: application/json-patch+json, application/merge-patch+json, '
                    f'application/apply-patch+yaml, application/strategic-merge-patch+json'
                    if content_type is not None else "unsupported media type")


def internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", f"Internal error occurred: {message}",
                    {"causes": [{"message": message}]})


def too_large_resource_version(requested: int, current: int) -> ApiError:
    return ApiError(504, "Timeout",
                    f"Timeout: Too large resource version: {requested}, current: {current}",
                    {"causes": [{"reason": "ResourceVersionTooLarge",
                                 "message": "Too large resource version"}],
                     "retryAfterSeconds": 1})
