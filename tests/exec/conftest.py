"""Fixtures for the exec WebSocket suite: a throw-away PKI (made with
python3-cryptography at test time), the exec server (exec_server.py) on loopback,
and a runner for the exec_client driver (tests/tools/exec_client.cpp)."""
import datetime
import ipaddress
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
PYTHON = "/usr/bin/python3"
TOKEN = "s3cr3t-token-value"
FORBIDDEN_TOKEN = "viewer-token-value"


def poll(predicate, timeout=10.0, what="condition"):
    """Polls `predicate` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject, key, issuer, issuer_key, *, ca=False, sans=(), client=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    if client:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path, cert=None, key=None):
    data = b""
    if cert is not None:
        data += cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    path.write_bytes(data)
    return str(path)


def make_pki(d):
    """Writes a test PKI into directory `d`. Returns the paths: ca, server_cert,
    server_key, client_cert, client_key, other_ca, token, forbidden_token."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("test-ca", ca_key, "test-ca", ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue("apiserver", server_key, "test-ca", ca_key,
                    sans=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _issue("tester", client_key, "test-ca", ca_key, client=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _issue("other-ca", other_key, "other-ca", other_key, ca=True)
    (d / "token").write_text(TOKEN + "\n")
    (d / "forbidden-token").write_text(FORBIDDEN_TOKEN + "\n")
    return {
        "ca": _write(d / "ca.crt", ca), "server_cert": _write(d / "server.crt", server),
        "server_key": _write(d / "server.key", key=server_key),
        "client_cert": _write(d / "client.crt", client),
        "client_key": _write(d / "client.key", key=client_key),
        "other_ca": _write(d / "other-ca.crt", other),
        "token": str(d / "token"), "forbidden_token": str(d / "forbidden-token"),
    }


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


class ExecServer:
    """One exec_server.py process; `url` to reach it, `events()` what it saw."""

    def __init__(self, pki, tmp_path, protocols="v5,v4"):
        self.events_file = tmp_path / f"events-{protocols}.jsonl"
        self.process = subprocess.Popen(
            [PYTHON, str(HERE / "exec_server.py"), "--cert", pki["server_cert"],
             "--key", pki["server_key"], "--client-ca", pki["ca"], "--token", TOKEN,
             "--forbidden-token", FORBIDDEN_TOKEN, "--pods", "pod", "--protocols", protocols,
             "--events", str(self.events_file)],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("listening "), f"exec server did not start: {line!r}"
        self.port = int(line.split()[1])
        self.url = f"https://127.0.0.1:{self.port}"

    def events(self, kind=None):
        if not self.events_file.exists():
            return []
        lines = self.events_file.read_text().splitlines()
        events = [json.loads(line) for line in lines if line]
        return [e for e in events if kind is None or e["event"] == kind]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(pki, tmp_path_factory):
    s = ExecServer(pki, tmp_path_factory.mktemp("server"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def v4_server(pki, tmp_path_factory):
    s = ExecServer(pki, tmp_path_factory.mktemp("server-v4"), protocols="v4")
    yield s
    s.stop()


def client_binary():
    path = os.environ.get("KPG_EXEC_CLIENT")
    if not path:
        pytest.fail("KPG_EXEC_CLIENT must name the exec_client binary (ctest sets it)")
    return path


def client_args(server, pki, *command, auth="token", ca="ca", pod="pod", extra=()):
    """The exec_client command line for `command` in `pod` on `server`."""
    args = [client_binary(), "--server", server.url, "--ca", pki[ca], "-n", "db", "--pod", pod]
    if auth == "token":
        args += ["--token-file", pki["token"]]
    elif auth == "forbidden":
        args += ["--token-file", pki["forbidden_token"]]
    elif auth == "cert":
        args += ["--cert", pki["client_cert"], "--key", pki["client_key"]]
    return args + list(extra) + ["--", *command]
