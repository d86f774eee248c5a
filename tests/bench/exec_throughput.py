#!/usr/bin/python3
"""Exec throughput benchmark: streams N bytes of stdout from a pod through
kpg::kube::exec() (the exec_client driver) and prints MiB/s and the client's peak
RSS, with the machine and the command.

Default target: tests/exec/exec_server.py on loopback over TLS, with a throw-away
PKI, plus the same bytes through a Python aiohttp client as a reference for what
the server itself can push. Against a cluster (kubesim or real), pass
--kubeconfig/--context/--namespace/--pod [--container]; --kubectl also times
`kubectl exec` for the same bytes.

  /usr/bin/python3 tests/bench/exec_throughput.py [--bytes 1073741824]
  /usr/bin/python3 tests/bench/exec_throughput.py --kubeconfig ~/.kube/config --pod pg-0 --kubectl
"""
import argparse
import asyncio
import base64
import os
import platform
import resource
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "exec"))
MiB = 1024 * 1024


def machine():
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def run_client(args, size):
    start = time.monotonic()
    result = subprocess.run(args + ["--stats", "--", "head", "-c", str(size), "/dev/zero"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"exec_client failed ({result.returncode}): {result.stderr}")
    stats = dict(item.split("=") for item in result.stderr.split())
    if int(stats["stdout_bytes"]) != size:
        sys.exit(f"exec_client received {stats['stdout_bytes']} bytes, expected {size}")
    return elapsed, int(stats["peak_rss_kib"]), float(stats["cpu_seconds"])


def report(label, size, elapsed, rss_kib=None, command="", cpu=None):
    rss = f", peak RSS {rss_kib / 1024:.1f} MiB" if rss_kib is not None else ""
    if cpu is not None:
        rss += f", client CPU {cpu:.2f} s"
    print(f"{label}: {size / MiB / elapsed:.0f} MiB/s ({size / MiB:.0f} MiB in {elapsed:.2f} s{rss})")
    if command:
        print(f"  command: {command}")


async def aiohttp_reference(url, ca, token, size):
    """The same stream read by a minimal Python client: what the server can push."""
    import aiohttp
    context = ssl.create_default_context(cafile=ca)
    query = f"command=head&command=-c&command={size}&command=/dev/zero&stdout=true"
    received = 0
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
                f"{url}/api/v1/namespaces/bench/pods/pod/exec?{query}", ssl=context,
                protocols=("v5.channel.k8s.io",), max_msg_size=0,
                headers={"Authorization": f"Bearer {token}"}) as ws:
            async for message in ws:
                if message.data[0] == 1:
                    received += len(message.data) - 1
    return received


def bench_local_server(args):
    import conftest
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pki = conftest.make_pki(tmp)
        server = conftest.ExecServer(pki, tmp)
        try:
            client = [args.client, "--server", server.url, "--ca", pki["ca"], "--token-file",
                      pki["token"], "-n", "bench", "--pod", "pod"]
            elapsed, rss, cpu = run_client(client, args.bytes)
            report("kubectl-pg exec (Beast, TLS)", args.bytes, elapsed, rss,
                   " ".join(client[:1] + ["..."] + ["--", "head", "-c", str(args.bytes), "/dev/zero"]),
                   cpu)
            start = time.monotonic()
            received = asyncio.run(aiohttp_reference(server.url, pki["ca"], conftest.TOKEN, args.bytes))
            elapsed = time.monotonic() - start
            assert received == args.bytes, received
            report("reference: Python aiohttp client, same server", args.bytes, elapsed)
        finally:
            server.stop()


def bench_cluster(args):
    import yaml
    config = yaml.safe_load(Path(args.kubeconfig).expanduser().read_text())
    context_name = args.context or config["current-context"]
    context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
    user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
    base = Path(args.kubeconfig).expanduser().parent
    with tempfile.TemporaryDirectory() as tmp:  # test tool only: kubectl-pg keeps PEMs in memory
        os.chmod(tmp, 0o700)

        def materialise(section, data_key, file_key, name):
            if data_key in section:
                path = Path(tmp) / name
                path.write_bytes(base64.b64decode(section[data_key]))
                return str(path)
            return str(base / section[file_key]) if file_key in section else None

        client = [args.client, "--server", cluster["server"], "-n", args.namespace,
                  "--pod", args.pod]
        if ca := materialise(cluster, "certificate-authority-data", "certificate-authority", "ca"):
            client += ["--ca", ca]
        if cluster.get("insecure-skip-tls-verify"):
            client += ["--insecure-skip-tls-verify"]
        if "token" in user:
            (Path(tmp) / "token").write_text(user["token"])
            client += ["--token-file", str(Path(tmp) / "token")]
        cert = materialise(user, "client-certificate-data", "client-certificate", "cert")
        if cert:
            client += ["--cert", cert,
                       "--key", materialise(user, "client-key-data", "client-key", "key")]
        if args.container:
            client += ["-c", args.container]
        elapsed, rss, cpu = run_client(client, args.bytes)
        report("kubectl-pg exec (Beast)", args.bytes, elapsed, rss, cpu=cpu)
    if args.kubectl:
        command = ["kubectl", "--kubeconfig", args.kubeconfig, "-n", args.namespace, "exec",
                   args.pod] + (["--context", args.context] if args.context else []) \
            + (["-c", args.container] if args.container else []) \
            + ["--", "head", "-c", str(args.bytes), "/dev/zero"]
        start = time.monotonic()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        elapsed = time.monotonic() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report("kubectl exec", args.bytes, elapsed, rss, " ".join(command))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=1024 * MiB)
    parser.add_argument("--client", default=str(ROOT / "build" / "tests" / "exec_client"))
    parser.add_argument("--kubeconfig")
    parser.add_argument("--context")
    parser.add_argument("-n", "--namespace", default="default")
    parser.add_argument("--pod")
    parser.add_argument("-c", "--container")
    parser.add_argument("--kubectl", action="store_true", help="also time kubectl exec")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if args.kubeconfig:
        bench_cluster(args)
    else:
        bench_local_server(args)


if __name__ == "__main__":
    main()
