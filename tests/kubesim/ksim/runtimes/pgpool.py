"""pgpool-II's own image (`pgpool/pgpool`; pgpool/pgpool2_on_k8s, pgpool.docker/
entrypoint.sh), run with Debian's pgpool2 4.3:

- /config/pgpool.conf (PGPOOL_CONF_VOLUME, default /config) is used as is when
  present; otherwise the sample configuration plus one line `name = 'value'` per
  PGPOOL_PARAMS_<NAME> variable (name lower-cased), with the image's defaults
  (port 9999, listen_addresses *, backend_port0 5432, backend_weight0 1,
  backend_flag0 ALLOW_TO_FAILOVER, sr_check_period 0, health_check_period 0,
  failover_on_backend_error off, socket dirs /var/run/pgpool) and
  PGPOOL_PARAMS_BACKEND_HOSTNAME0 required;
- pool_passwd from every <X>_USERNAME/<X>_PASSWORD pair (pg_enc with a generated key
  for scram-sha-256, pg_md5 for md5; PGPOOL_PASSWORD_ENCRYPTION_METHOD,
  PGPOOL_ENABLE_POOL_PASSWD, PGPOOL_SKIP_PASSWORD_ENCRYPTION);
- pcp.conf from PGPOOL_PCP_USER/PGPOOL_PCP_PASSWORD;
- pool_hba.conf from /config/pool_hba.conf, else `local all all trust` and
  `host[ssl] all all all <method>` when enable_pool_hba is on;
- TLS from /config/tls/tls.{key,crt}, else a self-signed certificate when ssl = on;
- then `pgpool -n -f pgpool.conf -F pcp.conf -a pool_hba.conf` in the foreground.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

from ksim.runtimes import RUNTIME_DIR, Context, Plan, explicit_argv

SAMPLE = "/etc/pgpool2/pgpool.conf"
DEFAULTS = {
    "PGPOOL_PARAMS_PORT": "9999", "PGPOOL_PARAMS_BACKEND_HOSTNAME0": "",
    "PGPOOL_PARAMS_BACKEND_PORT0": "5432", "PGPOOL_PARAMS_BACKEND_WEIGHT0": "1",
    "PGPOOL_PARAMS_BACKEND_FLAG0": "ALLOW_TO_FAILOVER", "PGPOOL_PARAMS_LISTEN_ADDRESSES": "*",
    "PGPOOL_PARAMS_SR_CHECK_PERIOD": "0", "PGPOOL_PARAMS_HEALTH_CHECK_PERIOD": "0",
    "PGPOOL_PARAMS_FAILOVER_ON_BACKEND_ERROR": "off",
}
FORCED = {"PGPOOL_PARAMS_SOCKET_DIR": "/var/run/pgpool", "PGPOOL_PARAMS_PCP_SOCKET_DIR": "/var/run/pgpool",
          "PGPOOL_PARAMS_WD_IPC_SOCKET_DIR": "/var/run/pgpool"}


def _setting(conf: str, name: str) -> str | None:
    """The last value of `name` in a pgpool.conf text (quotes removed)."""
    value = None
    for m in re.finditer(rf"^\s*{name}\s*=\s*'?([^'\n#]*)'?", conf, re.M):
        value = m.group(1).strip()
    return value


def _on(value: str | None) -> bool:
    return (value or "").lower() in ("on", "true", "yes", "1")


def _config_path(ctx: Context, conf_dir: str, name: str) -> str | None:
    """The host path of `<conf_dir>/<name>` in the container when a volume provides it: the
    configuration directory itself or any mount below it (e.g. a Secret at /config/tls), as
    the image's `[[ -f /config/... ]]` tests see them."""
    return ctx.host_path(f"{conf_dir.rstrip('/')}/{name}")


def _failure(message: str) -> list[str]:
    return ["/bin/sh", "-c", f"echo {message!r} >&2; exit 1"]


def plan(ctx: Context) -> Plan:
    argv = explicit_argv(ctx)
    env = dict(ctx.env)
    for k, v in DEFAULTS.items():
        env.setdefault(k, v)     # the entrypoint's ${VAR:-default}
        env[k] = env[k] or v
    env.update(FORCED)
    env.setdefault("PGPOOL_ENABLE_POOL_PASSWD", "true")
    env.setdefault("PGPOOL_PASSWORD_ENCRYPTION_METHOD", "scram-sha-256")
    env.setdefault("PGPOOL_SKIP_PASSWORD_ENCRYPTION", "false")
    d = ctx.private_dir
    conf_dir = env.get("PGPOOL_CONF_VOLUME", "/config")
    custom = _config_path(ctx, conf_dir, "pgpool.conf")
    if custom and os.path.isfile(custom):
        with open(custom) as f:
            conf = f.read()
    else:
        if not env["PGPOOL_PARAMS_BACKEND_HOSTNAME0"]:
            return Plan(_failure("ERROR: PGPOOL_PARAMS_BACKEND_HOSTNAME0 environment variable "
                                 "is not set, exiting..."), env)
        with open(SAMPLE) as f:
            conf = f.read()
        conf += "\n" + "".join(f"{k[len('PGPOOL_PARAMS_'):].lower()} = '{v}'\n"
                               for k, v in sorted(env.items()) if k.startswith("PGPOOL_PARAMS_"))
    ctx.write("pgpool.conf", conf, 0o600)

    # pool_passwd
    ctx.write(".pgpoolkey", "", 0o600)
    ctx.write("pool_passwd", "", 0o600)
    method = env["PGPOOL_PASSWORD_ENCRYPTION_METHOD"]
    if _on(env["PGPOOL_ENABLE_POOL_PASSWD"]):
        if method == "scram-sha-256":
            ctx.write(".pgpoolkey", os.urandom(20).hex() + "\n", 0o600)
            tool = ["pg_enc", "-k", ".pgpoolkey"]
        else:
            tool = ["pg_md5"]
        entries = []
        for k in sorted(env):
            m = re.fullmatch(r"(.+?)_USERNAME", k)
            if not m or not env[k]:
                continue
            password = env.get(f"{m.group(1)}_PASSWORD", "")
            if not password:
                continue
            if _on(env["PGPOOL_SKIP_PASSWORD_ENCRYPTION"]):
                entries.append(f"{env[k]}:{password}\n")
            else:
                # relative paths: pgpool truncates long configuration paths
                r = subprocess.run(["/usr/sbin/" + tool[0]] + tool[1:] +
                                   ["-m", "-f", "pgpool.conf", "-u", env[k], password],
                                   capture_output=True, text=True, cwd=d)
                if r.returncode != 0:
                    raise RuntimeError(f"{tool[0]} could not add user {env[k]!r} to pool_passwd: "
                                       f"{(r.stderr or r.stdout).strip()}")
        if entries:
            with open(os.path.join(d, "pool_passwd"), "a") as f:
                f.writelines(entries)
    else:
        method = "password"
        conf += "\nssl = 'on'\nenable_pool_hba = 'on'\n"

    # pcp.conf
    pcp = ""
    if env.get("PGPOOL_PCP_USER") and env.get("PGPOOL_PCP_PASSWORD"):
        digest = env["PGPOOL_PCP_PASSWORD"] if _on(env["PGPOOL_SKIP_PASSWORD_ENCRYPTION"]) else \
            subprocess.run(["/usr/sbin/pg_md5", env["PGPOOL_PCP_PASSWORD"]], check=True,
                           capture_output=True, text=True).stdout.strip()
        pcp = f"{env['PGPOOL_PCP_USER']}:{digest}\n"
    ctx.write("pcp.conf", pcp, 0o600)

    # pool_hba.conf
    hba = ""
    custom_hba = _config_path(ctx, conf_dir, "pool_hba.conf")
    if custom_hba and os.path.isfile(custom_hba):
        with open(custom_hba) as f:
            hba = f.read()
    elif _on(_setting(conf, "enable_pool_hba")):
        kind = "hostssl" if _on(_setting(conf, "ssl")) else "host"
        hba = f"local   all    all        trust\n{kind}    all    all    all    {method}\n"
    ctx.write("pool_hba.conf", hba, 0o600)

    # TLS
    tls_dir = os.path.join(d, "tls")
    custom_tls = _config_path(ctx, conf_dir, "tls") or ""
    if custom_tls and os.path.isfile(os.path.join(custom_tls, "tls.key")) \
            and os.path.isfile(os.path.join(custom_tls, "tls.crt")):
        shutil.copytree(custom_tls, tls_dir, dirs_exist_ok=True)
        conf += "\nssl = 'on'\n"
    elif _on(_setting(conf, "ssl")):
        os.makedirs(tls_dir, exist_ok=True)
        subprocess.run(["openssl", "req", "-nodes", "-new", "-x509", "-days", "1825", "-subj",
                        f"/CN={ctx.pod['metadata']['name']}", "-keyout", os.path.join(tls_dir, "tls.key"),
                        "-out", os.path.join(tls_dir, "tls.crt")], check=True, capture_output=True)
    if os.path.isdir(tls_dir):
        for n in os.listdir(tls_dir):
            os.chown(os.path.join(tls_dir, n), ctx.uid, ctx.gid)
            os.chmod(os.path.join(tls_dir, n), 0o600)
        conf += (f"\nssl_key = '{RUNTIME_DIR}/tls/tls.key'\nssl_cert = '{RUNTIME_DIR}/tls/tls.crt'\n"
                 f"ssl_ca_cert = '{RUNTIME_DIR}/tls/root.crt'\n")
    if not _on(_setting(conf, "failover_on_backend_error")):
        conf += "\nfailover_on_backend_error = 'off'\n"
    conf += "\npid_file_name = '/var/run/pgpool/pgpool.pid'\nlogdir = '/tmp'\n"
    ctx.write("pgpool.conf", conf, 0o600)
    env["PGPOOLKEYFILE"] = f"{RUNTIME_DIR}/.pgpoolkey"
    env["PCPPASSFILE"] = f"{RUNTIME_DIR}/.pcppass"
    if argv is None:
        argv = ["/usr/sbin/pgpool", "-n", "-f", f"{RUNTIME_DIR}/pgpool.conf", "-F", f"{RUNTIME_DIR}/pcp.conf",
                "-a", f"{RUNTIME_DIR}/pool_hba.conf"]
    return Plan(argv, env)
