"""exec -t: raw mode on the local terminal, restored on every exit path; the
terminal size sent at start and on SIGWINCH. The client runs on a pseudo-terminal
made here, as it would in an interactive shell."""
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from conftest import client_args, poll


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Terminal:
    """A pty whose slave is the client's stdin, stdout, stderr and controlling tty."""

    def __init__(self, args, rows=24, cols=80):
        self.master, self.slave = pty.openpty()
        set_size(self.master, rows, cols)
        self.original = termios.tcgetattr(self.slave)
        self.output = b""
        self.process = subprocess.Popen(
            args, stdin=self.slave, stdout=self.slave, stderr=self.slave, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))

    def is_raw(self):
        return not termios.tcgetattr(self.slave)[3] & (termios.ICANON | termios.ECHO)

    def mode(self):
        return termios.tcgetattr(self.slave)

    def wait_for_output(self, text, timeout=10.0):
        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; got {self.output!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"terminal closed before {text!r}; got {self.output!r}")
                self.output += chunk

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def terminal_factory():
    terminals = []

    def make(args, **kwargs):
        terminals.append(Terminal(args, **kwargs))
        return terminals[-1]
    yield make
    for t in terminals:
        t.close()


def test_size_at_start_resize_on_sigwinch_and_restore_on_exit(server, pki, terminal_factory):
    terminal = terminal_factory(client_args(
        server, pki, "sh", "-c", "stty size; read line; stty size; exit 5", extra=["-i", "-t"]))
    terminal.wait_for_output(b"24 80")
    assert terminal.is_raw()
    resizes = len(server.events("resize"))
    set_size(terminal.master, 40, 120)  # the kernel sends SIGWINCH to the client
    poll(lambda: len(server.events("resize")) > resizes, what="the resize message")
    assert server.events("resize")[-1] == {"event": "resize", "width": 120, "height": 40}
    os.write(terminal.master, b"go\r")
    terminal.wait_for_output(b"40 120")
    assert terminal.process.wait(timeout=20) == 5
    assert terminal.mode() == terminal.original
    connection = server.events("connection")[-1]
    assert (connection["tty"], connection["stderr"]) == (True, False)


def test_ctrl_c_goes_to_the_remote_command(server, pki, terminal_factory):
    terminal = terminal_factory(client_args(
        server, pki, "sh", "-c", "echo started; exec sleep 30", extra=["-i", "-t"]))
    terminal.wait_for_output(b"started")
    os.write(terminal.master, b"\x03")  # raw mode: ^C is a byte for the remote terminal
    assert terminal.process.wait(timeout=20) == 130  # sleep killed by SIGINT remotely
    assert terminal.mode() == terminal.original


def test_sigterm_restores_the_terminal_then_kills(server, pki, terminal_factory):
    terminal = terminal_factory(client_args(
        server, pki, "sh", "-c", "echo started; exec sleep 30", extra=["-i", "-t"]))
    terminal.wait_for_output(b"started")
    assert terminal.is_raw()
    terminal.process.send_signal(signal.SIGTERM)
    assert terminal.process.wait(timeout=20) == -signal.SIGTERM
    assert terminal.mode() == terminal.original


def test_tty_without_a_terminal_is_a_warning(server, pki):
    result = subprocess.run(
        client_args(server, pki, "sh", "-c", "test -t 0 || echo no terminal", extra=["-i", "-t"]),
        input=b"", capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"no terminal\n"
    assert result.stderr == \
        b"Unable to use a TTY - input is not a terminal or the right kind of file\n"
