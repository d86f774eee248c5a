"""The HTTPS API server: TLS, authentication, routing and the REST verbs over the Store.

One aiohttp application in one asyncio loop. Paths (K8S_API.md 2.1):
  /api, /api/v1, /apis, /apis/G, /apis/G/V            discovery (legacy and aggregated v2)
  /version, /healthz, /livez, /readyz                  server info and health
  /openapi/v2, /openapi/v3[/...]                       OpenAPI (ksim.openapi)
  /api/v1/[namespaces/NS/]RES[/NAME[/SUB[/...]]]       resources (and /apis/G/V/...)
  /kubesim/faults                                      fault injection (admin only; README)
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import ssl
import time
from dataclasses import dataclass

import yaml
from aiohttp import web

from . import apply as ssa
from . import auth, discovery, errors, openapi, patch, protobuf, streams, tables, validation
from .errors import ApiError
from .resources import REGISTRY, ResourceType
from .store import Store, clone

log = logging.getLogger("ksim.server")

VERSION_INFO = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-kubesim",
                "gitCommit": "0000000000000000000000000000000000000000",
                "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z",
                "goVersion": "go1.23.3", "compiler": "gc", "platform": "linux/amd64"}
HEALTH_CHECKS = ["ping", "log", "etcd", "poststarthook/start-apiextensions-informers",
                 "poststarthook/generic-apiserver-start-informers"]
# Kinds whose registry returns the deleted object rather than a Status (ReturnDeletedObject).
_RETURN_DELETED = {"Pod", "Service", "Namespace", "PersistentVolume", "PersistentVolumeClaim",
                   "Node"}
_JSON = "application/json"


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def status_response(err: ApiError, headers: dict | None = None) -> web.Response:
    h = dict(headers or {})
    ra = (err.details or {}).get("retryAfterSeconds")
    if ra:
        h["Retry-After"] = str(ra)
    return web.Response(status=err.code, text=dumps(err.status()), content_type=_JSON,
                        headers=h)


def _bool(v: str | None) -> bool:
    return (v or "").lower() in ("1", "true", "t", "yes")


@dataclass
class Faults:
    """Injected faults: `latency` seconds added to every API request; a share
    `error_rate` (0..1) of requests answered `error_code` (429 or 503) with Retry-After."""
    latency: float = 0.0
    error_rate: float = 0.0
    error_code: int = 429
    retry_after: int = 1

    def as_dict(self) -> dict:
        return {"latency": self.latency, "error_rate": self.error_rate,
                "error_code": self.error_code, "retry_after": self.retry_after}


@dataclass
class RequestInfo:
    """What a resource path names. `subpath` is the rest after a proxy subresource."""
    rt: ResourceType
    namespace: str | None
    name: str | None
    sub: str | None
    subpath: str = ""
    watch_path: bool = False


@dataclass
class Settings:
    state_dir: str
    host: str = "127.0.0.1"
    port: int = 0
    kubelet: str = "virtual"
    pod_ready_delay: float = 0.0
    watch_window: int = 10000
    bookmark_interval: float = 60.0


class ApiServer:
    def __init__(self, settings: Settings, store: Store, kubelet=None):
        self.settings = settings
        self.store = store
        self.kubelet = kubelet
        self.authn = auth.Authenticator(settings.state_dir)
        self.faults = Faults()
        self.validator = validation.Validator()
        self.openapi = openapi.OpenApi(self.validator)
        self.app = web.Application(middlewares=[self._middleware], client_max_size=64 << 20)
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner: web.AppRunner | None = None
        self._site = None
        self.restarting = False
        self.require_bootstrap = False
        self.started = time.time()

    # --------------------------------------------------------------- serving
    def ssl_context(self) -> ssl.SSLContext:
        d = self.settings.state_dir
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(f"{d}/server.crt", f"{d}/server.key")
        ctx.load_verify_locations(f"{d}/ca.crt")
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    async def start(self) -> int:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        await self._listen()
        return self.settings.port

    async def _listen(self) -> None:
        self._site = web.TCPSite(self._runner, self.settings.host, self.settings.port,
                                 ssl_context=self.ssl_context(), reuse_address=True,
                                 backlog=1024)
        await self._site.start()
        if not self.settings.port:
            sock = self._site._server.sockets[0]
            self.settings.port = sock.getsockname()[1]

    async def stop(self) -> None:
        self.store.close_watches()
        if self._runner:
            await self._runner.cleanup()

    async def simulate_restart(self, downtime: float) -> None:
        """Break every watch and refuse connections for `downtime` seconds, keeping state
        (an API-server restart in front of a persistent etcd)."""
        self.restarting = True
        self.store.close_watches()
        await self._site.stop()
        await asyncio.sleep(downtime)
        await self._listen()
        self.restarting = False

    # ------------------------------------------------------------ middleware
    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        try:
            user = self._authenticate(request)
            if user is None:
                return status_response(ApiError(401, "Unauthorized", "Unauthorized"))
            request["user"] = auth.impersonated(user, request.headers)
            path = request.path
            if not path.startswith("/kubesim/") and path not in ("/healthz", "/livez",
                                                                 "/readyz"):
                f = self.faults
                if f.latency:
                    await asyncio.sleep(f.latency)
                if f.error_rate and random.random() < f.error_rate:
                    return self._fault_response()
            return await handler(request)
        except ApiError as e:
            return status_response(e)
        except ConnectionError:
            if request.transport is not None and not request.transport.is_closing():
                raise
            # The client went away (e.g. Patroni's request timeout while kubesim read its
            # PATCH body, or a watcher that disconnected): nothing to answer, nothing wrong.
            log.debug("client disconnected during %s %s", request.method, request.path_qs)
            return web.Response(status=499)
        except asyncio.CancelledError:
            raise
        except web.HTTPException:
            raise
        except Exception as e:  # a bug in kubesim: report it as kube-apiserver would
            log.exception("internal error serving %s %s", request.method, request.path_qs)
            return status_response(errors.internal(f"{type(e).__name__}: {e}"))

    def _fault_response(self) -> web.Response:
        f = self.faults
        headers = {"Retry-After": str(f.retry_after)}
        if f.error_code == 429:
            return web.Response(status=429, text="Too many requests, please try again later.\n",
                                content_type="text/plain", headers=headers)
        err = ApiError(f.error_code, "ServiceUnavailable" if f.error_code == 503 else
                       "InternalError", "kubesim: injected fault",
                       {"retryAfterSeconds": f.retry_after})
        return status_response(err)

    def _authenticate(self, request: web.Request) -> auth.User | None:
        token = auth.bearer_from_headers(request.headers)
        if token:
            return self.authn.from_token(token)
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        return self.authn.from_cert(peer)

    # --------------------------------------------------------------- routing
    async def _dispatch(self, request: web.Request):
        path = request.path.rstrip("/") or "/"
        segs = [s for s in path.split("/") if s]
        if not segs:
            return self._json({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez",
                                         "/openapi/v2", "/openapi/v3", "/readyz", "/version"]})
        head = segs[0]
        if head in ("healthz", "livez", "readyz"):
            return self._health(request, segs)
        if head == "version":
            return self._json(VERSION_INFO)
        if head == "openapi":
            return await self.openapi.handle(request, segs[1:])
        if head == "kubesim":
            return await self._admin(request, segs[1:])
        if head == "api":
            if len(segs) == 1:
                return self._discovery(request, legacy=True)
            if segs[1] != "v1":
                raise ApiError(404, "NotFound", "the server could not find the requested "
                                                "resource")
            if len(segs) == 2:
                return self._json(discovery.api_resource_list("", "v1"))
            return await self._resource(request, "", "v1", segs[2:])
        if head == "apis":
            if len(segs) == 1:
                return self._discovery(request, legacy=False)
            if len(segs) == 2:
                doc = discovery.api_group(segs[1])
                if doc is None:
                    raise self._not_found_path()
                return self._json(doc)
            if len(segs) == 3:
                doc = discovery.api_resource_list(segs[1], segs[2])
                if doc is None:
                    raise self._not_found_path()
                return self._json(doc)
            return await self._resource(request, segs[1], segs[2], segs[3:])
        raise self._not_found_path()

    @staticmethod
    def _not_found_path() -> ApiError:
        return ApiError(404, "NotFound", "the server could not find the requested resource",
                        {})

    def _json(self, obj, status: int = 200, headers=None, content_type: str = _JSON):
        return web.Response(status=status, body=dumps(obj).encode(), headers=headers,
                            content_type=content_type.split(";")[0],
                            charset=None) if ";" not in content_type else \
            web.Response(status=status, body=dumps(obj).encode(),
                         headers={**(headers or {}), "Content-Type": content_type})

    def _bootstrapped(self) -> bool:
        """readyz's bootstrap check: the system namespace `default` exists (made by the
        bootstrap controller) when controllers run."""
        if not self.require_bootstrap:
            return True
        return self.store.get_shared(REGISTRY.by_kind("v1", "Namespace"), None,
                                     "default") is not None

    def _health(self, request: web.Request, segs: list[str]):
        if segs[0] == "readyz" and not self._bootstrapped():
            return web.Response(status=500, text="[-]poststarthook/bootstrap-controller failed:"
                                                 " not finished\nreadyz check failed\n",
                                content_type="text/plain")
        if len(segs) > 1:
            check = "/".join(segs[1:])
            if check not in HEALTH_CHECKS:
                raise self._not_found_path()
            return web.Response(text="ok", content_type="text/plain")
        if "verbose" in request.query:
            lines = [f"[+]{c} ok" for c in HEALTH_CHECKS]
            lines.append(f"{segs[0]} check passed")
            return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")
        return web.Response(text="ok", content_type="text/plain")

    def _discovery(self, request: web.Request, legacy: bool):
        media = discovery.wants_aggregated(request.headers.get("Accept", ""))
        if media:
            return self._json(discovery.aggregated(legacy, media), content_type=media)
        if legacy:
            return self._json(discovery.api_versions(
                f"{self.settings.host}:{self.settings.port}"))
        return self._json(discovery.api_group_list())

    def parse(self, group: str, version: str, rest: list[str]) -> RequestInfo:
        watch_path = False
        if rest and rest[0] == "watch":
            watch_path = True
            rest = rest[1:]
        ns = None
        if (len(rest) >= 3 and rest[0] == "namespaces"):
            rt = REGISTRY.by_resource(group, version, rest[2])
            if rt is not None and rt.namespaced:
                ns = rest[1]
                rest = rest[2:]
        if not rest:
            raise self._not_found_path()
        rt = REGISTRY.by_resource(group, version, rest[0])
        if rt is None or (rt.namespaced is False and ns is not None):
            raise self._not_found_path()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        subpath = "/".join(rest[3:])
        if sub is not None and sub not in rt.subresource_info:
            raise self._not_found_path()
        if subpath and sub != "proxy":
            raise self._not_found_path()
        return RequestInfo(rt, ns, name, sub, subpath, watch_path)

    def _authorize(self, request: web.Request, verb: str, info: RequestInfo) -> None:
        user: auth.User = request["user"]
        if user.read_only and verb not in auth.READ_VERBS:
            raise errors.forbidden(auth.forbidden_message(user, verb, info.rt, info.namespace,
                                                          info.name, info.sub),
                                   info.rt, info.name)

    async def _resource(self, request: web.Request, group: str, version: str,
                        rest: list[str]):
        info = self.parse(group, version, rest)
        m = request.method
        q = request.query
        if info.sub in ("exec", "attach", "log", "proxy", "portforward"):
            verb = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
                    "DELETE": "delete"}.get(m, "get")
            self._authorize(request, "create" if info.sub in ("exec", "attach", "portforward")
                            else verb, info)
            return await streams.handle(self, request, info)
        if info.rt.kind == "SelfSubjectAccessReview":
            if m != "POST" or info.name is not None:
                raise errors.method_not_allowed("the server does not allow this method on "
                                                "the requested resource")
            return await self.access_review(request, info)
        if info.name is None:
            if m == "GET":
                watch = info.watch_path or _bool(q.get("watch"))
                self._authorize(request, "watch" if watch else "list", info)
                if watch:
                    return await self.watch(request, info)
                return self.list(request, info)
            if m == "POST":
                self._authorize(request, "create", info)
                return await self.create(request, info)
            if m == "DELETE":
                self._authorize(request, "deletecollection", info)
                return await self.delete_collection(request, info)
            raise errors.method_not_allowed(f"the server does not allow this method on the "
                                            f"requested resource")
        if m == "GET":
            self._authorize(request, "get", info)
            if info.watch_path:
                return await self.watch(request, info)
            return self.get(request, info)
        if m == "PUT":
            self._authorize(request, "update", info)
            return await self.update(request, info)
        if m == "PATCH":
            self._authorize(request, "patch", info)
            return await self.patch(request, info)
        if m == "DELETE":
            self._authorize(request, "delete", info)
            return await self.delete(request, info)
        if m == "POST" and info.sub in ("binding", "eviction", "token"):
            self._authorize(request, "create", info)
            return await self.connect_post(request, info)
        raise errors.method_not_allowed("the server does not allow this method on the "
                                        "requested resource")

    # ------------------------------------------------------------------ reads
    def _output(self, request: web.Request, obj: dict, rt: ResourceType, status: int = 200,
                headers=None):
        accept = request.headers.get("Accept", "")
        fmt = tables.wanted(accept)
        if fmt == "Table":
            return self._json(tables.table(rt, [obj], request.query), status, headers)
        if fmt == "PartialObjectMetadata":
            return self._json(tables.partial(obj, fmt), status, headers)
        return self._json(obj, status, headers)

    def get(self, request: web.Request, info: RequestInfo):
        if info.sub == "scale":
            return self._json(self._scale_of(info))
        if info.sub == "ephemeralcontainers" or info.sub == "finalize":
            raise errors.method_not_allowed("the server does not allow this method on the "
                                            "requested resource")
        obj = self.store.get_shared(info.rt, info.namespace, info.name)
        if obj is None:
            raise errors.not_found(info.rt, info.name)
        return self._output(request, obj, info.rt)

    def list(self, request: web.Request, info: RequestInfo):
        q = request.query
        limit = int(q.get("limit") or 0)
        rvm = q.get("resourceVersionMatch", "")
        rv = q.get("resourceVersion", "")
        if rvm and not rv:
            raise errors.invalid(info.rt, "", [errors.cause(
                "FieldValueForbidden", "resourceVersionMatch",
                "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is "
                "provided")])
        if rvm == "Exact" and rv and rv != self.store.resource_version:
            n = int(rv)
            if n > int(self.store.resource_version):
                raise errors.too_large_resource_version(n, int(self.store.resource_version))
            raise errors.expired(f"too old resource version: {rv} "
                                 f"({self.store.resource_version})")
        items, list_rv, cont, remaining = self.store.list_page(
            info.rt, info.namespace, q.get("labelSelector", ""), q.get("fieldSelector", ""),
            limit, q.get("continue", ""))
        fmt = tables.wanted(request.headers.get("Accept", ""))
        md = {"resourceVersion": list_rv}
        if cont:
            md["continue"] = cont
            md["remainingItemCount"] = remaining
        if fmt == "Table":
            t = tables.table(info.rt, items, q)
            t["metadata"] = md
            return self._json(t)
        if fmt == "PartialObjectMetadata":
            return self._json({"kind": "PartialObjectMetadataList",
                               "apiVersion": "meta.k8s.io/v1", "metadata": md,
                               "items": [tables.partial(o, fmt) for o in items]})
        body = ('{"kind":' + json.dumps(info.rt.list_kind) + ',"apiVersion":' +
                json.dumps(info.rt.api_version) + ',"metadata":' + dumps(md) + ',"items":[' +
                ",".join(dumps({k: v for k, v in o.items() if k not in ("kind", "apiVersion")})
                         for o in items) + "]}")
        return web.Response(body=body.encode(), content_type=_JSON)

    async def watch(self, request: web.Request, info: RequestInfo):
        q = request.query
        name = info.name
        fsel = q.get("fieldSelector", "")
        if name:
            fsel = f"metadata.name={name}" + ("," + fsel if fsel else "")
        timeout = q.get("timeoutSeconds")
        timeout = float(timeout) if timeout else 1800 * (1 + random.random())
        sie = q.get("sendInitialEvents")
        fmt = tables.wanted(request.headers.get("Accept", ""))
        resp = web.StreamResponse(headers={"Content-Type": _JSON, "Cache-Control": "no-cache"})
        resp.enable_chunked_encoding()
        try:
            w = self.store.watch(info.rt, info.namespace, q.get("resourceVersion", ""),
                                 q.get("labelSelector", ""), fsel,
                                 allow_bookmarks=_bool(q.get("allowWatchBookmarks")),
                                 send_initial_events=_bool(sie) if sie is not None else None)
        except ApiError as e:
            if e.code not in (410, 504):
                raise
            await resp.prepare(request)
            await resp.write((dumps({"type": "ERROR", "object": e.status()}) + "\n").encode())
            await resp.write_eof()
            return resp
        w.bookmark_interval = self.store.bookmark_interval
        await resp.prepare(request)
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    etype, obj = await asyncio.wait_for(w.__anext__(), left)
                except (asyncio.TimeoutError, StopAsyncIteration):
                    break
                if fmt == "Table" and etype != "BOOKMARK":
                    obj = tables.table(info.rt, [obj], q)
                elif fmt == "PartialObjectMetadata" and etype != "BOOKMARK":
                    obj = tables.partial(obj, fmt)
                line = '{"type":"' + etype + '","object":' + dumps(obj) + "}\n"
                await resp.write(line.encode())
        finally:
            w.close()
        await resp.write_eof()
        return resp

    # ----------------------------------------------------------------- writes
    async def _body(self, request: web.Request):
        raw = await request.read()
        if not raw:
            raise errors.bad_request("the body of the request was empty")
        ctype = request.content_type
        if ctype == "application/vnd.kubernetes.protobuf":
            try:
                return protobuf.decode(raw)
            except (ValueError, IndexError, UnicodeDecodeError) as e:
                raise errors.bad_request(f"error decoding protobuf request body: {e}")
        if "protobuf" in ctype or "cbor" in ctype:
            raise ApiError(415, "UnsupportedMediaType",
                           f"the body of the request was in an unknown format - accepted media "
                           f"types include: application/json, application/yaml")
        try:
            if ctype in ("application/yaml", "application/apply-patch+yaml") or \
                    (ctype not in ("application/json",) and raw.lstrip()[:1] not in (b"{", b"[")):
                return yaml.safe_load(raw.decode())
            return json.loads(raw)
        except (ValueError, yaml.YAMLError) as e:
            raise errors.bad_request(f"error decoding request body: {e}")

    def _write_opts(self, request: web.Request, apply_patch: bool = False) -> dict:
        q = request.query
        dry = q.getall("dryRun", [])
        for d in dry:
            if d != "All":
                raise errors.bad_request(f'Invalid dry run value: {d}: supported values: '
                                         f'"All"')
        fv = q.get("fieldValidation") or "Warn"
        if fv not in ("Strict", "Warn", "Ignore"):
            raise errors.bad_request(f'fieldValidation: Unsupported value: "{fv}": supported '
                                     f'values: "Ignore", "Strict", "Warn"')
        manager = q.get("fieldManager")
        if manager is not None and len(manager) > 128:
            raise errors.invalid(None, "", [errors.cause(
                "FieldValueTooLong", "fieldManager",
                "Too long: may not be more than 128 bytes")])
        if manager is None:
            ua = request.headers.get("User-Agent", "")
            manager = ua.split("/")[0] if ua else "unknown"
        return {"dry_run": bool(dry), "validation": fv, "manager": manager}

    def _check_type_meta(self, rt: ResourceType, obj, info: RequestInfo, *, require=True):
        if not isinstance(obj, dict):
            raise errors.bad_request(f"the object provided is unrecognized (must be of type "
                                     f"{rt.kind}): couldn't get version/kind; json parse "
                                     f"error")
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if (av and av != rt.api_version) or (kind and kind != rt.kind):
            raise errors.bad_request(
                f"the API version in the data ({av}) does not match the expected API version "
                f"({rt.api_version})" if av != rt.api_version else
                f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")
        md = obj.get("metadata")
        if md is not None and not isinstance(md, dict):
            raise errors.bad_request(f"{rt.kind} in version \"{rt.version}\" cannot be handled "
                                     f"as a {rt.kind}: json: cannot unmarshal into Go struct "
                                     f"field {rt.kind}.metadata of type v1.ObjectMeta")
        md = obj.setdefault("metadata", {})
        if rt.namespaced:
            ns = md.get("namespace")
            if ns and info.namespace and ns != info.namespace:
                raise errors.bad_request("the namespace of the provided object does not match "
                                         "the namespace sent on the request")
            if info.namespace:
                md["namespace"] = info.namespace
        if info.name and md.get("name") and md["name"] != info.name:
            raise errors.bad_request(f"the name of the object ({md['name']}) does not match "
                                     f"the name on the URL ({info.name})")
        if info.name and not md.get("name"):
            md["name"] = info.name

    def _validate(self, rt: ResourceType, obj: dict, opts: dict) -> list:
        """Schema validation: wrong types are 400 always; unknown/duplicate fields are 400
        (Strict), warnings (Warn) or dropped (Ignore). Returns Warning header values."""
        type_errors, unknown = self.validator.check(rt, obj)
        if type_errors:
            raise errors.bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                + type_errors[0])
        if not unknown or opts["validation"] == "Ignore":
            return []
        if opts["validation"] == "Strict":
            raise errors.bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                f'strict decoding error: ' + ", ".join(f'unknown field "{u}"' for u in unknown))
        return [f'unknown field "{u}"' for u in unknown]

    @staticmethod
    def _warning_headers(warnings: list[str]):
        if not warnings:
            return None
        from multidict import CIMultiDict
        h = CIMultiDict()
        for w in warnings:
            h.add("Warning", '299 - "' + w.replace("\\", "\\\\").replace('"', '\\"') + '"')
        return h

    async def create(self, request: web.Request, info: RequestInfo):
        opts = self._write_opts(request)
        obj = await self._body(request)
        self._check_type_meta(info.rt, obj, info)
        warnings = self._validate(info.rt, obj, opts)
        if (obj.get("metadata") or {}).get("managedFields") is not None:
            obj["metadata"].pop("managedFields")
        out = self.store.create(info.rt, obj, dry_run=opts["dry_run"],
                                field_manager=opts["manager"])
        return self._output(request, out, info.rt, 201, self._warning_headers(warnings))

    async def connect_post(self, request: web.Request, info: RequestInfo):
        """pods/binding, pods/eviction, serviceaccounts/token."""
        body = await self._body(request)
        opts = self._write_opts(request)
        rt = info.rt
        if info.sub == "binding":
            pod = self.store.get(rt, info.namespace, info.name)
            if pod.get("spec", {}).get("nodeName"):
                raise errors.conflict(rt, info.name, f"pod {info.name} is already assigned to "
                                                     f"node \"{pod['spec']['nodeName']}\"")
            pod["spec"]["nodeName"] = (body.get("target") or {}).get("name", "")
            self.store.update(rt, pod, dry_run=opts["dry_run"])
            return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Success", "code": 201}, 201)
        if info.sub == "eviction":
            opts_body = body.get("deleteOptions") or {}
            self.store.delete(rt, info.namespace, info.name,
                              grace_period=opts_body.get("gracePeriodSeconds"),
                              dry_run=opts["dry_run"])
            return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Success", "code": 201}, 201)
        # serviceaccounts/token
        sa = self.store.get(rt, info.namespace, info.name)
        spec = body.get("spec") or {}
        seconds = int(spec.get("expirationSeconds") or 3600)
        token, exp = self.authn.mint_sa_token(info.namespace, info.name, sa["metadata"]["uid"],
                                              seconds, spec.get("audiences") or
                                              ["https://kubernetes.default.svc.cluster.local"])
        out = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
               "metadata": {"name": info.name, "namespace": info.namespace,
                            "creationTimestamp": None},
               "spec": {"audiences": spec.get("audiences") or
                        ["https://kubernetes.default.svc.cluster.local"],
                        "expirationSeconds": seconds, "boundObjectRef": spec.get(
                            "boundObjectRef")},
               "status": {"token": token, "expirationTimestamp": time.strftime(
                   "%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))}}
        return self._json(out, 201)

    async def update(self, request: web.Request, info: RequestInfo):
        opts = self._write_opts(request)
        obj = await self._body(request)
        rt = info.rt
        if info.sub == "scale":
            return self._json(self._set_scale(info, obj, opts))
        if info.sub not in (None, "status", "finalize"):
            raise errors.method_not_allowed("the server does not allow this method on the "
                                            "requested resource")
        self._check_type_meta(rt, obj, info)
        warnings = self._validate(rt, obj, opts)
        if self.store.get_shared(rt, info.namespace, info.name) is None:
            if rt.allow_create_on_update and info.sub is None:
                out = self.store.create(rt, obj, dry_run=opts["dry_run"],
                                        field_manager=opts["manager"])
                return self._output(request, out, rt, 201, self._warning_headers(warnings))
            raise errors.not_found(rt, info.name)
        out = self.store.update(rt, obj, subresource=info.sub, dry_run=opts["dry_run"],
                                field_manager=opts["manager"])
        return self._output(request, out, rt, 200, self._warning_headers(warnings))

    async def patch(self, request: web.Request, info: RequestInfo):
        rt = info.rt
        ctype = request.content_type
        kind = patch.PATCH_TYPES.get(ctype)
        if kind is None:
            raise ApiError(415, "UnsupportedMediaType",
                           f"the body of the request was in an unknown format - accepted media "
                           f"types include: application/json-patch+json, "
                           f"application/merge-patch+json, application/apply-patch+yaml, "
                           f"application/strategic-merge-patch+json")
        q = request.query
        opts = self._write_opts(request)
        if kind == "apply":
            if not q.get("fieldManager"):
                raise errors.invalid(None, "", [errors.required(
                    "fieldManager", "is required for apply patch")])
        elif "force" in q:
            raise errors.invalid(None, "", [errors.cause(
                "FieldValueForbidden", "force",
                "Forbidden: may not be specified for non-apply patch")])
        body = await self._body(request)
        if info.sub == "scale":
            cur = self._scale_of(info)
            if kind == "apply":
                raise errors.bad_request("apply is not supported on the scale subresource")
            return self._json(self._set_scale(info, patch.apply_patch(kind, cur, body), opts))
        if info.sub not in (None, "status"):
            raise errors.method_not_allowed("the server does not allow this method on the "
                                            "requested resource")
        current = self.store.get_shared(rt, info.namespace, info.name)
        if kind == "apply":
            self._check_type_meta(rt, body, info)
            if not body.get("apiVersion") or not body.get("kind"):
                raise errors.bad_request("apiVersion and kind must be set in an apply patch")
            warnings = self._validate(rt, body, opts)
            out, created = ssa.apply(self.store, rt, info, current, body, opts["manager"],
                                     _bool(q.get("force")), opts["dry_run"])
            return self._output(request, out, rt, 201 if created else 200,
                                self._warning_headers(warnings))
        if current is None:
            raise errors.not_found(rt, info.name)
        new = patch.apply_patch(kind, clone(current), body)
        if not isinstance(new, dict):
            raise errors.bad_request("the patch did not produce an object")
        new.setdefault("metadata", {})
        md = new["metadata"]
        if not md.get("resourceVersion"):
            md["resourceVersion"] = current["metadata"]["resourceVersion"]
        for k in ("name", "namespace"):
            if md.get(k) != current["metadata"].get(k) and k in current["metadata"]:
                if md.get(k):
                    raise errors.bad_request(f"metadata.{k} cannot be changed by a patch")
                md[k] = current["metadata"][k]
        self._check_type_meta(rt, new, info)
        warnings = self._validate(rt, new, opts)
        out = self.store.update(rt, new, subresource=info.sub, dry_run=opts["dry_run"],
                                field_manager=opts["manager"])
        return self._output(request, out, rt, 200, self._warning_headers(warnings))

    async def access_review(self, request: web.Request, info: RequestInfo):
        """SelfSubjectAccessReview: what kubesim's authorizer would decide (everything for
        every user but `readonly`, which may only get, list and watch)."""
        body = await self._body(request)
        self._check_type_meta(info.rt, body, info)
        user: auth.User = request["user"]
        attrs = (body.get("spec") or {}).get("resourceAttributes") or {}
        verb = attrs.get("verb", "")
        allowed = not user.read_only or verb in auth.READ_VERBS
        status = {"allowed": allowed}
        if allowed:
            status["reason"] = ("RBAC: allowed by ClusterRoleBinding \"kubesim-readonly\""
                                if user.read_only else
                                'RBAC: allowed by ClusterRoleBinding "cluster-admin" of '
                                'ClusterRole "cluster-admin" to Group "system:masters"')
        out = {"kind": info.rt.kind, "apiVersion": info.rt.api_version,
               "metadata": {"creationTimestamp": None}, "spec": body.get("spec") or {},
               "status": status}
        return self._json(out, 201)

    def _scale_of(self, info: RequestInfo) -> dict:
        obj = self.store.get_shared(info.rt, info.namespace, info.name)
        if obj is None:
            raise errors.not_found(info.rt, info.name)
        md = obj["metadata"]
        sel = (obj.get("spec") or {}).get("selector") or {}
        parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
        for e in sel.get("matchExpressions") or []:
            op = e["operator"]
            if op in ("In", "NotIn"):
                parts.append(f"{e['key']} {op.lower()} ({','.join(e.get('values') or [])})")
            elif op == "Exists":
                parts.append(e["key"])
            else:
                parts.append("!" + e["key"])
        status = {"replicas": (obj.get("status") or {}).get("replicas", 0)}
        if parts:
            status["selector"] = ",".join(parts)
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": md["name"], "namespace": md.get("namespace"),
                             "uid": md["uid"], "resourceVersion": md["resourceVersion"],
                             "creationTimestamp": md["creationTimestamp"]},
                "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
                "status": status}

    def _set_scale(self, info: RequestInfo, scale: dict, opts: dict) -> dict:
        obj = self.store.get(info.rt, info.namespace, info.name)
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise errors.invalid(info.rt, info.name, [errors.bad_value(
                "spec.replicas", replicas, "must be greater than or equal to 0")])
        rv = (scale.get("metadata") or {}).get("resourceVersion")
        if rv:
            obj["metadata"]["resourceVersion"] = rv
        obj.setdefault("spec", {})["replicas"] = replicas
        self.store.update(info.rt, obj, dry_run=opts["dry_run"], field_manager=opts["manager"])
        out = self._scale_of(info)
        if opts["dry_run"]:
            out["spec"]["replicas"] = replicas
        return out

    def _delete_options(self, request: web.Request, body) -> dict:
        q = request.query
        o = body if isinstance(body, dict) else {}
        grace = o.get("gracePeriodSeconds", q.get("gracePeriodSeconds"))
        prop = o.get("propagationPolicy") or q.get("propagationPolicy")
        orphan = o.get("orphanDependents", q.get("orphanDependents"))
        if prop is None and orphan is not None:
            prop = "Orphan" if _bool(str(orphan)) else "Background"
        dry = o.get("dryRun") or q.getall("dryRun", [])
        return {"grace_period": int(grace) if grace is not None else None,
                "propagation": prop or "Background",
                "preconditions": o.get("preconditions"), "dry_run": bool(dry)}

    async def delete(self, request: web.Request, info: RequestInfo):
        if info.sub:
            raise errors.method_not_allowed("the server does not allow this method on the "
                                            "requested resource")
        raw = await request.read()
        body = json.loads(raw) if raw.strip() else {}
        o = self._delete_options(request, body)
        rt = info.rt
        out = self.store.delete(rt, info.namespace, info.name, **o)
        gone = self.store.get_shared(rt, info.namespace, info.name) is None or (
            o["dry_run"] and not out["metadata"].get("deletionTimestamp"))
        if gone and rt.kind not in _RETURN_DELETED:
            d = {"name": info.name, "kind": rt.resource, "uid": out["metadata"]["uid"]}
            if rt.group:
                d["group"] = rt.group
            return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Success", "details": d})
        return self._output(request, out, rt)

    async def delete_collection(self, request: web.Request, info: RequestInfo):
        raw = await request.read()
        body = json.loads(raw) if raw.strip() else {}
        o = self._delete_options(request, body)
        q = request.query
        names = [(x["metadata"].get("namespace"), x["metadata"]["name"]) for x in
                 self.store.iter_objects(info.rt, info.namespace, q.get("labelSelector", ""),
                                         q.get("fieldSelector", ""))]
        items = []
        for ns, name in names:
            try:
                items.append(self.store.delete(info.rt, ns, name, **o))
            except ApiError as e:
                if e.code != 404:
                    raise
        return self._json({"kind": info.rt.list_kind, "apiVersion": info.rt.api_version,
                           "metadata": {"resourceVersion": self.store.resource_version},
                           "items": items})

    # ------------------------------------------------------------------ admin
    async def _admin(self, request: web.Request, segs: list[str]):
        user: auth.User = request["user"]
        if "system:masters" not in user.groups:
            raise errors.forbidden("kubesim admin endpoints need the admin user")
        if segs == ["faults"]:
            if request.method == "GET":
                return self._json(self.faults.as_dict())
            body = await self._body(request)
            if body.get("restart"):
                asyncio.get_running_loop().create_task(
                    self.simulate_restart(float(body.get("downtime", 1.0))))
                return self._json({"restarting": True})
            f = self.faults
            if body.get("clear"):
                self.faults = Faults()
            else:
                new = Faults(latency=float(body.get("latency", f.latency)),
                             error_rate=float(body.get("error_rate", f.error_rate)),
                             error_code=int(body.get("error_code", f.error_code)),
                             retry_after=int(body.get("retry_after", f.retry_after)))
                if new.error_code not in (429, 500, 503) or not 0 <= new.error_rate <= 1:
                    raise errors.bad_request("error_code must be 429, 500 or 503 and "
                                             "error_rate within [0, 1]")
                self.faults = new
            return self._json(self.faults.as_dict())
        if segs[:1] == ["pods"]:
            from .kubelet import faults as pod_faults
            if self.kubelet is None:
                raise errors.bad_request("kubesim runs no kubelet")
            return self._json(await pod_faults.handle(self.kubelet, self.store,
                                                      request.method, segs[1:]))
        if segs == ["state"]:
            counts = {rt.qualified: self.store.count(rt) for rt in REGISTRY.all()}
            return self._json({"resourceVersion": self.store.resource_version,
                               "objects": counts, "uptimeSeconds": math.floor(
                                   time.time() - self.started)})
        raise self._not_found_path()
