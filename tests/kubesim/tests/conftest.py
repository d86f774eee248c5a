"""Shared pytest fixtures for kubesim's suites.

`kubesim_cluster` (session scope): one kubesim started with the `kubesim up` CLI in a
temporary state directory, stopped with `kubesim down` at the end. Tests share it, so
each test works in its own namespace (`cluster.namespace()`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kubesim_fixture import Cluster  # noqa: E402


@pytest.fixture(scope="session")
def kubesim_cluster():
    state = tempfile.mkdtemp(prefix="kubesim-test-")
    cluster = Cluster.up(state)
    try:
        yield cluster
    finally:
        cluster.down()
        if os.environ.get("KUBESIM_KEEP_STATE") != "1":
            shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def kubectl_bin():
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl is not installed")
    return path


def pytest_report_header(config):
    try:
        out = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        out = "kubectl: not installed"
    return f"kubesim fidelity tests; {out}"
