"""Spilo (`ghcr.io/zalando/spilo-<major>`): the real Patroni (Debian 3.0.2) managing
PostgreSQL 15, configured from Spilo's environment variables the way Spilo's
`scripts/configure_spilo.py` derives postgres.yml (zalando/spilo, postgres-appliance;
variables documented in ENVIRONMENT.rst):

- SCOPE (dummy), PGHOME (/home/postgres), PGROOT ($PGHOME/pgdata/pgroot),
  PGDATA ($PGROOT/data), APIPORT (8008), PGPORT (5432), POD_IP (the pod's IP),
  PGUSER_SUPERUSER/PGPASSWORD_SUPERUSER (postgres/zalando),
  PGUSER_STANDBY/PGPASSWORD_STANDBY (standby/standby), PGUSER_ADMIN/PGPASSWORD_ADMIN
  (admin role created at bootstrap when PGPASSWORD_ADMIN is set), ALLOW_NOSSL;
- Kubernetes DCS when KUBERNETES_SERVICE_HOST and DCS_ENABLE_KUBERNETES_API are set:
  every KUBERNETES_<X> variable becomes `kubernetes.<x>`; KUBERNETES_LABELS (JSON,
  default {"application": "spilo"}), KUBERNETES_ROLE_LABEL (spilo-role),
  KUBERNETES_SCOPE_LABEL (version); Endpoints unless KUBERNETES_USE_CONFIGMAPS, then
  with pod_ip and the port `postgresql` 5432; KUBERNETES_BYPASS_API_SERVICE (true);
  namespace from POD_NAMESPACE;
- TLS as configure_spilo.write_certificates: SSL_CERTIFICATE and SSL_PRIVATE_KEY (PEM
  contents) written to the certificate files, SSL_CA (with SSL_CA_FILE) to the CA file
  (`ssl_ca_file`); else SSL_CERTIFICATE_FILE / SSL_PRIVATE_KEY_FILE as given (e.g. a
  mounted Secret); else a self-signed dummy certificate (CN spilo.dummy.org);
- SPILO_CONFIGURATION (or PATRONI_CONFIGURATION), YAML deep-merged over the result
  with the user's values winning; PATRONI_* variables are read by Patroni itself.

Differences from the image (IMAGES.md): PostgreSQL 15 from Debian whatever the
image's major; no Spilo extensions (bg_mon, pgextwlist, pg_auth_mon, set_user,
timescaledb, ...), no post_init.sh, no WAL-E/WAL-G, no callbacks; replicas are
created with Patroni's built-in `basebackup`; locale C.UTF-8 (no en_US.UTF-8 here);
shared_buffers is 1/5 of the container's memory limit and at most 128MB without one.
"""
from __future__ import annotations

import json
import re
import subprocess

import yaml

from ksim.runtimes import PG_BIN, RUNTIME_DIR, Context, Plan

DEFAULT_LABELS = '{"application": "spilo"}'
_UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 10**3, "M": 10**6, "G": 10**9}


def _memory_limit_bytes(container: dict) -> int | None:
    q = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    if q is None:
        return None
    m = re.fullmatch(r"(\d+)([A-Za-z]*)", str(q))
    if not m:
        return None
    return int(m.group(1)) * _UNITS.get(m.group(2), 1)


def deep_update(a, b):
    """Spilo's deep_update: dicts merge recursively, `a`'s values win."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in b:
            a[k] = deep_update(a[k], b[k]) if k in a else b[k]
        return a
    if isinstance(a, list) and isinstance(b, list):
        return a
    return a if a is not None else b


def _true(value) -> bool:
    return str(value).lower() in ("true", "1", "on", "yes")


def patroni_config(env: dict[str, str], pod_ip: str, hostname: str, memory: int | None) -> dict:
    """The Patroni configuration Spilo would write to /run/postgres.yml."""
    e = dict(env)
    e.setdefault("PGHOME", "/home/postgres")
    e.setdefault("PGROOT", e["PGHOME"] + "/pgdata/pgroot")
    e.setdefault("PGDATA", e["PGROOT"] + "/data")
    for k, v in (("APIPORT", "8008"), ("PGPORT", "5432"), ("SCOPE", "dummy"),
                 ("PGUSER_SUPERUSER", "postgres"), ("PGPASSWORD_SUPERUSER", "zalando"),
                 ("PGUSER_STANDBY", "standby"), ("PGPASSWORD_STANDBY", "standby"),
                 ("PGUSER_ADMIN", "admin"), ("PGPASSWORD_ADMIN", "cola")):
        e.setdefault(k, v)
    use_k8s = bool(e.get("KUBERNETES_SERVICE_HOST"))
    ip = e.get("POD_IP", pod_ip) if use_k8s else pod_ip
    mem_mb = (memory or 640 << 20) // (1 << 20)
    shared_buffers = f"{max(16, mem_mb // 5)}MB"
    max_connections = min(max(100, mem_mb // 30), 1000)
    ssl_lines = [] if _true(e.get("ALLOW_NOSSL")) else ["hostnossl all all all reject"]
    tail = "host all all all md5" if _true(e.get("ALLOW_NOSSL")) else "hostssl all all all md5"
    config = {
        "bootstrap": {
            "dcs": {
                "ttl": 30, "loop_wait": 10, "retry_timeout": 10,
                "maximum_lag_on_failover": 33554432,
                "postgresql": {"use_pg_rewind": True, "use_slots": True, "parameters": {
                    "archive_mode": "on", "archive_timeout": "1800s", "wal_level": "hot_standby",
                    "wal_log_hints": "on", "max_wal_senders": 10, "max_connections": max_connections,
                    "max_replication_slots": 10, "hot_standby": "on", "tcp_keepalives_idle": 900,
                    "tcp_keepalives_interval": 100, "log_line_prefix": "%t [%p]: [%l-1] %c %x %d %u %a %h ",
                    "log_checkpoints": "on", "log_lock_waits": "on", "log_min_duration_statement": 500,
                    "log_autovacuum_min_duration": 0, "log_connections": "on",
                    "log_disconnections": "on", "log_statement": "ddl", "log_temp_files": 0,
                    "track_functions": "all", "checkpoint_completion_target": 0.9,
                    "autovacuum_max_workers": 5, "autovacuum_vacuum_scale_factor": 0.05,
                    "autovacuum_analyze_scale_factor": 0.02}},
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
        },
        "scope": e["SCOPE"],
        "restapi": {"listen": f":{e['APIPORT']}", "connect_address": f"{ip}:{e['APIPORT']}"},
        "postgresql": {
            "pgpass": "/run/postgresql/pgpass",
            "use_unix_socket": True,
            "name": hostname,
            "listen": f"*:{e['PGPORT']}",
            "connect_address": f"{ip}:{e['PGPORT']}",
            "data_dir": e["PGDATA"],
            "bin_dir": PG_BIN,
            "parameters": {
                "archive_command": "/bin/true", "shared_buffers": shared_buffers,
                "logging_collector": "on", "log_destination": "csvlog", "log_directory": "../pg_log",
                "log_filename": "postgresql-%u.log", "log_file_mode": "0644",
                "log_rotation_age": "1d", "log_truncate_on_rotation": "on", "ssl": "on",
                **ssl_files(e),
                "shared_preload_libraries": "pg_stat_statements",
                "pg_stat_statements.track_utility": "off",
                "unix_socket_directories": "/var/run/postgresql",
            },
            "pg_hba": ["local all all trust",
                       "host all all 127.0.0.1/32 md5", "host all all ::1/128 md5",
                       f"hostssl replication {e['PGUSER_STANDBY']} all md5"] + ssl_lines + [tail],
            "authentication": {
                "superuser": {"username": e["PGUSER_SUPERUSER"], "password": e["PGPASSWORD_SUPERUSER"]},
                "replication": {"username": e["PGUSER_STANDBY"], "password": e["PGPASSWORD_STANDBY"]},
            },
            "create_replica_methods": ["basebackup"],
            "basebackup": [{"checkpoint": "fast"}],
        },
    }
    if "PGPASSWORD_ADMIN" in env:
        config["bootstrap"]["users"] = {e["PGUSER_ADMIN"]: {
            "password": e["PGPASSWORD_ADMIN"], "options": ["createrole", "createdb"]}}
    config.update(dcs_config(e, ip, use_k8s))
    user = e.get("SPILO_CONFIGURATION", e.get("PATRONI_CONFIGURATION", ""))
    user_config = yaml.safe_load(user) if user else None
    return deep_update(user_config or {}, config)


def dcs_config(e: dict[str, str], ip: str, use_k8s: bool) -> dict:
    """configure_spilo.get_dcs_config for the Kubernetes DCS (the only one served)."""
    if not (use_k8s and e.get("DCS_ENABLE_KUBERNETES_API")):
        return {}
    e = dict(e)
    e.setdefault("KUBERNETES_ROLE_LABEL", "spilo-role")
    e.setdefault("KUBERNETES_SCOPE_LABEL", "version")
    e.setdefault("KUBERNETES_LABELS", DEFAULT_LABELS)
    e.setdefault("KUBERNETES_USE_CONFIGMAPS", "")
    e.setdefault("KUBERNETES_BYPASS_API_SERVICE", "true")
    k8s = {k.lower().split("_", 1)[1]: v for k, v in e.items() if k.startswith("KUBERNETES_")}
    try:
        k8s["labels"] = json.loads(k8s.get("labels"))
    except (TypeError, ValueError):
        k8s["labels"] = json.loads(DEFAULT_LABELS)
    if not k8s.pop("use_configmaps"):
        k8s.update({"use_endpoints": True, "pod_ip": ip, "ports": [{"port": 5432, "name": "postgresql"}]})
    if _true(k8s.pop("bypass_api_service", None)):
        k8s["bypass_api_service"] = True
    out = {"kubernetes": k8s}
    namespace = e.get("NAMESPACE") or e.get("POD_NAMESPACE", "default")
    if namespace not in ("default", ""):
        out["namespace"] = namespace
    return out


def _given_certificate(e: dict[str, str]) -> bool:
    return bool(e.get("SSL_CERTIFICATE")) and bool(e.get("SSL_PRIVATE_KEY"))


def ssl_files(e: dict[str, str]) -> dict:
    """PostgreSQL's ssl_* file parameters as Spilo sets them (paths in the container):
    the contents given in SSL_CERTIFICATE/SSL_PRIVATE_KEY/SSL_CA go to the runtime's
    certs/ directory; else SSL_*_FILE as given; else the dummy certificate's files."""
    certs = f"{RUNTIME_DIR}/certs"
    given = _given_certificate(e)
    out = {"ssl_cert_file": f"{certs}/server.crt" if given
           else e.get("SSL_CERTIFICATE_FILE") or f"{certs}/server.crt",
           "ssl_key_file": f"{certs}/server.key" if given
           else e.get("SSL_PRIVATE_KEY_FILE") or f"{certs}/server.key"}
    if e.get("SSL_CA_FILE"):
        out["ssl_ca_file"] = f"{certs}/ca.crt" if given and e.get("SSL_CA") else e["SSL_CA_FILE"]
    return out


def _write_certificates(ctx: Context) -> None:
    """configure_spilo.write_certificates: the given certificate, key and CA, else
    Spilo's dummy certificate (openssl req -x509, CN spilo.dummy.org) unless
    SSL_*_FILE point at files of their own."""
    import os
    e = ctx.env
    certs = os.path.join(ctx.private_dir, "certs")
    os.makedirs(certs, exist_ok=True)
    key, crt = os.path.join(certs, "server.key"), os.path.join(certs, "server.crt")
    files = [(key, 0o600), (crt, 0o644)]
    if _given_certificate(e):
        for path, text in ((crt, e["SSL_CERTIFICATE"]), (key, e["SSL_PRIVATE_KEY"])):
            with open(path, "w") as f:
                f.write(text)
        if e.get("SSL_CA") and e.get("SSL_CA_FILE"):
            ca = os.path.join(certs, "ca.crt")
            with open(ca, "w") as f:
                f.write(e["SSL_CA"])
            files.append((ca, 0o644))
    elif e.get("SSL_CERTIFICATE_FILE") or e.get("SSL_PRIVATE_KEY_FILE"):
        return
    elif not os.path.exists(key):
        subprocess.run(["openssl", "req", "-nodes", "-new", "-x509", "-subj", "/CN=spilo.dummy.org",
                        "-keyout", key, "-out", crt, "-days", "3650"], check=True, capture_output=True)
    for p, mode in files + [(certs, 0o755)]:
        os.chmod(p, mode)
        os.chown(p, ctx.uid, ctx.gid)


def plan(ctx: Context) -> Plan:
    hostname = ctx.pod["spec"].get("hostname") or ctx.pod["metadata"]["name"]
    config = patroni_config(ctx.env, ctx.pod_ip, hostname, _memory_limit_bytes(ctx.container))
    _write_certificates(ctx)
    path = ctx.write("postgres.yml", yaml.safe_dump(config, default_flow_style=False), 0o600)
    env = dict(ctx.env)
    env.setdefault("PGHOME", "/home/postgres")
    env.setdefault("PGROOT", env["PGHOME"] + "/pgdata/pgroot")
    env["HOME"] = env["PGHOME"]
    env.setdefault("PGUSER", "postgres")
    data_root = config["postgresql"]["data_dir"].rsplit("/", 1)[0]
    start = (f'mkdir -p "{data_root}" && chmod 0700 "{data_root}" 2>/dev/null; '
             f'exec /usr/bin/patroni {path}')
    return Plan(["/bin/sh", "-c", start], env)
