"""Authentication and the little authorization kubesim does.

Users: the admin client certificate (CN kubernetes-admin, O system:masters), the `token`
user (full access), the `readonly` user (get/list/watch only: writes get 403 Forbidden
worded as the RBAC authorizer words it), and ServiceAccount tokens minted by the
`serviceaccounts/token` subresource (HMAC-signed, full access: kubesim does not enforce
RBAC). Anonymous requests get 401 Unauthorized.

Impersonation (Impersonate-User, -Group, -Uid, -Extra-* headers; AS
pkg/endpoints/filters/impersonation.go): every full-access user may impersonate; the
readonly user may not (403 worded as the RBAC authorizer's). The request is then
authorized as the impersonated user: impersonating `kubesim-readonly` makes it read-only,
any other name has full access.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass

from . import certs, errors

READ_VERBS = {"get", "list", "watch"}
SA_PREFIX = "ksim-sa."
# The WebSocket bearer-token subprotocol (AS pkg/authentication/request/websocket/protocol.go).
WS_BEARER_PREFIX = "base64url.bearer.authorization.k8s.io."


@dataclass
class User:
    name: str
    groups: tuple[str, ...]
    read_only: bool = False
    uid: str = ""
    extra: dict[str, list[str]] | None = None


class Authenticator:
    def __init__(self, state_dir: str):
        toks = certs.load_tokens(state_dir)
        self._tokens = {
            toks["token"]: User(certs.TOKEN_USER, ("system:masters", "system:authenticated")),
            toks["readonly"]: User(certs.READONLY_USER, ("system:authenticated",), True),
        }
        self._key = bytes.fromhex(toks["signing_key"])

    def from_cert(self, peercert: dict | None) -> User | None:
        if not peercert:
            return None
        cn, orgs = None, []
        for rdn in peercert.get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    cn = v
                elif k == "organizationName":
                    orgs.append(v)
        if not cn:
            return None
        return User(cn, tuple(orgs) + ("system:authenticated",))

    def from_token(self, token: str) -> User | None:
        user = self._tokens.get(token)
        if user is not None:
            return user
        if token.startswith(SA_PREFIX):
            return self._verify_sa(token)
        return None

    def mint_sa_token(self, namespace: str, sa: str, uid: str, seconds: int,
                      audiences: list[str]) -> tuple[str, int]:
        """A ServiceAccount token valid for `seconds`; returns (token, expiry epoch)."""
        exp = int(time.time()) + seconds
        claims = {"ns": namespace, "sa": sa, "uid": uid, "exp": exp, "aud": audiences}
        body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
        sig = hmac.new(self._key, body, hashlib.sha256).hexdigest()
        return SA_PREFIX + body.decode().rstrip("=") + "." + sig, exp

    def _verify_sa(self, token: str) -> User | None:
        try:
            body, sig = token[len(SA_PREFIX):].rsplit(".", 1)
            raw = body.encode() + b"=" * (-len(body) % 4)
            want = hmac.new(self._key, raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, sig):
                return None
            claims = json.loads(base64.urlsafe_b64decode(raw))
            if claims["exp"] < time.time():
                return None
        except (ValueError, KeyError):
            return None
        return User(f"system:serviceaccount:{claims['ns']}:{claims['sa']}",
                    ("system:serviceaccounts", f"system:serviceaccounts:{claims['ns']}",
                     "system:authenticated"))


def bearer_from_headers(headers) -> str | None:
    auth = headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    for proto in headers.get("Sec-WebSocket-Protocol", "").split(","):
        proto = proto.strip()
        if proto.startswith(WS_BEARER_PREFIX):
            enc = proto[len(WS_BEARER_PREFIX):]
            try:
                return base64.urlsafe_b64decode(enc + "=" * (-len(enc) % 4)).decode()
            except ValueError:
                return None
    return None


def forbidden_message(user: User, verb: str, rt, namespace: str | None, name: str | None,
                      subresource: str | None) -> str:
    """The RBAC authorizer's wording (KK plugin/pkg/auth/authorizer/rbac)."""
    res = rt.resource + (f"/{subresource}" if subresource else "")
    head = f'{res}{"." + rt.group if rt.group else ""} "{name}" is forbidden' if name else \
        f'{res}{"." + rt.group if rt.group else ""} is forbidden'
    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    return (f'{head}: User "{user.name}" cannot {verb} resource "{res}" in API group '
            f'"{rt.group}"{where}')


@dataclass
class _Resource:  # what forbidden_message needs to name an impersonated resource
    resource: str
    group: str = "authentication.k8s.io"


def impersonated(user: User, headers) -> User:
    """The user a request acts as: `user` itself, or the one its Impersonate-* headers
    name when `user` may impersonate. Raises ApiError 400 (groups, uid or extra without a
    user) or 403 (the real user may not impersonate)."""
    name = headers.get("Impersonate-User", "")
    groups = headers.getall("Impersonate-Group", []) if hasattr(headers, "getall") else []
    uid = headers.get("Impersonate-Uid", "")
    extra: dict[str, list[str]] = {}
    for key, value in headers.items():
        if key.lower().startswith("impersonate-extra-"):
            extra.setdefault(urllib.parse.unquote(key[len("Impersonate-Extra-"):]).lower(),
                             []).append(value)
    if not name:
        if groups or uid or extra:
            requested = [f"Impersonate-Group: {g}" for g in groups] + \
                ([f"Impersonate-Uid: {uid}"] if uid else []) + \
                [f"Impersonate-Extra-{k}" for k in extra]
            raise errors.bad_request(f"requested {requested} without impersonating a user")
        return user
    if user.read_only:
        raise errors.forbidden(forbidden_message(user, "impersonate", _Resource("users", ""),
                                                 None, name, None))
    if name.startswith("system:serviceaccount:"):
        ns = name.split(":")[2] if name.count(":") >= 3 else ""
        implied = ("system:serviceaccounts", f"system:serviceaccounts:{ns}")
    else:
        implied = ()
    return User(name, tuple(groups) + implied + ("system:authenticated",),
                read_only=name == certs.READONLY_USER, uid=uid, extra=extra or None)
