#!/usr/bin/python3
"""A small Kubernetes pod-exec endpoint for tests: it serves
GET /api/v1/namespaces/NS/pods/NAME/exec over a TLS WebSocket with the
v5.channel.k8s.io / v4.channel.k8s.io framing and runs the command as a local
process (the "container" is this machine).

It reproduces what a client sees from the API server (../../../shared/K8S_API.md
section 5): Status errors before the upgrade (401, 403, 404), the empty readiness
message, stdout/stderr on channels 1/2, stdin on 0, resize on 4, the v5 close
message on 255, and one Status on channel 3 before the close. Flow control is
real: stdin is written with drain(), output frames are sent with drain().

Prints "listening PORT" on stdout once it accepts connections. Appends one JSON
line per notable event to --events (connection, resize, stdin_closed, exit).
"""
import argparse
import asyncio
import fcntl
import json
import os
import pty
import ssl
import struct
import termios

from aiohttp import WSMsgType, web

CHUNK = 64 * 1024
CHANNEL_PROTOCOLS = {"v5": "v5.channel.k8s.io", "v4": "v4.channel.k8s.io"}


def status_body(code, reason, message, name=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if name is not None:
        body["details"] = {"name": name, "kind": "pods"}
    return web.json_response(body, status=code)


def exit_status(returncode):
    if returncode == 0:
        return {"metadata": {}, "status": "Success"}
    code = returncode if returncode > 0 else 128 - returncode
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: exit status {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def start_failure(command, error):
    return {"metadata": {}, "status": "Failure", "reason": "InternalError", "code": 500,
            "message": f"failed to exec in container: exec: {command[0]!r}: {error.strerror}"}


class Server:
    def __init__(self, args):
        self.args = args
        self.protocols = [CHANNEL_PROTOCOLS[p] for p in args.protocols.split(",")]
        self.pods = set(args.pods.split(","))

    def event(self, **fields):
        if self.args.events:
            with open(self.args.events, "a") as f:
                f.write(json.dumps(fields) + "\n")

    def authenticate(self, request):
        """'ok', 'forbidden' or 'unauthorized'."""
        header = request.headers.get("Authorization", "")
        if self.args.token and header == f"Bearer {self.args.token}":
            return "ok"
        if self.args.forbidden_token and header == f"Bearer {self.args.forbidden_token}":
            return "forbidden"
        if not header and request.transport.get_extra_info("peercert"):
            return "ok"
        return "unauthorized"

    async def exec(self, request):
        pod = request.match_info["pod"]
        who = self.authenticate(request)
        if who == "unauthorized":
            return status_body(401, "Unauthorized", "Unauthorized")
        if who == "forbidden":
            return status_body(403, "Forbidden",
                               f'pods "{pod}" is forbidden: User "viewer" cannot create resource '
                               f'"pods/exec" in API group "" in the namespace '
                               f'"{request.match_info["namespace"]}"', pod)
        if pod not in self.pods:
            return status_body(404, "NotFound", f'pods "{pod}" not found', pod)
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        if not any(p in self.protocols for p in offered):
            return status_body(400, "BadRequest", "no supported WebSocket subprotocol offered")
        query = request.query
        flags = {name: query.get(name) in ("true", "1") for name in
                 ("stdin", "stdout", "stderr", "tty")}
        command = query.getall("command", [])

        ws = web.WebSocketResponse(protocols=self.protocols, autoping=True, max_msg_size=0)
        await ws.prepare(request)
        impersonation = [[k, v] for k, v in request.headers.items()
                         if k.lower().startswith("impersonate-")]
        self.event(event="connection", protocol=ws.ws_protocol, command=command,
                   impersonation=impersonation, **flags)
        await ws.send_bytes(b"\x01")  # readiness: an empty message on stdout
        session = Session(self, ws, command, flags)
        await session.run()
        return ws


class Session:
    def __init__(self, server, ws, command, flags):
        self.server = server
        self.ws = ws
        self.command = command
        self.flags = flags
        self.v5 = ws.ws_protocol == CHANNEL_PROTOCOLS["v5"]
        self.proc = None
        self.first_resize = asyncio.Event()
        self.started = asyncio.Event()  # the process exists (or failed to start)
        self.master = None
        self.size = None

    async def send(self, channel, data):
        if not self.ws.closed:
            try:
                await self.ws.send_bytes(bytes([channel]) + data)
            except ConnectionResetError:
                pass

    async def run(self):
        reader = asyncio.create_task(self.read_client())
        try:
            try:
                if self.flags["tty"]:
                    started = await self.start_tty()
                else:
                    started = await self.start_pipes()
            finally:
                self.started.set()
            if not started:
                return
            if self.flags["tty"]:
                await self.pump_pty()
            else:
                await asyncio.gather(self.pump(self.proc.stdout, 1), self.pump(self.proc.stderr, 2))
            returncode = await self.proc.wait()
            self.server.event(event="exit", returncode=returncode)
            await self.send(3, json.dumps(exit_status(returncode)).encode())
        finally:
            if not self.ws.closed:
                await self.ws.close()
            reader.cancel()

    async def start_pipes(self):
        pipe = asyncio.subprocess.PIPE
        devnull = asyncio.subprocess.DEVNULL
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.command, stdin=pipe if self.flags["stdin"] else devnull,
                stdout=pipe if self.flags["stdout"] else devnull,
                stderr=pipe if self.flags["stderr"] else devnull)
        except OSError as error:
            await self.send(3, json.dumps(start_failure(self.command, error)).encode())
            return False
        return True

    async def start_tty(self):
        # Like a runtime that sizes the terminal from the client's first resize.
        try:
            await asyncio.wait_for(self.first_resize.wait(), 5)
        except asyncio.TimeoutError:
            pass
        self.master, slave = pty.openpty()
        self.apply_size()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.command, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        except OSError as error:
            await self.send(3, json.dumps(start_failure(self.command, error)).encode())
            return False
        finally:
            os.close(slave)
        return True

    def apply_size(self):
        if self.master is not None and self.size:
            width, height = self.size
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    async def pump(self, stream, channel):
        if stream is None:
            return
        while data := await stream.read(CHUNK):
            await self.send(channel, data)

    async def pump_pty(self):
        loop = asyncio.get_running_loop()
        while True:
            try:
                data = await loop.run_in_executor(None, os.read, self.master, CHUNK)
            except OSError:  # EIO: every slave descriptor is closed
                data = b""
            if not data:
                break
            await self.send(1, data)
        os.close(self.master)

    async def write_stdin(self, data):
        if self.master is not None:
            os.write(self.master, data)
        elif self.proc is not None and self.proc.stdin is not None:
            try:
                self.proc.stdin.write(data)
                await self.proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                pass

    async def read_client(self):
        async for message in self.ws:
            if message.type != WSMsgType.BINARY or not message.data:
                continue
            channel, payload = message.data[0], message.data[1:]
            if channel == 0 and self.flags["stdin"]:
                await self.started.wait()
                await self.write_stdin(payload)
            elif channel == 4:
                size = json.loads(payload)
                self.size = (size["Width"], size["Height"])
                self.server.event(event="resize", width=size["Width"], height=size["Height"])
                self.apply_size()
                self.first_resize.set()
            elif channel == 255 and self.v5 and payload == b"\x00":
                self.server.event(event="stdin_closed")
                if self.proc is not None and self.proc.stdin is not None:
                    self.proc.stdin.close()
        # The client is gone: like the kubelet, stop the command.
        if self.proc is not None and self.proc.returncode is None:
            self.server.event(event="client_gone")
            self.proc.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", help="server certificate (PEM); without it: plain HTTP")
    parser.add_argument("--key")
    parser.add_argument("--client-ca", help="CA that signs accepted client certificates")
    parser.add_argument("--token", help="bearer token that may exec")
    parser.add_argument("--forbidden-token", help="bearer token that authenticates but gets 403")
    parser.add_argument("--pods", default="pod", help="comma-separated pod names that exist")
    parser.add_argument("--protocols", default="v5,v4", help="subprotocols served, in order")
    parser.add_argument("--events", help="file to append JSON event lines to")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.load_verify_locations(args.client_ca)
            context.verify_mode = ssl.CERT_OPTIONAL

    server = Server(args)
    app = web.Application()
    app.router.add_get("/api/v1/namespaces/{namespace}/pods/{pod}/exec", server.exec)

    async def serve():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", args.port, ssl_context=context)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
