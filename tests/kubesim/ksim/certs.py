"""The state directory's PKI and kubeconfig.

On first start kubesim makes (ECDSA P-256, fast to generate):
- DIR/ca.crt, DIR/ca.key: the cluster CA;
- DIR/server.crt, DIR/server.key: the serving certificate for 127.0.0.1, localhost and
  the in-cluster names of the `kubernetes` Service;
- DIR/admin.crt, DIR/admin.key: the client certificate of user `kubernetes-admin`
  (organisation `system:masters`);
- DIR/tokens.json (mode 0600): the bearer tokens of the `token` (full access) and
  `readonly` users, and the key that signs ServiceAccount tokens;
- DIR/kubeconfig: contexts `admin` (default, client certificate), `token`, `readonly`.
"""
from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import secrets

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CLUSTER_NAME = "kubesim"
ADMIN_USER = "kubernetes-admin"
TOKEN_USER = "kubesim-token"
READONLY_USER = "kubesim-readonly"


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: str, data: bytes, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = []
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _cert(subject, pubkey, issuer, issuer_key, *, ca=False, server_names=(), ips=(),
          client=False, days=3650):
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(pubkey).serial_number(x509.random_serial_number())
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=days)))
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False,
                                          False), critical=True)
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(pubkey), critical=False)
    else:
        b = b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        b = b.add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False,
                                          False), critical=True)
        b = b.add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH] if client else [ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False)
        if server_names or ips:
            b = b.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in server_names] +
                [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _names_ips(cert_path: str, ips: list[str]) -> bool:
    """Whether the certificate at `cert_path` has every one of `ips` among its
    subjectAltNames."""
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have = san.get_values_for_type(x509.IPAddress)
    return all(ipaddress.ip_address(ip) in have for ip in ips)


def ensure_pki(state_dir: str, service_ip: str = "10.96.0.1",
               advertise_ip: str = "127.0.0.1") -> None:
    """Create the CA, serving and admin client certificates and tokens if missing.

    The serving certificate names 127.0.0.1, `service_ip` (the `kubernetes` Service's
    ClusterIP) and `advertise_ip` (the address its Endpoints publish), as
    kube-apiserver's does (KK cmd/kube-apiserver/app/options: the service IP and the
    advertise address are added to the serving certificate), so in-cluster clients
    verify it whichever they dial (Patroni's `bypass_api_service` dials the Endpoints).
    A serving certificate that lacks one of them is made again."""
    ips = list(dict.fromkeys(["127.0.0.1", service_ip, advertise_ip]))
    p = lambda n: os.path.join(state_dir, n)  # noqa: E731
    if not os.path.exists(p("ca.crt")):
        ca_key = _key()
        ca_name = _name("kubesim-ca")
        ca = _cert(ca_name, ca_key.public_key(), ca_name, ca_key, ca=True)
        _write(p("ca.key"), _pem_key(ca_key), 0o600)
        _write(p("ca.crt"), ca.public_bytes(serialization.Encoding.PEM))
        for f in ("server.crt", "admin.crt"):
            if os.path.exists(p(f)):
                os.unlink(p(f))
    ca_key = serialization.load_pem_private_key(open(p("ca.key"), "rb").read(), None)
    ca = x509.load_pem_x509_certificate(open(p("ca.crt"), "rb").read())
    if os.path.exists(p("server.crt")) and not _names_ips(p("server.crt"), ips):
        os.unlink(p("server.crt"))
    if not os.path.exists(p("server.crt")):
        key = _key()
        names = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                 "kubernetes.default.svc.cluster.local"]
        cert = _cert(_name("kube-apiserver"), key.public_key(), ca.subject, ca_key,
                     server_names=names, ips=ips)
        _write(p("server.key"), _pem_key(key), 0o600)
        _write(p("server.crt"), cert.public_bytes(serialization.Encoding.PEM))
    if not os.path.exists(p("admin.crt")):
        key = _key()
        cert = _cert(_name(ADMIN_USER, "system:masters"), key.public_key(), ca.subject, ca_key,
                     client=True)
        _write(p("admin.key"), _pem_key(key), 0o600)
        _write(p("admin.crt"), cert.public_bytes(serialization.Encoding.PEM))
    if not os.path.exists(p("tokens.json")):
        toks = {"token": secrets.token_urlsafe(32), "readonly": secrets.token_urlsafe(32),
                "signing_key": secrets.token_hex(32)}
        _write(p("tokens.json"), json.dumps(toks).encode(), 0o600)


def load_tokens(state_dir: str) -> dict:
    with open(os.path.join(state_dir, "tokens.json")) as f:
        return json.load(f)


def write_kubeconfig(state_dir: str, server_url: str) -> str:
    """Write DIR/kubeconfig (credentials embedded as *-data) and return its path."""
    p = lambda n: os.path.join(state_dir, n)  # noqa: E731
    b64 = lambda n: base64.b64encode(open(p(n), "rb").read()).decode()  # noqa: E731
    toks = load_tokens(state_dir)
    cfg = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "current-context": "admin",
        "clusters": [{"name": CLUSTER_NAME, "cluster": {
            "server": server_url, "certificate-authority-data": b64("ca.crt")}}],
        "users": [
            {"name": ADMIN_USER, "user": {"client-certificate-data": b64("admin.crt"),
                                          "client-key-data": b64("admin.key")}},
            {"name": TOKEN_USER, "user": {"token": toks["token"]}},
            {"name": READONLY_USER, "user": {"token": toks["readonly"]}},
        ],
        "contexts": [
            {"name": "admin", "context": {"cluster": CLUSTER_NAME, "user": ADMIN_USER}},
            {"name": "token", "context": {"cluster": CLUSTER_NAME, "user": TOKEN_USER}},
            {"name": "readonly", "context": {"cluster": CLUSTER_NAME, "user": READONLY_USER}},
        ],
    }
    path = p("kubeconfig")
    _write(path, yaml.safe_dump(cfg, sort_keys=False).encode(), 0o600)
    return path
