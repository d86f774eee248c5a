"""Pod networking: one network namespace per pod on a private bridge, as a CNI bridge
plugin would set it up, plus the host addresses that Service ClusterIPs live on.

Each kubesim instance takes a free *slot* N (0..199), held by an flock on
/run/kubesim/slot-N.lock for the life of the process, so parallel instances on one
machine never share addresses or interface names:

- bridge `ksimN` with the gateway 10.244.N.1/24 (the pod network, /24 per instance);
- pod namespace `ksimN-<host>` with `eth0` = 10.244.N.<host>/24 (veth `ksimNv<host>`
  on the bridge) and `lo`; routes: the pod /24 on-link and the Service range
  10.96.N.0/24 via the gateway. There is deliberately **no default route**: a pod
  can reach other pods, the host's bridge address and ClusterIPs, nothing else
  (connecting elsewhere fails at once with "Network is unreachable");
- Service ClusterIPs 10.96.N.<k> are /32 addresses on the bridge, where the
  kubelet's forwarders (services_proxy.py) listen; 10.96.N.1 is the `kubernetes`
  Service.

Partitions are iptables DROP rules inside the pod's namespace (all traffic except
`lo`, both directions), so packets vanish silently as on a real cut link.
Everything left over from a crashed instance of the same slot is removed when the
slot is taken. Needs root (CAP_NET_ADMIN) and the `ip` and `iptables` commands.
"""
from __future__ import annotations

import fcntl
import ipaddress
import os
import subprocess
import threading

LOCK_DIR = "/run/kubesim"
MAX_SLOTS = 200
POD_PREFIX = "10.244"
SERVICE_PREFIX = "10.96"


class NetworkError(RuntimeError):
    pass


def _run(argv: list[str], *, stdin: str | None = None, check: bool = True) -> str:
    r = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise NetworkError(f"while running {' '.join(argv)}: {r.stderr.strip()}")
    return r.stdout


class PodNetwork:
    """The instance's bridge, pod namespaces and Service addresses (one slot)."""

    def __init__(self, slot: int, lock_fd: int):
        self.slot = slot
        self._lock_fd = lock_fd
        self.bridge = f"ksim{slot}"
        self.gateway = f"{POD_PREFIX}.{slot}.1"
        self.pod_cidr = ipaddress.ip_network(f"{POD_PREFIX}.{slot}.0/24")
        self.service_cidr = ipaddress.ip_network(f"{SERVICE_PREFIX}.{slot}.0/24")
        self._pod_hosts: dict[str, int] = {}       # pod key -> host number
        self._service_ips: set[str] = set()
        self._partitioned: set[str] = set()
        self._lock = threading.Lock()      # methods run in worker threads (asyncio.to_thread)

    # -- instance lifetime -------------------------------------------------------
    @classmethod
    def acquire(cls, preferred: int | None = None) -> "PodNetwork":
        """Takes a free slot (the preferred one first) and creates its bridge."""
        os.makedirs(LOCK_DIR, exist_ok=True)
        order = list(range(MAX_SLOTS))
        if preferred is not None and 0 <= preferred < MAX_SLOTS:
            order.remove(preferred)
            order.insert(0, preferred)
        for slot in order:
            fd = os.open(os.path.join(LOCK_DIR, f"slot-{slot}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            net = cls(slot, fd)
            net._cleanup()
            net._create_bridge()
            return net
        raise NetworkError(f"no free kubesim network slot in {LOCK_DIR} (all {MAX_SLOTS} in use)")

    def release(self) -> None:
        """Removes every namespace, veth and address of this slot and frees it."""
        self._cleanup()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _create_bridge(self) -> None:
        _run(["ip", "-batch", "-"], stdin=(
            f"link add {self.bridge} type bridge\n"
            f"addr add {self.gateway}/24 dev {self.bridge}\n"
            f"addr add {self.kubernetes_service_ip}/32 dev {self.bridge}\n"
            f"link set {self.bridge} up\n"))

    def _cleanup(self) -> None:
        prefix = f"ksim{self.slot}-"
        for line in _run(["ip", "netns", "list"], check=False).splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(prefix):
                _run(["ip", "netns", "del", name], check=False)
        # `ip netns del` only unmounts: a namespace some process still holds lives on with
        # its veth pair, whose host end would block the next pod of that number.
        for veth in self._host_veths():
            _run(["ip", "link", "del", veth], check=False)
        _run(["ip", "link", "del", self.bridge], check=False)
        self._pod_hosts.clear()
        self._service_ips.clear()
        self._partitioned.clear()

    def _host_veths(self) -> list[str]:
        """This slot's pod veths on the host (`ksimNv<host>`)."""
        prefix = f"ksim{self.slot}v"
        out = _run(["ip", "-o", "link", "show", "type", "veth"], check=False)
        names = (line.split(":")[1].strip().split("@")[0] for line in out.splitlines()
                 if line.count(":") >= 2)
        return [n for n in names if n.startswith(prefix) and n[len(prefix):].isdigit()]

    # -- addresses -----------------------------------------------------------------
    @property
    def kubernetes_service_ip(self) -> str:
        """ClusterIP of Service default/kubernetes (the first of the range, as in k8s)."""
        return str(self.service_cidr.network_address + 1)

    def allocate_service_ip(self, taken: set[str]) -> str:
        """A free ClusterIP of this instance's range (not in `taken`)."""
        for host in range(2, 255):
            ip = str(self.service_cidr.network_address + host)
            if ip not in taken:
                return ip
        raise NetworkError(f"Service range {self.service_cidr} is full")

    def add_service_ip(self, ip: str) -> None:
        """Puts ClusterIP `ip` on the bridge so forwarders can listen on it."""
        if ipaddress.ip_address(ip) not in self.service_cidr:
            raise NetworkError(f"ClusterIP {ip} is outside this instance's Service range "
                               f"{self.service_cidr}; let kubesim allocate spec.clusterIP")
        with self._lock:
            if ip in self._service_ips or ip == self.kubernetes_service_ip:
                return
            _run(["ip", "addr", "add", f"{ip}/32", "dev", self.bridge])
            self._service_ips.add(ip)

    def remove_service_ip(self, ip: str) -> None:
        if ip in self._service_ips:
            self._service_ips.discard(ip)
            _run(["ip", "addr", "del", f"{ip}/32", "dev", self.bridge], check=False)

    # -- pods ------------------------------------------------------------------------
    def netns_name(self, key: str) -> str:
        return f"ksim{self.slot}-{self._pod_hosts[key]}"

    def netns_path(self, key: str) -> str:
        return f"/run/netns/{self.netns_name(key)}"

    def pod_ip(self, key: str) -> str:
        host = self._pod_hosts.get(key)
        return str(self.pod_cidr.network_address + host) if host else ""

    def setup_pod(self, key: str) -> str:
        """Creates the pod's namespace and interface; returns its IP."""
        with self._lock:
            if key in self._pod_hosts:
                return self.pod_ip(key)
            used = set(self._pod_hosts.values())
            host = next((h for h in range(2, 255) if h not in used), None)
            if host is None:
                raise NetworkError(f"pod network {self.pod_cidr} is full")
            self._pod_hosts[key] = host
        ns, veth = self.netns_name(key), f"ksim{self.slot}v{host}"
        ip = self.pod_ip(key)
        try:
            _run(["ip", "netns", "add", ns])
            # A veth left by a namespace that outlived its pod (see _cleanup) goes first;
            # deleting one end of a pair deletes both.
            _run(["ip", "link", "del", veth], check=False)
            _run(["ip", "-batch", "-"], stdin=(
                f"link add {veth} type veth peer name eth0 netns {ns}\n"
                f"link set {veth} master {self.bridge} up\n"))
            _run(["ip", "-n", ns, "-batch", "-"], stdin=(
                "link set lo up\n"
                f"addr add {ip}/24 dev eth0\n"
                "link set eth0 up\n"
                f"route add {self.service_cidr} via {self.gateway} dev eth0\n"))
        except NetworkError:
            self.teardown_pod(key)
            raise
        return ip

    def teardown_pod(self, key: str) -> None:
        """Deletes the pod's veth pair and namespace."""
        with self._lock:
            if key not in self._pod_hosts:
                return
            name = self.netns_name(key)
            veth = f"ksim{self.slot}v{self._pod_hosts[key]}"
        _run(["ip", "link", "del", veth], check=False)
        _run(["ip", "netns", "del", name], check=False)
        with self._lock:
            self._partitioned.discard(key)
            self._pod_hosts.pop(key, None)

    def partition(self, key: str) -> None:
        """Drops every packet to and from the pod (loopback inside the pod still works)."""
        if key in self._partitioned:
            return
        ns = self.netns_name(key)
        _run(["ip", "netns", "exec", ns, "iptables", "-w", "-A", "INPUT", "!", "-i", "lo", "-j", "DROP"])
        _run(["ip", "netns", "exec", ns, "iptables", "-w", "-A", "OUTPUT", "!", "-o", "lo", "-j", "DROP"])
        self._partitioned.add(key)

    def heal(self, key: str) -> None:
        if key not in self._partitioned:
            return
        _run(["ip", "netns", "exec", self.netns_name(key), "iptables", "-w", "-F"])
        self._partitioned.discard(key)
