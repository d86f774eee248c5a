"""The Kubelet interface: what the REST server and the controllers need from a node.

kubesim has one simulated node, `kubesim-node-1`. The scheduler stub
(ksim/controllers/scheduler.py) binds every pending pod to it by setting
`spec.nodeName`; the kubelet then owns the pod's status and the end of its life:

- it moves pods with `spec.nodeName == node_name` from Pending to Running and sets
  `status.podIP`, `hostIP`, `startTime`, `conditions` (PodScheduled,
  PodReadyToStartContainers, Initialized, ContainersReady, Ready) and
  `containerStatuses`, writing through `store.update(..., subresource="status")`;
- when a pod gets a `metadata.deletionTimestamp` it stops the pod's containers
  within `metadata.deletionGracePeriodSeconds` and then removes the object with
  `store.delete(rt, ns, name, grace_period=0)`, as the real kubelet's status
  manager does (KK pkg/kubelet/status/status_manager.go `syncPod` ->
  `canBeDeleted` -> Delete with GracePeriodSeconds=0 and a UID precondition).

Everything runs in the server's single asyncio event loop; the Store's methods are
synchronous. Errors meant for API clients are raised as `ksim.errors.ApiError`,
which the server renders as a metav1.Status.

Implementations: `ksim.kubelet.virtual.VirtualKubelet` (part 1: no processes, like
kwok) and the process kubelet (part 2: real processes per container).
"""

from __future__ import annotations

import abc
from typing import AsyncIterator

NODE_NAME = "kubesim-node-1"

# remotecommand stream ids (AM pkg/util/remotecommand/constants.go, K8S_API.md 5.3)
STREAM_STDIN = 0
STREAM_STDOUT = 1
STREAM_STDERR = 2
STREAM_ERROR = 3
STREAM_RESIZE = 4


class ExecSession(abc.ABC):
    """One running `pods/exec` command, as the server's WebSocket handler drives it."""

    @abc.abstractmethod
    async def write_stdin(self, data: bytes) -> None:
        """Feeds bytes to the command's standard input."""

    @abc.abstractmethod
    async def close_stdin(self) -> None:
        """Closes the command's standard input (EOF)."""

    @abc.abstractmethod
    async def read(self) -> tuple[int, bytes] | None:
        """Next output chunk as (STREAM_STDOUT or STREAM_STDERR, bytes); None at the end."""

    @abc.abstractmethod
    def resize(self, width: int, height: int) -> None:
        """Resizes the terminal of a TTY session (columns, rows); ignored without a TTY."""

    @abc.abstractmethod
    async def wait(self) -> int:
        """Waits for the command to end and returns its exit code."""


class Kubelet(abc.ABC):
    """A node agent for the pods bound to `node_name`.

    Wiring, done by the server (`ksim/__main__.py` `serve()`) in this order:
    `controller_overrides()` merged into the controllers' ControllerConfig (the
    `kubernetes` Service's ClusterIP and the address its Endpoints publish, which the
    serving certificate then names); `register_admission(store)` once the store is
    loaded; `api_address` set to where the API server listens; then `start(store)`."""

    node_name: str = NODE_NAME
    #: (host, port) of the API server (the process kubelet forwards in-cluster traffic
    #: for the `kubernetes` Service there); None until the server sets it.
    api_address: tuple[str, int] | None = None

    def register_admission(self, store) -> None:
        """Adds this kubelet's admission functions to `store.admission` (none here)."""

    def controller_overrides(self) -> dict:
        """ControllerConfig fields this kubelet needs (none here)."""
        return {}

    @abc.abstractmethod
    async def start(self, store) -> None:
        """Begins syncing pods with spec.nodeName == node_name (returns once started)."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stops syncing and every pod's processes (server shutdown)."""

    @abc.abstractmethod
    async def exec(self, pod: dict, container: str, command: list[str], stdin: bool,
                   tty: bool) -> ExecSession:
        """Starts `command` in `container` of `pod`; raises ApiError when it cannot."""

    @abc.abstractmethod
    def logs(self, pod: dict, container: str, *, follow: bool = False,
             tail_lines: int | None = None, previous: bool = False) -> AsyncIterator[bytes]:
        """The container's log as chunks of bytes (an async generator); raises ApiError
        when there is no log to give."""

    @abc.abstractmethod
    def pod_address(self, pod: dict) -> str:
        """The pod's IP address (for pods/proxy and Service endpoints); "" if none yet."""

    # Faults for tests (part 2). Each takes the pod object and raises ApiError 400 where
    # the kubelet cannot inject it (the virtual kubelet runs no processes).
    async def kill(self, pod: dict) -> None:
        """Kills the pod's containers' processes as an OOM kill or a crash would."""
        raise self._fault_unsupported("kill", pod)

    async def freeze(self, pod: dict) -> None:
        """Stops the pod's processes (SIGSTOP) without killing them."""
        raise self._fault_unsupported("freeze", pod)

    async def thaw(self, pod: dict) -> None:
        """Resumes processes stopped by freeze (SIGCONT)."""
        raise self._fault_unsupported("thaw", pod)

    async def partition(self, pod: dict) -> None:
        """Cuts the pod off the network (its address no longer answers)."""
        raise self._fault_unsupported("partition", pod)

    async def heal(self, pod: dict) -> None:
        """Undoes partition."""
        raise self._fault_unsupported("heal", pod)

    def _fault_unsupported(self, fault: str, pod: dict) -> Exception:
        from ksim.errors import ApiError

        meta = pod.get("metadata", {})
        return ApiError(400, "BadRequest",
                        f"fault {fault!r} is not supported for pod "
                        f"{meta.get('namespace')}/{meta.get('name')} by the "
                        f"{type(self).__name__}: kubesim virtual pods run no processes; "
                        f"start kubesim with --kubelet process")
