"""Container probes and lifecycle handlers (exec, httpGet, tcpSocket), with the
kubelet's timing rules (API core/v1 Probe; KK pkg/kubelet/prober/worker.go):
initialDelaySeconds (0), periodSeconds (10), timeoutSeconds (1), successThreshold (1),
failureThreshold (3). A result changes only after `threshold` equal results in a row.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class ProbeTiming:
    initial_delay: float
    period: float
    timeout: float
    success_threshold: int
    failure_threshold: int

    @classmethod
    def of(cls, probe: dict) -> "ProbeTiming":
        return cls(float(probe.get("initialDelaySeconds", 0)), float(probe.get("periodSeconds", 10)),
                   float(probe.get("timeoutSeconds", 1)), int(probe.get("successThreshold", 1)),
                   int(probe.get("failureThreshold", 3)))


def _port(value, container: dict) -> int:
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    for p in container.get("ports") or []:
        if p.get("name") == value:
            return int(p["containerPort"])
    raise ValueError(f"unknown named port {value!r}")


async def run_handler(handler: dict, container: dict, pod_ip: str, exec_fn, timeout: float) -> bool:
    """One probe/handler run; True on success. `exec_fn(argv, timeout) -> exit code`."""
    try:
        if "exec" in handler:
            code = await exec_fn(handler["exec"].get("command") or [], timeout)
            return code == 0
        if "tcpSocket" in handler:
            host = handler["tcpSocket"].get("host") or pod_ip
            _r, w = await asyncio.wait_for(
                asyncio.open_connection(host, _port(handler["tcpSocket"]["port"], container)), timeout)
            w.close()
            return True
        if "httpGet" in handler:
            return await _http_get(handler["httpGet"], container, pod_ip, timeout)
        if "sleep" in handler:
            await asyncio.sleep(float(handler["sleep"].get("seconds", 0)))
            return True
    except (OSError, asyncio.TimeoutError, ValueError):
        return False
    return False


async def _http_get(h: dict, container: dict, pod_ip: str, timeout: float) -> bool:
    """HTTP GET; success is a status in [200, 400) (KK pkg/probe/http/http.go)."""
    import aiohttp
    scheme = (h.get("scheme") or "HTTP").lower()
    host = h.get("host") or pod_ip
    url = f"{scheme}://{host}:{_port(h['port'], container)}{h.get('path') or '/'}"
    headers = {x["name"]: x["value"] for x in h.get("httpHeaders") or []}
    headers.setdefault("User-Agent", "kube-probe/1.32")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as s:
            async with s.get(url, headers=headers, ssl=False, allow_redirects=True) as r:
                return 200 <= r.status < 400
    except aiohttp.ClientError:
        return False


class ProbeState:
    """Thresholded result of one probe (`ok` starts as `initial`)."""

    def __init__(self, probe: dict, initial: bool):
        self.timing = ProbeTiming.of(probe)
        self.ok = initial
        self._run = 0
        self._last: bool | None = None

    def record(self, success: bool) -> bool:
        """Adds a result; returns True when `ok` changed."""
        self._run = self._run + 1 if success == self._last else 1
        self._last = success
        needed = self.timing.success_threshold if success else self.timing.failure_threshold
        if success != self.ok and self._run >= needed:
            self.ok = success
            return True
        return False
