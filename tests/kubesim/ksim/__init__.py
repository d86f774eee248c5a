"""kubesim: an HTTPS Kubernetes API server double for tests (see tests/kubesim/README.md)."""
