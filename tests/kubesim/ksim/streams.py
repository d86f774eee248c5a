"""pods/exec, pods/log, pods/proxy and services/proxy, routed to the Kubelet.

exec: WebSocket with the channel subprotocols (K8S_API.md 5): `v5.channel.k8s.io`
(the API server's stream translator: close signal on channel 255), `v4.channel.k8s.io`,
and the base64 text variants. The first message is an empty frame on the lowest
requested output channel; the last is one Status on channel 3, then the socket closes.
SPDY (POST with `Upgrade: SPDY/3.1`, kubectl's fallback) is answered with a 400 Status
saying kubesim serves exec over WebSocket only.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging

import aiohttp
from aiohttp import web

from . import errors
from .errors import ApiError
from .resources import REGISTRY

log = logging.getLogger("ksim.streams")

PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io",
             "channel.k8s.io", "base64.channel.k8s.io"]
_STDIN, _STDOUT, _STDERR, _ERROR, _RESIZE, _CLOSE = 0, 1, 2, 3, 4, 255
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailers", "transfer-encoding", "upgrade", "host", "authorization",
        "content-length"}


def _bool(v) -> bool:
    return (v or "").lower() in ("1", "true", "t")


async def handle(server, request: web.Request, info):
    if info.sub == "proxy":
        return await proxy(server, request, info)
    if info.rt.kind != "Pod":
        raise errors.method_not_allowed("the server does not allow this method on the "
                                        "requested resource")
    if info.sub == "log":
        return await logs(server, request, info)
    if info.sub == "exec":
        return await execute(server, request, info)
    if info.sub == "attach":
        raise errors.bad_request("kubesim does not implement pods/attach")
    raise errors.bad_request("kubesim does not implement pods/portforward; use pods/proxy "
                             "for HTTP ports")


def _pod(server, info) -> dict:
    pod = server.store.get_shared(info.rt, info.namespace, info.name)
    if pod is None:
        raise errors.not_found(info.rt, info.name)
    return pod


def _container(pod: dict, name: str | None, what: str = "") -> str:
    cs = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    ics = [c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []]
    pname = pod["metadata"]["name"]
    if not name:
        if len(cs) == 1:
            return cs[0]
        raise errors.bad_request(f"a container name must be specified for pod {pname}, "
                                 f"choose one of: [{' '.join(cs)}]" +
                                 (f" or one of the init containers: [{' '.join(ics)}]"
                                  if ics else ""))
    if name not in cs + ics:
        raise errors.bad_request(f"container {name} is not valid for pod {pname}")
    return name


def _kubelet(server):
    if server.kubelet is None:
        raise errors.ApiError(503, "ServiceUnavailable", "kubesim runs no kubelet")
    return server.kubelet


async def logs(server, request: web.Request, info):
    q = request.query
    pod = _pod(server, info)
    container = _container(pod, q.get("container"))
    tail = q.get("tailLines")
    it = _kubelet(server).logs(pod, container, follow=_bool(q.get("follow")),
                               tail_lines=int(tail) if tail else None,
                               previous=_bool(q.get("previous")))
    resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
    first = None
    try:
        first = await it.__anext__()
    except StopAsyncIteration:
        pass
    await resp.prepare(request)
    try:
        if first:
            await resp.write(first)
        async for chunk in it:
            await resp.write(chunk)
    except ConnectionResetError:
        pass
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose:
            await aclose()
    await resp.write_eof()
    return resp


def _status_frame(exit_code: int | None, error: str | None = None) -> dict:
    if error is not None:
        return {"metadata": {}, "status": "Failure", "message": error,
                "reason": "InternalError", "details": {"causes": [{"message": error}]},
                "code": 500}
    if exit_code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[...], exit code {exit_code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(exit_code)}]}}


async def execute(server, request: web.Request, info):
    if request.headers.get("Upgrade", "").lower().startswith("spdy") or \
            request.headers.get("X-Stream-Protocol-Version"):
        raise errors.bad_request(
            "kubesim serves pods/exec over WebSocket only (v5.channel.k8s.io, "
            "v4.channel.k8s.io); SPDY is not supported: use kubectl 1.30+ with "
            "KUBECTL_REMOTE_COMMAND_WEBSOCKETS unset or true")
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise errors.bad_request("Upgrade request required")
    q = request.query
    pod = _pod(server, info)
    container = _container(pod, q.get("container"))
    command = q.getall("command", [])
    if not command:
        raise errors.bad_request("you must specify at least 1 command")
    stdin, stdout, stderr, tty = (_bool(q.get(k)) for k in ("stdin", "stdout", "stderr", "tty"))
    if not (stdin or stdout or stderr):
        raise errors.bad_request("you must specify at least 1 of stdin, stdout, stderr")
    if tty:
        stderr = False
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    proto = next((p for p in PROTOCOLS if p in offered), None)
    if proto is None:
        raise errors.bad_request(f"none of the offered WebSocket subprotocols {offered} is "
                                 f"supported; kubesim speaks {', '.join(PROTOCOLS)}")
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot exec into a container in a completed pod; current "
                                 f"phase is {pod['status']['phase']}")
    kubelet = _kubelet(server)
    ws = web.WebSocketResponse(protocols=[proto], autoping=True, heartbeat=None,
                               max_msg_size=0)
    await ws.prepare(request)
    b64 = "base64" in proto

    async def send(ch: int, data: bytes):
        if b64:
            await ws.send_str(chr(ord("0") + ch) + base64.b64encode(data).decode())
        else:
            await ws.send_bytes(bytes([ch]) + data)

    await send(_STDOUT if stdout else _STDERR if stderr else _ERROR, b"")
    # As with a real kubelet, failures to start the command come after the upgrade, as
    # the Status on the error channel (kubectl prints its message).
    try:
        session = await kubelet.exec(pod, container, command, stdin, tty)
    except ApiError as e:
        frame = {k: v for k, v in e.status().items() if k not in ("kind", "apiVersion")}
        await send(_ERROR, json.dumps(frame).encode())
        await ws.close()
        return ws

    async def pump_in():
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                data = msg.data
            elif msg.type == aiohttp.WSMsgType.TEXT and b64:
                data = bytes([int(msg.data[0])]) + base64.b64decode(msg.data[1:])
            else:
                continue
            if not data:
                continue
            ch, payload = data[0], data[1:]
            if ch == _STDIN and stdin:
                await session.write_stdin(payload)
            elif ch == _RESIZE:
                try:
                    size = json.loads(payload)
                    session.resize(int(size.get("Width", 80)), int(size.get("Height", 24)))
                except (ValueError, AttributeError):
                    pass
            elif ch == _CLOSE and proto.startswith("v5") and len(payload) == 1:
                if payload[0] == _STDIN:
                    await session.close_stdin()
        if stdin:
            await session.close_stdin()

    reader = asyncio.get_running_loop().create_task(pump_in())
    error = None
    code = None
    try:
        while True:
            item = await session.read()
            if item is None:
                break
            ch, data = item
            if (ch == _STDOUT and stdout) or (ch == _STDERR and stderr):
                await send(ch, data)
        code = await session.wait()
    except ApiError as e:
        error = e.message
    except Exception as e:  # the process side failed: report it as the status channel
        log.exception("exec in %s/%s failed", info.namespace, info.name)
        error = str(e)
    try:
        await send(_ERROR, json.dumps(_status_frame(code, error)).encode())
        await ws.close()
    except ConnectionResetError:
        pass
    reader.cancel()
    return ws


async def proxy(server, request: web.Request, info):
    """pods/NAME[:PORT]/proxy/PATH and services/NAME[:PORT]/proxy/PATH over plain HTTP
    (`scheme:name:port` ids with https are proxied with TLS verification off, as the API
    server does for pod proxies)."""
    ident = info.name
    parts = ident.split(":")
    scheme = "http"
    if len(parts) == 3:
        scheme, name, port = parts
    elif len(parts) == 2:
        if parts[0] in ("http", "https"):
            scheme, name, port = parts[0], parts[1], ""
        else:
            name, port = parts
    else:
        name, port = ident, ""
    if info.rt.kind == "Pod":
        pod = server.store.get_shared(info.rt, info.namespace, name)
        if pod is None:
            raise errors.not_found(info.rt, name)
        host = _kubelet(server).pod_address(pod) or (pod.get("status") or {}).get("podIP")
        if not host:
            raise errors.bad_request(f"address not allowed")
        if not port:
            port = next((str(p["containerPort"]) for c in pod["spec"].get("containers") or []
                         for p in c.get("ports") or []), "80")
        elif not port.isdigit():
            port = next((str(p["containerPort"]) for c in pod["spec"].get("containers") or []
                         for p in c.get("ports") or [] if p.get("name") == port), None)
            if port is None:
                raise errors.bad_request(f"no port named {parts[-1]} in pod {name}")
    elif info.rt.kind == "Service":
        host, port = _service_backend(server, info.namespace, name, port)
    else:
        raise errors.bad_request(f"kubesim does not proxy {info.rt.resource}")
    path = request.raw_path.split("/proxy", 1)[1] if "/proxy" in request.raw_path else "/"
    url = f"{scheme}://{host}:{port}{path.split('?', 1)[0] or '/'}"
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
    body = await request.read()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as s:
            async with s.request(request.method, url, params=request.query, data=body or None,
                                 headers=headers, ssl=False, allow_redirects=False) as r:
                data = await r.read()
                out = {k: v for k, v in r.headers.items() if k.lower() not in _HOP}
                return web.Response(status=r.status, body=data, headers=out)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
        raise errors.ApiError(503, "ServiceUnavailable",
                              f"error trying to reach service: {e}")


def _service_backend(server, ns: str, name: str, port: str) -> tuple[str, str]:
    svc_rt = REGISTRY.by_kind("v1", "Service")
    svc = server.store.get_shared(svc_rt, ns, name)
    if svc is None:
        raise errors.not_found(svc_rt, name)
    ports = (svc.get("spec") or {}).get("ports") or []
    sp = next((p for p in ports if not port or str(p.get("port")) == port or
               p.get("name") == port), None)
    if sp is None:
        raise errors.ApiError(503, "ServiceUnavailable",
                              f'no endpoints available for service "{name}"')
    ep = server.store.get_shared(REGISTRY.by_kind("v1", "Endpoints"), ns, name)
    for subset in (ep or {}).get("subsets") or []:
        addrs = subset.get("addresses") or []
        eport = next((p.get("port") for p in subset.get("ports") or []
                      if p.get("name", "") == sp.get("name", "")), None)
        if addrs and eport:
            return addrs[0]["ip"], str(eport)
    raise errors.ApiError(503, "ServiceUnavailable",
                          f'no endpoints available for service "{name}"')
