"""kpg::kube::exec() against a real TLS WebSocket exec server on loopback."""
import hashlib
import os
import re
import subprocess
import time

from conftest import TOKEN, client_args, poll

MiB = 1024 * 1024


def write_random_file(path, mib):
    """Writes `mib` MiB of random bytes to `path`; returns their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(mib):
            block = os.urandom(MiB)
            digest.update(block)
            f.write(block)
    return digest.hexdigest()


def run(args, **kwargs):
    kwargs.setdefault("timeout", 120)
    return subprocess.run(args, capture_output=True, **kwargs)


def test_stdout_and_stderr_stay_apart(server, pki):
    result = run(client_args(server, pki, "sh", "-c", "echo out; echo err >&2; echo out2"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"out\nout2\n"
    assert result.stderr == b"err\n"
    connection = server.events("connection")[-1]
    assert connection["protocol"] == "v5.channel.k8s.io"
    assert connection["command"] == ["sh", "-c", "echo out; echo err >&2; echo out2"]
    assert (connection["stdout"], connection["stderr"], connection["stdin"]) == (True, True, False)


def test_remote_exit_code_is_returned(server, pki):
    result = run(client_args(server, pki, "sh", "-c", "exit 3"))
    assert result.returncode == 3
    assert result.stderr == b""


def test_command_not_found_is_an_error_naming_the_reason(server, pki):
    result = run(client_args(server, pki, "no-such-command-kpg"))
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "error: command failed in the container (InternalError): failed to exec in container: "
        "exec: 'no-such-command-kpg': No such file or directory\n")


def test_client_certificate_authentication(server, pki):
    result = run(client_args(server, pki, "echo", "hello", auth="cert"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello\n"


def test_impersonation_headers_on_the_upgrade(server, pki):
    result = run(client_args(server, pki, "true", extra=("--as", "jane", "--as-group", "devs",
                                                        "--as-group", "ops")))
    assert result.returncode == 0, result.stderr
    assert server.events("connection")[-1]["impersonation"] == [
        ["Impersonate-User", "jane"], ["Impersonate-Group", "devs"],
        ["Impersonate-Group", "ops"]]


def test_large_binary_stdout_streams_in_flat_memory(server, pki, tmp_path):
    source = tmp_path / "random.bin"
    digest = write_random_file(source, 256)
    args = client_args(server, pki, "cat", str(source), extra=["--stats"])
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    received = hashlib.sha256()
    size = 0
    while block := process.stdout.read(MiB):
        received.update(block)
        size += len(block)
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert size == 256 * MiB
    assert received.hexdigest() == digest
    peak_rss_kib = int(re.search(r"peak_rss_kib=(\d+)", stderr).group(1))
    assert peak_rss_kib < 64 * 1024, f"exec held {peak_rss_kib} KiB for a 256 MiB stream"


def test_large_stdin_from_a_file_and_v5_half_close(server, pki, tmp_path):
    source = tmp_path / "input.bin"
    digest = write_random_file(source, 128)
    with open(source, "rb") as stdin:
        result = run(client_args(server, pki, "sha256sum", extra=["-i", "--stats"]), stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().split()[0] == digest


def test_stdin_pipe_to_cat_both_ways(server, pki):
    payload = os.urandom(32 * MiB)
    result = run(client_args(server, pki, "cat", extra=["-i"]), input=payload)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(result.stdout).hexdigest() == hashlib.sha256(payload).hexdigest()


def test_v5_half_close_ends_cat(server, pki):
    before = len(server.events("stdin_closed"))
    result = run(client_args(server, pki, "cat", extra=["-i"]), input=b"hello\n", timeout=20)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello\n"
    assert len(server.events("stdin_closed")) == before + 1


def test_v4_fallback(v4_server, pki):
    result = run(client_args(v4_server, pki, "sh", "-c", "echo v4; exit 7",
                             extra=["--print-protocol"]))
    assert result.returncode == 7
    assert result.stdout == b"v4\n"
    assert result.stderr == b"protocol v4.channel.k8s.io\n"
    assert v4_server.events("connection")[-1]["protocol"] == "v4.channel.k8s.io"


def test_forbidden_upgrade_prints_the_server_status(server, pki):
    result = run(client_args(server, pki, "true", auth="forbidden"))
    assert result.returncode == 1
    assert result.stderr.decode() == (
        'Error from server (Forbidden): pods "pod" is forbidden: User "viewer" cannot create '
        'resource "pods/exec" in API group "" in the namespace "db"\n')


def test_unknown_pod_is_not_found(server, pki):
    result = run(client_args(server, pki, "true", pod="missing"))
    assert result.returncode == 1
    assert result.stderr.decode() == 'Error from server (NotFound): pods "missing" not found\n'


def test_unauthorized_never_prints_the_token(server, pki, tmp_path):
    wrong = tmp_path / "wrong-token"
    wrong.write_text("wrong-" + TOKEN)
    args = client_args(server, pki, "true", auth="none", extra=["--token-file", str(wrong)])
    result = run(args)
    assert result.returncode == 1
    assert result.stderr.decode() == "error: You must be logged in to the server (Unauthorized)\n"
    assert TOKEN.encode() not in result.stderr + result.stdout


def test_wrong_ca_names_host_and_ca_origin(server, pki):
    # The server sends its chain up to test-ca, so OpenSSL finds a self-signed root
    # that the configured CA (other-ca) does not trust.
    result = run(client_args(server, pki, "true", ca="other_ca"))
    assert result.returncode == 4
    assert result.stderr.decode() == (
        f"error: TLS handshake with 127.0.0.1:{server.port} failed: certificate verify failed "
        f"(self-signed certificate in certificate chain); the server certificate was checked against "
        f"the CA from file {pki['other_ca']} for the name \"127.0.0.1\"\n")


def test_tls_server_name_is_verified(server, pki):
    result = run(client_args(server, pki, "true", extra=["--tls-server-name", "kubernetes"]))
    assert result.returncode == 4
    assert "certificate verify failed (hostname mismatch)" in result.stderr.decode()
    assert '"kubernetes"' in result.stderr.decode()
    result = run(client_args(server, pki, "echo", "ok", extra=["--tls-server-name", "localhost"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"ok\n"


def test_insecure_skip_tls_verify_only_when_asked(server, pki):
    result = run(client_args(server, pki, "echo", "ok", ca="other_ca",
                             extra=["--insecure-skip-tls-verify"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"ok\n"


def test_connection_refused_names_the_host(pki, tmp_path):
    class Closed:
        url = "https://127.0.0.1:1"
    result = run(client_args(Closed, pki, "true"))
    assert result.returncode == 4
    assert result.stderr.decode() == \
        "error: connecting to the API server 127.0.0.1:1: Connection refused\n"


def test_cancellation_stops_the_remote_command(server, pki):
    start = time.monotonic()
    result = run(client_args(server, pki, "sh", "-c", "echo ready; exec sleep 60",
                             extra=["--cancel-on-output"]), timeout=30)
    assert result.returncode == 130
    assert result.stdout == b"ready\n"
    assert result.stderr.decode() == "error: exec in pod db/pod was cancelled\n"
    assert time.monotonic() - start < 30
    poll(lambda: server.events("client_gone"), what="the server to stop the command")


def test_open_stdin_does_not_hold_a_finished_command(server, pki):
    # stdin stays open (an idle terminal or pipe): the stdin thread must be woken.
    process = subprocess.Popen(client_args(server, pki, "echo", "done", extra=["-i"]),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        assert process.wait(timeout=20) == 0
        assert process.stdout.read() == b"done\n"
    finally:
        process.stdin.close()


def test_closed_local_stdout_ends_the_exec_and_the_remote_command(server, pki):
    gone = len(server.events("client_gone"))
    process = subprocess.Popen(client_args(server, pki, "sh", "-c", "echo first; exec yes"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(6) == b"first\n"
    process.stdout.close()  # like `| head -1`
    assert process.wait(timeout=20) == 1
    assert process.stderr.read() == b"error: writing stdout: Broken pipe\n"
    poll(lambda: len(server.events("client_gone")) > gone, what="the server to stop the command")
