"""Service ClusterIPs: an asyncio TCP forwarder per Service port, as kube-proxy would be.

Each (ClusterIP, port) listens on the host side of the pod bridge and sends every new
connection to one of the Service's ready endpoints (round robin; the next one when
a connect fails), taken from the Service's Endpoints object (`subsets[].addresses`
and the port of the same name). The table is swapped on every Service/Endpoints
event, so a new connection follows endpoint changes at once; connections already
open stay where they are, as with kube-proxy's conntrack entries. A Service with no
ready endpoint refuses connections (kube-proxy's REJECT rule).
"""
from __future__ import annotations

import asyncio
import itertools
import logging

log = logging.getLogger("ksim.services")
PIPE_CHUNK = 65536


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await reader.read(PIPE_CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            pass


class Forwarder:
    """One listening (ip, port) and its current backends [(ip, port)]."""

    def __init__(self, ip: str, port: int):
        self.ip, self.port = ip, port
        self.backends: list[tuple[str, int]] = []
        self._rr = itertools.count()
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.ip, self.port,
                                                  reuse_address=True)

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()
        for t in list(self._conns):
            t.cancel()

    async def _handle(self, reader, writer) -> None:
        task = asyncio.current_task()
        self._conns.add(task)
        try:
            backends = list(self.backends)
            start = next(self._rr)
            for i in range(len(backends)):
                ip, port = backends[(start + i) % len(backends)]
                try:
                    br, bw = await asyncio.wait_for(asyncio.open_connection(ip, port), 3)
                except (OSError, asyncio.TimeoutError):
                    continue
                await asyncio.gather(_pipe(reader, bw), _pipe(br, writer))
                bw.close()
                break
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()
            self._conns.discard(task)


def service_backends(svc: dict, endpoints: dict | None) -> dict[int, list[tuple[str, int]]]:
    """{service port: [(endpoint ip, target port)]} from the Service and its Endpoints."""
    out: dict[int, list[tuple[str, int]]] = {}
    for sp in svc.get("spec", {}).get("ports") or []:
        if (sp.get("protocol") or "TCP") != "TCP":
            continue
        backends = []
        for subset in (endpoints or {}).get("subsets") or []:
            ports = subset.get("ports") or []
            match = [p for p in ports if p.get("name", "") == sp.get("name", "")] or \
                (ports if len(ports) == 1 else [])
            if not match:
                continue
            for addr in subset.get("addresses") or []:
                backends.append((addr["ip"], int(match[0]["port"])))
        out[int(sp["port"])] = backends
    return out


class ServiceProxy:
    """All forwarders of the instance, keyed by (ip, port)."""

    def __init__(self):
        self._fwd: dict[tuple[str, int], Forwarder] = {}

    async def ensure(self, ip: str, port: int, backends: list[tuple[str, int]]) -> None:
        key = (ip, port)
        fwd = self._fwd.get(key)
        if fwd is None:
            fwd = Forwarder(ip, port)
            try:
                await fwd.start()
            except OSError as e:
                log.warning("cannot listen on %s:%s for a Service: %s", ip, port, e)
                return
            self._fwd[key] = fwd
        fwd.backends = backends

    async def retain(self, keys: set[tuple[str, int]]) -> None:
        """Stops every forwarder not in `keys`."""
        for key in [k for k in self._fwd if k not in keys]:
            await self._fwd.pop(key).stop()

    def backends(self, ip: str, port: int) -> list[tuple[str, int]]:
        fwd = self._fwd.get((ip, port))
        return list(fwd.backends) if fwd else []

    async def stop(self) -> None:
        await self.retain(set())
