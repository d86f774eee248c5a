#!/usr/bin/python3
"""A small HTTPS API server for the src/kube integration tests (not kubesim).

Serves a generic object store under /api and /apis with the behaviour the
client must handle: client-certificate and bearer-token authentication, 401,
403 (token "readonly-token" on writes), 404, 409 AlreadyExists and apply
conflicts, 422 Invalid, 429 and 500 with Retry-After, Warning headers,
fieldValidation=Strict, limit/continue pagination, server-side apply (201/200),
and watches that can be cut mid-stream or expired (410).

Usage: api_server.py --dir DIR
Writes DIR/ca.crt, DIR/wrong-ca.crt, DIR/client.crt, DIR/client.key,
DIR/expired-client.crt, then DIR/ready.json {"port": N, "expired_port": M,
"tls12_port": P} once the listeners accept connections. The "expired" listener
presents a server certificate that expired yesterday; the "tls12" one is the
main server limited to TLS 1.2, where a rejected client certificate fails the
handshake with an alert (over TLS 1.3 the client only sees the connection close).
Test hooks are not counted in the stats.

Test hooks (no authentication): GET /test/stats, POST /test/control (JSON
merged into the control settings), POST /test/reset.
"""

import argparse
import asyncio
import datetime
import json
import os
import ssl

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# "tok-2" is what the fixture exec plugin prints on its second run: a first
# run's "tok-1" is refused (401), so the client must re-run the plugin.
TOKENS = {"good-token": "token-user", "readonly-token": "reader", "tok-2": "plugin-user"}


# --- certificates -----------------------------------------------------------

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(cn, key, issuer_name, issuer_key, *, ca=False, server=False, days=(-1, 30)):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + datetime.timedelta(days=days[0]))
               .not_valid_after(now + datetime.timedelta(days=days[1]))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        import ipaddress
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.DNSName("kubernetes.default"),
             x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    if not ca:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path, cert=None, key=None):
    with open(path, "wb") as out:
        if cert is not None:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
        if key is not None:
            out.write(key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))


def make_certificates(d):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("test-ca", ca_key, _name("test-ca"), ca_key, ca=True)
    wrong_key = ec.generate_private_key(ec.SECP256R1())
    wrong = _issue("wrong-ca", wrong_key, _name("wrong-ca"), wrong_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue("127.0.0.1", server_key, ca.subject, ca_key, server=True)
    expired = _issue("127.0.0.1", server_key, ca.subject, ca_key, server=True, days=(-30, -1))
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _issue("admin", client_key, ca.subject, ca_key)
    old_client = _issue("admin", client_key, ca.subject, ca_key, days=(-30, -1))
    _write(f"{d}/ca.crt", ca)
    _write(f"{d}/wrong-ca.crt", wrong)
    _write(f"{d}/server.crt", server)
    _write(f"{d}/server.key", key=server_key)
    _write(f"{d}/expired-server.crt", expired)
    _write(f"{d}/client.crt", client)
    _write(f"{d}/client.key", key=client_key)
    _write(f"{d}/expired-client.crt", old_client)


def tls_context(d, cert, max_version=ssl.TLSVersion.MAXIMUM_SUPPORTED):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.maximum_version = max_version
    context.load_cert_chain(f"{d}/{cert}", f"{d}/server.key")
    context.load_verify_locations(f"{d}/ca.crt")
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


# --- the API ----------------------------------------------------------------

def status(code, reason, message, **details):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return web.json_response(body, status=code)


class Server:
    def __init__(self):
        self.reset()

    def reset(self):
        self.objects = {}      # collection path -> {name: object}
        self.events = []       # (rv, collection, type, object)
        self.rv = 100
        self.control = {}
        self.stats = {"requests": 0, "connections": 0, "lists": 0, "watches": [],
                      "user_agents": [], "authorization": [], "impersonation": []}
        self.connections = set()
        self.attempts = {}

    # authentication: a verified client certificate or a known bearer token
    def user(self, request):
        cert = request.transport.get_extra_info("peercert")
        if cert:
            return dict(x[0] for x in cert["subject"])["commonName"]
        auth = request.headers.get("Authorization", "")
        return TOKENS.get(auth[len("Bearer "):]) if auth.startswith("Bearer ") else None

    def attempt(self, key):
        self.attempts[key] = self.attempts.get(key, 0) + 1
        return self.attempts[key]

    def commit(self, collection, kind, obj):
        self.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        self.events.append((self.rv, collection, kind, json.loads(json.dumps(obj))))
        for waiter in self.control.get("_waiters", []):
            waiter.set()
        return obj

    async def handle(self, request):
        path = request.path
        if path.startswith("/test/"):
            return await self.test_hook(request, path)
        connection = id(request.transport)
        if connection not in self.connections:
            self.connections.add(connection)
            self.stats["connections"] += 1
        self.stats["requests"] += 1
        self.stats["user_agents"].append(request.headers.get("User-Agent", ""))
        self.stats["impersonation"].append(
            [[k, v] for k, v in request.headers.items() if k.lower().startswith("impersonate-")])
        user = self.user(request)
        if user is None:
            return status(401, "Unauthorized", "Unauthorized")
        if user == "reader" and request.method != "GET":
            return status(403, "Forbidden", f'configmaps is forbidden: User "reader" cannot '
                                            f'{request.method.lower()} resource "configmaps"')
        parts = path.strip("/").split("/")
        if "proxy" in parts:
            return web.json_response({"role": "primary", "path": "/".join(parts[parts.index("proxy") + 1:])},
                                     status=int(request.query.get("code", "200")))
        # /api/v1/namespaces/NS/RES[/NAME[/SUB]] or /apis/G/V/namespaces/NS/RES[/NAME[/SUB]]
        base = 2 if parts[0] == "api" else 3
        if len(parts) > base + 2 and parts[base] == "namespaces":
            collection = "/".join(parts[:base + 3])
            rest = parts[base + 3:]
        else:
            collection = "/".join(parts[:base + 1])
            rest = parts[base + 1:]
        name = rest[0] if rest else None
        store = self.objects.setdefault(collection, {})
        if name is None and request.method == "GET":
            if request.query.get("watch") in ("1", "true"):
                return await self.watch(request, collection)
            return self.list(request, collection, store)
        if name is None and request.method == "POST":
            obj = await request.json()
            name = obj["metadata"]["name"]
            if name in store:
                return status(409, "AlreadyExists", f'configmaps "{name}" already exists',
                              name=name, kind="configmaps")
            store[name] = self.commit(collection, "ADDED", obj)
            return web.json_response(obj, status=201)
        return await self.one(request, collection, store, name)

    async def one(self, request, collection, store, name):
        method = request.method
        if name == "flaky" and self.attempt(("flaky", method)) == 1:
            return web.Response(status=500, text="try again", headers={"Retry-After": "0"})
        if name == "busy" and self.attempt(("busy", method)) <= 2:
            return web.Response(status=429, text="Too many requests, please try again later.\n",
                                headers={"Retry-After": "0"})
        if name == "broken":
            return status(500, "InternalError", "etcdserver: request timed out")
        if method == "GET":
            if name not in store and name != "flaky" and name != "busy":
                return status(404, "NotFound", f'configmaps "{name}" not found', name=name, kind="configmaps")
            return web.json_response(store.get(name, {"metadata": {"name": name}}))
        if method == "DELETE":
            if name not in store:
                return status(404, "NotFound", f'configmaps "{name}" not found', name=name, kind="configmaps")
            obj = store.pop(name)
            self.commit(collection, "DELETED", obj)
            return web.json_response(obj)
        body = await request.json()
        if name == "invalid":
            return status(422, "Invalid", 'ConfigMap "invalid" is invalid: [data: Too long, metadata.labels: Invalid value]',
                          name="invalid", kind="ConfigMap",
                          causes=[{"reason": "FieldValueTooLong", "message": "Too long: must have at most 1048576 bytes", "field": "data"},
                                  {"reason": "FieldValueInvalid", "message": "Invalid value: \"-x\": a valid label must end with an alphanumeric character", "field": "metadata.labels"}])
        if name == "conflicted" and request.query.get("force") != "true":
            return status(409, "Conflict",
                          'Apply failed with 1 conflict: conflict with "helm" using v1: .data.owner',
                          causes=[{"reason": "FieldManagerConflict", "message": 'conflict with "helm" using v1', "field": ".data.owner"}])
        headers = {}
        unknown = [k for k in body if k not in ("apiVersion", "kind", "metadata", "data", "spec", "status")]
        if unknown:
            if request.query.get("fieldValidation") == "Strict":
                return status(400, "BadRequest", f'error strict decoding YAML: error converting YAML to JSON: unknown field "{unknown[0]}"')
            headers["Warning"] = f'299 - "unknown field \\"{unknown[0]}\\""'
        created = name not in store
        if request.query.get("dryRun") == "All":
            return web.json_response(body, status=201 if created else 200, headers=headers)
        if method == "PATCH" and not created:
            merged = store[name]
            for key, value in body.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key].update(value)
                else:
                    merged[key] = value
            body = merged
        if method == "PATCH" and request.content_type == "application/apply-patch+yaml":
            body.setdefault("metadata", {})["managedFields"] = [{"manager": request.query.get("fieldManager")}]
        store[name] = self.commit(collection, "ADDED" if created else "MODIFIED", body)
        return web.json_response(body, status=201 if created else 200, headers=headers)

    def list(self, request, collection, store):
        self.stats["lists"] += 1
        names = sorted(store)
        selector = request.query.get("fieldSelector", "")
        if selector.startswith("metadata.name="):
            names = [n for n in names if n == selector[len("metadata.name="):]]
        start = int(request.query.get("continue") or 0)
        limit = int(request.query.get("limit") or 0) or len(names)
        page = names[start:start + limit]
        metadata = {"resourceVersion": str(self.rv)}
        if start + limit < len(names):
            metadata["continue"] = str(start + limit)
        return web.json_response({"kind": "List", "apiVersion": "v1", "metadata": metadata,
                                  "items": [store[n] for n in page]})

    async def watch(self, request, collection):
        since = int(request.query.get("resourceVersion") or 0)
        self.stats["watches"].append(since)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        if self.control.pop("expire_next_watch", False):
            await response.write((json.dumps({"type": "ERROR", "object": {
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": f"too old resource version: {since} ({self.rv})",
                "reason": "Expired", "code": 410}}) + "\n").encode())
            return response
        if self.control.get("auto_step"):
            asyncio.get_running_loop().call_later(0.05, self.step, collection)
        await response.write((json.dumps({"type": "BOOKMARK", "object": {
            "kind": "ConfigMap", "metadata": {"resourceVersion": str(since)}}}) + "\n").encode())
        sent = 0
        deadline = asyncio.get_running_loop().time() + int(request.query.get("timeoutSeconds", "5"))
        while asyncio.get_running_loop().time() < deadline:
            for rv, where, kind, obj in self.events:
                if rv > since and where == collection:
                    await response.write((json.dumps({"type": kind, "object": obj}) + "\n").encode())
                    since = rv
                    sent += 1
                    if sent >= self.control.get("cut_after_events", 1 << 30):
                        request.transport.abort()  # a dropped stream, mid-body
                        return response
            waiter = asyncio.Event()
            self.control.setdefault("_waiters", []).append(waiter)
            try:
                await asyncio.wait_for(waiter.wait(), 0.5)
            except asyncio.TimeoutError:
                pass
            finally:
                self.control["_waiters"].remove(waiter)
        return response

    def step(self, collection):
        store = self.objects.get(collection, {})
        for obj in store.values():
            data = obj.setdefault("data", {})
            data["step"] = str(int(data.get("step", "0")) + 1)
            self.commit(collection, "MODIFIED", obj)

    async def test_hook(self, request, path):
        if path == "/test/stats":
            return web.json_response(self.stats)
        if path == "/test/reset":
            self.reset()
        elif path == "/test/control":
            self.control.update(await request.json())
        return web.json_response({})


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    make_certificates(args.dir)
    server = Server()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    main_site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls_context(args.dir, "server.crt"))
    expired_site = web.TCPSite(runner, "127.0.0.1", 0,
                               ssl_context=tls_context(args.dir, "expired-server.crt"))
    tls12_site = web.TCPSite(runner, "127.0.0.1", 0,
                             ssl_context=tls_context(args.dir, "server.crt", ssl.TLSVersion.TLSv1_2))
    sites = (main_site, expired_site, tls12_site)
    for site in sites:
        await site.start()
    ports = [s._server.sockets[0].getsockname()[1] for s in sites]
    with open(f"{args.dir}/ready.json.tmp", "w") as out:
        json.dump({"port": ports[0], "expired_port": ports[1], "tls12_port": ports[2]}, out)
    os.rename(f"{args.dir}/ready.json.tmp", f"{args.dir}/ready.json")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
