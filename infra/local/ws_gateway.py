"""A local stand-in for API Gateway WebSocket APIs (chalice local ignores websocket handlers).

One port serves both faces of the real service:
- `ws://127.0.0.1:8001/` : clients connect; the app's `$connect` runs before the handshake
  completes (a refusal fails it), every message runs `$default`, a close runs `$disconnect`.
- `http://127.0.0.1:8001/<stage>/@connections/{id}` : the management API (POST sends,
  GET describes, DELETE closes; 410 GoneException for unknown or closed connections), so
  `app.websocket_api.send()` works unchanged from any local process.

The `websockets` asyncio server refuses requests with a body (the POST of a send), so the
HTTP head is read here and upgrades are handed to websockets' Sans-I/O protocol.

Run: python -m infra.local.ws_gateway --app app --port 8001 --stage local
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import secrets
import signal
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from chalice.app import Chalice
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

from infra.local.appload import load_app
from infra.local.config import LOCALHOST
from infra.local.ws_events import EventFactory, WsClient, invoke

MAX_HEAD = 64 * 1024
MAX_MESSAGE = 128 * 1024  # API Gateway's WebSocket message limit
_CONNECTIONS_PATH = re.compile(r"^(?:/[^/@]+)?/@connections/([^/?]+)$")


@dataclass
class Live:
    client: WsClient
    protocol: ServerProtocol
    writer: asyncio.StreamWriter
    parts: list[bytes] = field(default_factory=list)
    opcode: Opcode | None = None

    def flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.writer.write(chunk)
            elif self.writer.can_write_eof():
                self.writer.write_eof()

    def assemble(self, frame: Frame) -> str | bytes | None:
        """Reassemble fragmented messages; returns a whole message or None."""
        if frame.opcode in (Opcode.TEXT, Opcode.BINARY):
            self.opcode, self.parts = frame.opcode, [bytes(frame.data)]
        elif frame.opcode is Opcode.CONT and self.opcode is not None:
            self.parts.append(bytes(frame.data))
        else:
            return None
        if not frame.fin:
            return None
        data = b"".join(self.parts)
        self.parts = []
        return data.decode("utf-8", errors="replace") if self.opcode is Opcode.TEXT else data


def _http_response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    phrase = HTTPStatus(status).phrase
    lines = [f"HTTP/1.1 {status} {phrase}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _gone(connection_id: str) -> bytes:
    body = json.dumps({"__type": "GoneException", "message": f"{connection_id} is gone"})
    return _http_response(
        410,
        body.encode(),
        {"Content-Type": "application/json", "x-amzn-ErrorType": "GoneException"},
    )


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, path, headers


class Gateway:
    def __init__(self, app: Chalice, stage: str, port: int) -> None:
        self.app = app
        self.events = EventFactory(stage=stage, domain_name=f"{LOCALHOST}:{port}")
        self.live: dict[str, Live] = {}
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="ws-handler")

    async def _call(self, route_key: str, event: dict[str, Any]) -> dict[str, Any]:
        # Handlers block (DynamoDB, and sends that come back to this very loop): threads.
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, invoke, self.app, route_key, event)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return {"statusCode": 500}

    async def serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                try:
                    method, path, headers = _parse_head(head)
                except ValueError:
                    writer.write(_http_response(400, b'{"message": "Bad Request"}'))
                    return
                if headers.get("upgrade", "").lower() == "websocket":
                    await self._websocket(head, path, headers, reader, writer)
                    return
                keep_open = await self._management(method, path, headers, reader, writer)
                if not keep_open:
                    return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _management(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        try:
            length = int(headers.get("content-length") or "0")
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_MESSAGE:
            writer.write(_http_response(413 if length > 0 else 400, b'{"message": "Bad body"}'))
            return False
        body = await reader.readexactly(length) if length else b""
        match = _CONNECTIONS_PATH.match(path)
        if match is None:
            writer.write(_http_response(404, b'{"message": "Not Found"}'))
        else:
            writer.write(self._connection_call(method, match.group(1), body))
        await writer.drain()
        return headers.get("connection", "").lower() != "close"

    def _connection_call(self, method: str, connection_id: str, body: bytes) -> bytes:
        live = self.live.get(connection_id)
        if live is None or live.protocol.state is not State.OPEN:
            return _gone(connection_id)
        if method == "POST":
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                live.protocol.send_binary(body)
            else:
                live.protocol.send_text(body)
            live.flush()
            return _http_response(200)
        if method == "GET":
            info = json.dumps(live.client.info()).encode()
            return _http_response(200, info, {"Content-Type": "application/json"})
        if method == "DELETE":
            live.protocol.send_close(1000, "closed by the management API")
            live.flush()
            return _http_response(204)
        return _http_response(405, b'{"message": "Method Not Allowed"}')

    async def _websocket(
        self,
        head: bytes,
        path: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        protocol = ServerProtocol(max_size=MAX_MESSAGE)
        protocol.receive_data(head)
        requests = protocol.events_received()
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        client = WsClient(
            connection_id=secrets.token_urlsafe(12),
            source_ip=str(peer[0]),
            user_agent=headers.get("user-agent", ""),
            path=path,
            headers=headers,
        )
        live = Live(client, protocol, writer)
        if not requests:  # not a valid handshake request
            live.flush()
            return
        response = protocol.accept(requests[0])  # type: ignore[arg-type]
        if response.status_code == 101:
            # Like API Gateway: $connect runs before the handshake completes; a refusal fails it.
            verdict = await self._call("$connect", self.events.connect(client))
            status = int(verdict.get("statusCode", 200))
            if status >= 300:
                response = protocol.reject(status, "connection refused by $connect\n")
        protocol.send_response(response)
        live.flush()
        await writer.drain()
        if response.status_code != 101:
            return
        self.live[client.connection_id] = live
        try:
            await self._read_frames(live, reader)
        finally:
            self.live.pop(client.connection_id, None)
            code = protocol.close_code or 1006
            reason = protocol.close_reason or ""
            await self._call("$disconnect", self.events.disconnect(client, code, reason))

    async def _read_frames(self, live: Live, reader: asyncio.StreamReader) -> None:
        protocol = live.protocol
        while protocol.state is not State.CLOSED:
            try:
                data = await reader.read(65536)
            except ConnectionError:
                data = b""
            if data:
                protocol.receive_data(data)
            else:
                protocol.receive_eof()
            for event in protocol.events_received():
                if isinstance(event, Frame):
                    message = live.assemble(event)
                    if message is not None:
                        await self._on_message(live, message)
            live.flush()
            if not data:
                return

    async def _on_message(self, live: Live, message: str | bytes) -> None:
        live.client.last_active_at = time.time()
        event = self.events.message(live.client, message)
        result = await self._call("$default", event)
        if int(result.get("statusCode", 200)) >= 500 and live.protocol.state is State.OPEN:
            # What API Gateway tells a client when the integration fails.
            failure = {
                "message": "Internal server error",
                "connectionId": live.client.connection_id,
                "requestId": event["requestContext"]["requestId"],
            }
            live.protocol.send_text(json.dumps(failure).encode())
            live.flush()

    def close_all(self) -> None:
        for live in list(self.live.values()):
            if live.protocol.state is State.OPEN:
                live.protocol.send_close(1001, "going away")
                live.flush()


async def serve(app: Chalice, stage: str, port: int, host: str = LOCALHOST) -> None:
    gateway = Gateway(app, stage, port)
    server = await asyncio.start_server(gateway.serve_client, host, port, limit=MAX_HEAD)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"websocket stand-in on ws://{host}:{port}", flush=True)
    async with server:
        await stop.wait()
        server.close()
        # Clients answer the close; their loops then run $disconnect. Bounded wait.
        gateway.close_all()
        deadline = time.monotonic() + 2.0
        while gateway.live and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", default="app")
    parser.add_argument("--host", default=LOCALHOST)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    asyncio.run(serve(load_app(args.app), args.stage, args.port, args.host))


if __name__ == "__main__":
    main()
