"""pods/exec framing (K8S_API.md 5) against an in-process server whose kubelet runs a
scripted session: v5 and v4 channel protocols, base64, stdin close, exit codes, and the
SPDY fallback answer."""
from __future__ import annotations

import asyncio
import base64
import json
import os
import ssl
import sys

import aiohttp
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim import certs  # noqa: E402
from ksim.kubelet.base import ExecSession, Kubelet  # noqa: E402
from ksim.resources import REGISTRY  # noqa: E402
from ksim.server import ApiServer, Settings  # noqa: E402
from ksim.store import Store  # noqa: E402


class CatSession(ExecSession):
    """`cat` then exit with the code given as the command's last word."""

    def __init__(self, code: int):
        self.code = code
        self.q: asyncio.Queue = asyncio.Queue()

    async def write_stdin(self, data: bytes) -> None:
        await self.q.put((1, data.upper()))

    async def close_stdin(self) -> None:
        await self.q.put(None)

    async def read(self):
        return await self.q.get()

    def resize(self, width: int, height: int) -> None:
        self.q.put_nowait((2, f"{width}x{height}".encode()))

    async def wait(self) -> int:
        return self.code


class CatKubelet(Kubelet):
    async def start(self, store) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def exec(self, pod, container, command, stdin, tty):
        return CatSession(int(command[-1]))

    async def logs(self, pod, container, *, follow=False, tail_lines=None, previous=False):
        yield b"line\n"

    def pod_address(self, pod) -> str:
        return "127.0.0.1"


def run(tmp_path, scenario):
    async def main():
        certs.ensure_pki(str(tmp_path))
        store = Store()
        store.create(REGISTRY.by_kind("v1", "Namespace"), {"metadata": {"name": "db"}})
        store.create(REGISTRY.by_kind("v1", "Pod"), {
            "metadata": {"name": "pg-0", "namespace": "db"},
            "spec": {"containers": [{"name": "postgres", "image": "x"},
                                    {"name": "side", "image": "y"}]}})
        server = ApiServer(Settings(state_dir=str(tmp_path)), store, CatKubelet())
        port = await server.start()
        ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        ctx.load_cert_chain(str(tmp_path / "admin.crt"), str(tmp_path / "admin.key"))
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as s:
                return await scenario(s, f"https://127.0.0.1:{port}")
        finally:
            await server.stop()
    return asyncio.run(main())


EXEC = "/api/v1/namespaces/db/pods/pg-0/exec?container=postgres&command=cat&command={code}" \
       "&stdin=true&stdout=true&stderr=true"


async def _session(s, url, proto, code, frames):
    out = []
    async with s.ws_connect(url + EXEC.format(code=code), protocols=[proto]) as ws:
        assert ws.protocol == proto
        for f in frames:
            if isinstance(f, str):
                await ws.send_str(f)
            else:
                await ws.send_bytes(f)
        async for msg in ws:
            out.append(msg.data)
    return out


def test_v5_stdin_close_and_exit_code(tmp_path):
    async def scenario(s, url):
        return await _session(s, url, "v5.channel.k8s.io", 42,
                              [b"\x00hello", b"\x04" + json.dumps({"Width": 80,
                                                                   "Height": 24}).encode(),
                               b"\xff\x00"])
    out = run(tmp_path, scenario)
    assert out[0] == b"\x01"                      # ready: empty frame on stdout
    assert out[1] == b"\x01HELLO" and out[2] == b"\x0280x24"
    status = json.loads(out[3][1:])
    assert out[3][0] == 3 and status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "42"}]


def test_v4_base64_success(tmp_path):
    async def scenario(s, url):
        async with s.ws_connect(url + EXEC.format(code=0),
                                protocols=["v4.base64.channel.k8s.io"]) as ws:
            await ws.send_str("0" + base64.b64encode(b"ok").decode())
            first = await ws.receive()
            second = await ws.receive()
            await ws.close()
            return first.data, second.data
    first, second = run(tmp_path, scenario)
    assert first == "1" and second == "1" + base64.b64encode(b"OK").decode()


def test_errors_before_the_upgrade(tmp_path):
    async def scenario(s, url):
        res = {}
        async with s.post(url + EXEC.format(code=0),
                          headers={"Upgrade": "SPDY/3.1", "Connection": "Upgrade",
                                   "X-Stream-Protocol-Version": "v4.channel.k8s.io"}) as r:
            res["spdy"] = (r.status, await r.json())
        async with s.get(url + "/api/v1/namespaces/db/pods/pg-0/exec?command=ls&stdout=1",
                          headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                   "Sec-WebSocket-Version": "13",
                                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                   "Sec-WebSocket-Protocol": "v5.channel.k8s.io"}) as r:
            res["container"] = (r.status, await r.json())
        async with s.get(url + "/api/v1/namespaces/db/pods/pg-0/log?container=side") as r:
            res["log"] = (r.status, await r.text())
        return res
    res = run(tmp_path, scenario)
    assert res["spdy"][0] == 400 and "WebSocket only" in res["spdy"][1]["message"]
    assert res["container"][1]["message"] == ("a container name must be specified for pod "
                                              "pg-0, choose one of: [postgres side]")
    assert res["log"] == (200, "line\n")


@pytest.fixture(autouse=True)
def _quiet_aiohttp():
    import logging
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
