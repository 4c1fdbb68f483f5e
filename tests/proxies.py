"""Two tiny proxies on 127.0.0.1 for tests: HTTP (CONNECT and absolute-URI forwarding) and
SOCKS5 (CONNECT, no authentication). Each counts the connections it carried and where to.

Neither is general: a connection goes, whole, to the target of its first request, which is
all an HTTP client talking to one Bot API server needs. No pytest imports here.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
from urllib.parse import urlsplit


class _Proxy:
    """The listening part both proxies share; ``targets`` lists (host, port) carried."""

    scheme = ""

    def __init__(self) -> None:
        self.targets: list[tuple[str, int]] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    async def __aenter__(self) -> _Proxy:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._accept, sock=sock)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _carry(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int,
        first: bytes = b"",
    ) -> None:
        """Connect to host:port, send ``first``, then pipe both ways until either side ends."""
        self.targets.append((host, port))
        up_reader, up_writer = await asyncio.open_connection(host, port)
        up_writer.write(first)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            up_writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError):
        writer.write_eof()


class HttpProxy(_Proxy):
    """``CONNECT host:port`` tunnels, and ``GET http://host:port/...`` requests forwarded."""

    scheme = "http"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _version = head.split(b"\r\n", 1)[0].decode().split(" ")
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await self._carry(reader, writer, host, int(port))
            return
        url = urlsplit(target)
        if url.scheme != "http" or url.hostname is None:
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        # The origin server takes the absolute URI as it came (HTTP/1.1 servers must).
        await self._carry(reader, writer, url.hostname, url.port or 80, head)


class Socks5Proxy(_Proxy):
    """SOCKS5 ``CONNECT`` without authentication, to an IPv4, IPv6 or domain address."""

    scheme = "socks5"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, methods = await reader.readexactly(2)
        offered = await reader.readexactly(methods)
        if version != 5 or 0 not in offered:
            writer.write(b"\x05\xff")  # no acceptable method
            return
        writer.write(b"\x05\x00")
        _version, command, _reserved, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:
            writer.write(b"\x05\x07\x00\x01" + bytes(6))  # command not supported
            return
        writer.write(b"\x05\x00\x00\x01" + bytes(6))  # succeeded; bound address unused
        await self._carry(reader, writer, host, port)
