"""Clients that go away mid-request (Patroni's request timeout while kubesim reads its
PATCH body, a watcher that disconnects) are not server errors: kubesim logs no warning
or error for them and keeps serving. In-process server, raw TLS connections."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim import certs  # noqa: E402
from ksim.resources import REGISTRY  # noqa: E402
from ksim.server import ApiServer, Settings  # noqa: E402
from ksim.store import Store  # noqa: E402

NS = REGISTRY.by_kind("v1", "Namespace")
CM = REGISTRY.by_kind("v1", "ConfigMap")


async def _handlers_done(deadline: float = 10.0) -> None:
    """Polls until no aiohttp request handler task is left (the server finished with the
    vanished clients)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if not [t for t in asyncio.all_tasks() if "_handle_request" in repr(t.get_coro())]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("request handlers still running")


def test_vanished_clients_are_not_errors(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)

    async def main():
        certs.ensure_pki(str(tmp_path))
        store = Store()
        store.create(NS, {"metadata": {"name": "db"}})
        store.create(CM, {"metadata": {"name": "x", "namespace": "db"}})
        server = ApiServer(Settings(state_dir=str(tmp_path)), store)
        port = await server.start()
        ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        ctx.load_cert_chain(str(tmp_path / "admin.crt"), str(tmp_path / "admin.key"))

        async def send(head: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
            w.write(head.encode())
            await w.drain()
            return r, w
        try:
            # A PATCH whose body stops half-way, then the client closes.
            for method, path, ctype in (
                    ("PATCH", "/api/v1/namespaces/db/configmaps/x",
                     "application/merge-patch+json"),
                    ("POST", "/api/v1/namespaces/db/configmaps", "application/json"),
                    ("PUT", "/api/v1/namespaces/db/configmaps/x", "application/json")):
                _, w = await send(f"{method} {path} HTTP/1.1\r\nHost: k\r\nContent-Type: "
                                  f"{ctype}\r\nContent-Length: 100\r\n\r\n" + '{"data":')
                w.transport.abort()
            # A watcher that disconnects after the response started, then an event.
            r, w = await send("GET /api/v1/namespaces/db/configmaps?watch=1 HTTP/1.1\r\n"
                              "Host: k\r\n\r\n")
            assert (await r.readline()).startswith(b"HTTP/1.1 200")
            w.transport.abort()
            store.create(CM, {"metadata": {"name": "y", "namespace": "db"}})
            await _handlers_done()
            # ... and the server still answers.
            r, w = await send("GET /api/v1/namespaces/db/configmaps/x HTTP/1.1\r\nHost: k\r\n"
                              "Connection: close\r\n\r\n")
            head, _, body = (await r.read()).partition(b"\r\n\r\n")
            w.close()
            assert head.startswith(b"HTTP/1.1 200"), head
            assert json.loads(body)["metadata"]["name"] == "x"
        finally:
            await server.stop()
    asyncio.run(main())
    bad = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(
        ("aiohttp", "ksim"))]
    assert not bad, [r.getMessage() for r in bad]
