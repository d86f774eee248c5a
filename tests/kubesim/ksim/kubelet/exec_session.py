"""ExecSession over a local process: pipes, or a pty for TTY sessions (stderr is then
merged into the terminal, as the kubelet does; resize sets the pty's window size)."""
from __future__ import annotations

import asyncio
import fcntl
import os
import struct
import termios

from ksim.kubelet.base import STREAM_STDERR, STREAM_STDOUT, ExecSession

CHUNK = 32768


class ProcessExecSession(ExecSession):
    def __init__(self, proc: asyncio.subprocess.Process, master_fd: int | None = None):
        self._proc = proc
        self._master = master_fd
        self._queue: asyncio.Queue = asyncio.Queue()
        self._open_streams = 0
        loop = asyncio.get_running_loop()
        if master_fd is not None:
            os.set_blocking(master_fd, False)
            self._open_streams = 1
            loop.add_reader(master_fd, self._on_master)
        else:
            for stream, sid in ((proc.stdout, STREAM_STDOUT), (proc.stderr, STREAM_STDERR)):
                self._open_streams += 1
                asyncio.ensure_future(self._pump(stream, sid))

    def _on_master(self) -> None:
        try:
            data = os.read(self._master, CHUNK)
        except BlockingIOError:
            return
        except OSError:              # EIO: every slave fd closed (the command ended)
            data = b""
        if data:
            self._queue.put_nowait((STREAM_STDOUT, data))
            return
        asyncio.get_running_loop().remove_reader(self._master)
        self._stream_done()

    async def _pump(self, stream: asyncio.StreamReader, sid: int) -> None:
        while True:
            data = await stream.read(CHUNK)
            if not data:
                break
            await self._queue.put((sid, data))
        self._stream_done()

    def _stream_done(self) -> None:
        self._open_streams -= 1
        if self._open_streams == 0:
            self._queue.put_nowait(None)

    async def write_stdin(self, data: bytes) -> None:
        if self._master is not None:
            os.write(self._master, data)
        elif self._proc.stdin is not None and not self._proc.stdin.is_closing():
            self._proc.stdin.write(data)
            try:
                await self._proc.stdin.drain()
            except (ConnectionError, BrokenPipeError):
                pass

    async def close_stdin(self) -> None:
        if self._master is not None:
            os.write(self._master, b"\x04")       # EOF at the start of a line (VEOF)
        elif self._proc.stdin is not None:
            self._proc.stdin.close()

    async def read(self) -> tuple[int, bytes] | None:
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)
        return item

    def resize(self, width: int, height: int) -> None:
        if self._master is not None:
            fcntl.ioctl(self._master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    async def wait(self) -> int:
        code = await self._proc.wait()
        if self._master is not None:
            # drain what the terminal still holds, then release it
            while self._open_streams:
                await asyncio.sleep(0.01)
            os.close(self._master)
            self._master = None
        return code

    def kill(self) -> None:
        try:
            self._proc.terminate()
        except ProcessLookupError:
            pass
