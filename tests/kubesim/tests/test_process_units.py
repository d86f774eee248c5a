"""Process kubelet building blocks with no processes: DNS records, environment,
image runtimes (Spilo -> Patroni config, pgpool -> pgpool.conf), probe thresholds."""
import base64
import os
import sys

import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ksim.kubelet import dns  # noqa: E402
from ksim.kubelet.envvars import ConfigError, container_env, expand, service_links  # noqa: E402
from ksim.kubelet.probes import ProbeState  # noqa: E402
from ksim.kubelet.services_proxy import service_backends  # noqa: E402
from ksim.runtimes import image_repository, runtime_name  # noqa: E402
from ksim.runtimes.spilo import patroni_config  # noqa: E402


def pod(name="pg-0", ns="db", **spec):
    return {"metadata": {"name": name, "namespace": ns, "uid": "u1", "labels": {"app": "x"}},
            "spec": spec, "status": {"podIP": "10.244.0.5"}}


def test_hosts_file_names_services_headless_members_and_the_pod():
    services = [
        {"metadata": {"name": "pg", "namespace": "db"}, "spec": {"clusterIP": "10.96.0.7"}},
        {"metadata": {"name": "pg-headless", "namespace": "db"}, "spec": {"clusterIP": "None"}},
        {"metadata": {"name": "other", "namespace": "web"}, "spec": {"clusterIP": "10.96.0.9"}},
    ]
    endpoints = [{"metadata": {"name": "pg-headless", "namespace": "db"},
                  "subsets": [{"addresses": [{"ip": "10.244.0.5", "hostname": "pg-0"}],
                               "notReadyAddresses": [{"ip": "10.244.0.6", "hostname": "pg-1"}]}]}]
    text = dns.hosts_file(pod(hostname="pg-0", subdomain="pg-headless"), "10.244.0.5", services, endpoints)
    lines = text.splitlines()
    assert "10.244.0.5\tpg-0.pg-headless.db.svc.cluster.local pg-0" in lines
    assert "10.96.0.7\tpg.db.svc.cluster.local pg.db.svc pg.db pg" in lines
    assert "10.96.0.9\tother.web.svc.cluster.local other.web.svc other.web" in lines
    assert ("10.244.0.5\tpg-0.pg-headless.db.svc.cluster.local pg-0.pg-headless.db.svc "
            "pg-0.pg-headless.db pg-0.pg-headless") in lines
    assert "10.244.0.6" not in text          # not ready: no record
    assert "127.0.0.1\tlocalhost" in lines


def test_write_in_place_keeps_the_inode(tmp_path):
    p = tmp_path / "hosts"
    assert dns.write_in_place(str(p), "a long first version\n")
    ino = os.stat(p).st_ino
    assert dns.write_in_place(str(p), "short\n")
    assert not dns.write_in_place(str(p), "short\n")
    assert os.stat(p).st_ino == ino and p.read_text() == "short\n"


def test_expand_follows_kubernetes_rules():
    env = {"A": "1", "B": "two"}
    assert expand("$(A)-$(B)-$(C)-$$(A)", env) == "1-two-$(C)-$(A)"


def test_container_env_resolves_sources_in_order():
    objs = {("Secret", "db", "s"): {"data": {"pw": base64.b64encode(b"secret").decode()}},
            ("ConfigMap", "db", "c"): {"data": {"mode": "fast", "X": "y"}}}
    lookup = lambda kind, ns, name: objs.get((kind, ns, name))  # noqa: E731
    c = {"name": "c", "envFrom": [{"configMapRef": {"name": "c"}, "prefix": "CM_"}],
         "env": [{"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                 {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                 {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "s", "key": "pw"}}},
                 {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "mode"}}},
                 {"name": "URL", "value": "postgres://$(NAME):$(PW)@$(IP)"},
                 {"name": "OPT", "valueFrom": {"secretKeyRef": {"name": "gone", "key": "k",
                                                                 "optional": True}}}]}
    env = container_env(pod(), c, lookup, {"BASE": "1"})
    assert env["URL"] == "postgres://pg-0:secret@10.244.0.5"
    assert env["CM_X"] == "y" and env["MODE"] == "fast" and env["BASE"] == "1"
    assert "OPT" not in env
    c["env"].append({"name": "BAD", "valueFrom": {"secretKeyRef": {"name": "gone", "key": "k"}}})
    with pytest.raises(ConfigError, match='secret "gone" not found'):
        container_env(pod(), c, lookup, {})


def test_service_links():
    svc = {"metadata": {"name": "pg-primary", "namespace": "db"},
           "spec": {"clusterIP": "10.96.0.3", "ports": [{"name": "postgresql", "port": 5432}]}}
    env = service_links([svc], "db", "10.96.0.1")
    assert env["PG_PRIMARY_SERVICE_HOST"] == "10.96.0.3"
    assert env["PG_PRIMARY_SERVICE_PORT_POSTGRESQL"] == "5432"
    assert env["PG_PRIMARY_PORT_5432_TCP_ADDR"] == "10.96.0.3"
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1" and env["KUBERNETES_SERVICE_PORT"] == "443"


def test_service_backends_match_named_ports():
    svc = {"spec": {"ports": [{"name": "pg", "port": 5432}, {"name": "api", "port": 8008}]}}
    eps = {"subsets": [{"addresses": [{"ip": "10.244.0.2"}, {"ip": "10.244.0.3"}],
                        "ports": [{"name": "pg", "port": 5432}, {"name": "api", "port": 8008}]}]}
    assert service_backends(svc, eps) == {5432: [("10.244.0.2", 5432), ("10.244.0.3", 5432)],
                                          8008: [("10.244.0.2", 8008), ("10.244.0.3", 8008)]}
    assert service_backends(svc, None) == {5432: [], 8008: []}


def test_image_registry():
    assert image_repository("ghcr.io/zalando/spilo-17:4.0-p2") == "ghcr.io/zalando/spilo-17"
    assert image_repository("docker.io/library/postgres:15@sha256:ab") == "postgres"
    assert image_repository("localhost:5000/x") == "localhost:5000/x"
    assert runtime_name("ghcr.io/zalando/spilo-16:3.3-p1") == "spilo"
    assert runtime_name("pgpool/pgpool:4.5") == "pgpool"
    assert runtime_name("postgres:17") == "postgres"
    assert runtime_name("busybox") == "sleep"


def test_spilo_environment_becomes_patroni_kubernetes_config():
    env = {"SCOPE": "demo", "PGROOT": "/home/postgres/pgdata/pgroot", "POD_IP": "10.244.0.5",
           "POD_NAMESPACE": "db", "KUBERNETES_SERVICE_HOST": "10.96.0.1",
           "DCS_ENABLE_KUBERNETES_API": "true", "KUBERNETES_SCOPE_LABEL": "cluster-name",
           "KUBERNETES_ROLE_LABEL": "role", "KUBERNETES_LABELS": '{"application": "patroni"}',
           "PGPASSWORD_SUPERUSER": "su", "PGUSER_STANDBY": "repl", "PGPASSWORD_STANDBY": "rp",
           "SPILO_CONFIGURATION": "bootstrap:\n  dcs:\n    ttl: 10\n    loop_wait: 2\n"}
    cfg = patroni_config(env, "10.244.0.5", "pg-0", 512 << 20)
    k8s = cfg["kubernetes"]
    assert k8s["role_label"] == "role" and k8s["scope_label"] == "cluster-name"
    assert k8s["labels"] == {"application": "patroni"}
    assert k8s["use_endpoints"] is True and k8s["pod_ip"] == "10.244.0.5"
    assert k8s["ports"] == [{"port": 5432, "name": "postgresql"}]
    assert k8s["bypass_api_service"] is True
    assert cfg["namespace"] == "db" and cfg["scope"] == "demo"
    assert cfg["bootstrap"]["dcs"]["ttl"] == 10 and cfg["bootstrap"]["dcs"]["retry_timeout"] == 10
    assert cfg["postgresql"]["data_dir"] == "/home/postgres/pgdata/pgroot/data"
    assert cfg["postgresql"]["connect_address"] == "10.244.0.5:5432"
    assert cfg["restapi"] == {"listen": ":8008", "connect_address": "10.244.0.5:8008"}
    assert cfg["postgresql"]["authentication"]["replication"] == {"username": "repl", "password": "rp"}
    assert cfg["postgresql"]["parameters"]["shared_buffers"] == "102MB"
    assert "hostnossl all all all reject" in cfg["postgresql"]["pg_hba"]
    configmaps = patroni_config(dict(env, KUBERNETES_USE_CONFIGMAPS="true",
                                     KUBERNETES_BYPASS_API_SERVICE="false"), "x", "pg-0", None)
    assert "use_endpoints" not in configmaps["kubernetes"]
    assert "bypass_api_service" not in configmaps["kubernetes"]
    assert yaml.safe_load(yaml.safe_dump(cfg)) == cfg


def test_spilo_tls_variables_choose_the_certificate_files():
    base = {"SCOPE": "demo"}
    dummy = patroni_config(base, "x", "pg-0", None)["postgresql"]["parameters"]
    assert dummy["ssl_cert_file"] == "/run/kubesim/certs/server.crt"
    assert "ssl_ca_file" not in dummy
    given = patroni_config(dict(base, SSL_CERTIFICATE="-----BEGIN", SSL_PRIVATE_KEY="-----BEGIN",
                                SSL_CA="-----BEGIN", SSL_CA_FILE="/tls/ca.crt"),
                           "x", "pg-0", None)["postgresql"]["parameters"]
    assert (given["ssl_cert_file"], given["ssl_key_file"], given["ssl_ca_file"]) == (
        "/run/kubesim/certs/server.crt", "/run/kubesim/certs/server.key",
        "/run/kubesim/certs/ca.crt")
    mounted = patroni_config(dict(base, SSL_CERTIFICATE_FILE="/tls/tls.crt",
                                  SSL_PRIVATE_KEY_FILE="/tls/tls.key"),
                             "x", "pg-0", None)["postgresql"]["parameters"]
    assert (mounted["ssl_cert_file"], mounted["ssl_key_file"]) == ("/tls/tls.crt", "/tls/tls.key")


def test_probe_thresholds():
    st = ProbeState({"failureThreshold": 2, "successThreshold": 2}, False)
    assert not st.record(True)
    assert st.record(True) and st.ok
    assert not st.record(False)
    assert not st.record(True)
    assert not st.record(False)
    assert st.record(False) and not st.ok
