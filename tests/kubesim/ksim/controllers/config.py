"""Settings of the controllers (what kube-controller-manager takes as flags)."""
from __future__ import annotations

import dataclasses
import os


@dataclasses.dataclass
class ControllerConfig:
    """`api_host`/`api_port`: where the API server listens; the `kubernetes` Service's
    Endpoints in `default` point there (Spilo/Patroni resolve them to reach the API).
    `ca_pem`: the cluster CA (PEM) published as ConfigMap `kube-root-ca.crt` in every
    namespace; read from `state_dir/ca.crt` when empty. `state_dir`: the server's state
    directory; provisioned PersistentVolumes are hostPath directories under
    `state_dir/volumes/`. `resync_seconds`: every controller re-reconciles all its
    objects this often, as a safety net (events drive normal work).
    `service_cluster_ip`: the `kubernetes` Service's clusterIP (the first address of the
    service CIDR, 10.96.0.0/12 as kubeadm sets it)."""

    api_host: str = "127.0.0.1"
    api_port: int = 6443
    ca_pem: str = ""
    state_dir: str | None = None
    resync_seconds: float = 300.0
    service_cluster_ip: str = "10.96.0.1"

    @classmethod
    def from_any(cls, config) -> "ControllerConfig":
        """Accepts a ControllerConfig, a dict or any object with some of these attributes
        (e.g. the server's own settings); missing fields keep their defaults."""
        if isinstance(config, cls):
            out = dataclasses.replace(config)
        else:
            values = {}
            for f in dataclasses.fields(cls):
                if isinstance(config, dict):
                    if f.name in config:
                        values[f.name] = config[f.name]
                elif config is not None and hasattr(config, f.name):
                    values[f.name] = getattr(config, f.name)
            out = cls(**values)
        if not out.ca_pem and out.state_dir:
            path = os.path.join(out.state_dir, "ca.crt")
            if os.path.exists(path):
                with open(path, encoding="ascii") as f:
                    out.ca_pem = f.read()
        return out

    def volumes_dir(self) -> str | None:
        return os.path.join(self.state_dir, "volumes") if self.state_dir else None
