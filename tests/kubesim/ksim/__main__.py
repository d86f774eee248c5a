"""`python3 -m ksim serve --state DIR [options]`: the kubesim server process.

Usually started by the `tests/kubesim/kubesim up` CLI, which daemonizes it. It makes the
PKI and kubeconfig in DIR on first start, loads DIR/objects.marshal (or objects.json), starts the API server,
the kubelet and the controllers, persists the store periodically and on SIGTERM/SIGINT,
then stops the kubelet (and with it every pod process) before exiting.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import sys
import time

from . import apply as ssa
from . import certs, controllers, defaults
from .controllers.config import ControllerConfig
from .resources import REGISTRY
from .server import ApiServer, Settings
from .store import Store

log = logging.getLogger("ksim")


def make_kubelet(settings: Settings):
    if settings.kubelet == "process":
        from .kubelet.process import ProcessKubelet
        return ProcessKubelet(settings.state_dir)
    from .kubelet.virtual import VirtualKubelet
    return VirtualKubelet(ready_delay=settings.pod_ready_delay)


def make_store(settings: Settings) -> Store:
    store = Store(window=settings.watch_window)
    store.bookmark_interval = settings.bookmark_interval
    t0 = time.monotonic()
    if store.load(os.path.join(settings.state_dir, "objects.marshal")):
        log.info("loaded %d objects (resourceVersion %s) in %.2f s",
                 sum(store.count(rt) for rt in REGISTRY.all()), store.resource_version,
                 time.monotonic() - t0)
    store.admission.append(defaults.Admission(store))
    store.managed_fields = lambda op, rt, obj, old, manager, sub: ssa.track_update(
        op, rt, obj, old, manager, sub, store.clock)
    return store


def _choose_port(settings: Settings) -> None:
    """Port 0: reuse the port of the previous run (DIR/kubesim.json) so kubeconfigs stay
    valid across restarts, else a free one. Chosen before the controllers start, which
    publish it in the `kubernetes` Service's Endpoints."""
    if settings.port:
        return
    try:
        with open(os.path.join(settings.state_dir, "kubesim.json")) as f:
            settings.port = int(json.load(f)["port"])
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((settings.host, settings.port))
        return
    except (OSError, ValueError, KeyError):
        pass
    with socket.socket() as s:
        s.bind((settings.host, 0))
        settings.port = s.getsockname()[1]


def controller_config(settings: Settings, kubelet) -> ControllerConfig:
    """The controllers' settings: the API server's address and state directory,
    overridden by what the kubelet needs (the process kubelet: the `kubernetes`
    Service's ClusterIP and the address its Endpoints publish, which pods can reach)."""
    config = {"api_host": settings.host, "api_port": settings.port,
              "state_dir": settings.state_dir}
    if kubelet is not None:
        config.update(kubelet.controller_overrides())
    return ControllerConfig.from_any(config)


async def serve(settings: Settings) -> None:
    os.makedirs(settings.state_dir, exist_ok=True)
    _choose_port(settings)
    kubelet = None
    try:
        kubelet = make_kubelet(settings)
    except ImportError as e:
        log.warning("no kubelet (%s): pods stay Pending", e)
    config = controller_config(settings, kubelet)
    # The serving certificate names the `kubernetes` Service's ClusterIP and the address
    # its Endpoints publish; the CA is published in every namespace (kube-root-ca.crt).
    certs.ensure_pki(settings.state_dir, config.service_cluster_ip, config.api_host)
    with open(os.path.join(settings.state_dir, "ca.crt"), encoding="ascii") as f:
        config.ca_pem = f.read()
    store = make_store(settings)
    if kubelet is not None:
        kubelet.register_admission(store)
        kubelet.api_address = (settings.host, settings.port)
    server = ApiServer(settings, store, kubelet)
    tasks = controllers.start_all(store, kubelet, config)
    server.require_bootstrap = True
    if kubelet is not None:
        await kubelet.start(store)
    port = await server.start()
    url = f"https://{settings.host}:{port}"
    certs.write_kubeconfig(settings.state_dir, url)
    with open(os.path.join(settings.state_dir, "kubesim.json"), "w") as f:
        json.dump({"pid": os.getpid(), "host": settings.host, "port": port, "url": url,
                   "kubelet": settings.kubelet}, f)
    path = os.path.join(settings.state_dir, "objects.marshal")
    persist = asyncio.get_running_loop().create_task(store.persist_forever(path))
    log.info("kubesim serving %s (state %s, kubelet %s)", url, settings.state_dir,
             settings.kubelet)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("kubesim stopping")
    persist.cancel()
    await server.stop()
    for t in tasks:
        t.cancel()
    if kubelet is not None:
        try:
            await asyncio.wait_for(kubelet.stop(), 30)
        except Exception:
            log.exception("stopping the kubelet failed")
    store.save(path, with_json=True)
    log.info("kubesim stopped")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m ksim")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the API server in the foreground")
    s.add_argument("--state", required=True, help="state directory")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0, help="0: any free port (kept across "
                                                       "restarts via DIR/kubesim.json)")
    s.add_argument("--kubelet", choices=("virtual", "process"), default="virtual")
    s.add_argument("--pod-ready-delay", type=float, default=0.0,
                   help="virtual kubelet: seconds from binding to Running+Ready")
    s.add_argument("--watch-window", type=int, default=10000,
                   help="events per resource a watch can resume from (older: 410)")
    s.add_argument("--bookmark-interval", type=float, default=60.0)
    s.add_argument("--log-level", default="INFO")
    a = p.parse_args(argv)
    logging.basicConfig(level=a.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    settings = Settings(state_dir=os.path.abspath(a.state), host=a.host, port=a.port,
                        kubelet=a.kubelet, pod_ready_delay=a.pod_ready_delay,
                        watch_window=a.watch_window, bookmark_interval=a.bookmark_interval)
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
