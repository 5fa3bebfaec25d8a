"""A TCP relay on loopback that breaks connections at a chosen byte offset.

The client talks to ``proxy.url``; the relay forwards every byte to the real server and back. When
armed with ``arm(after=N)``, it counts the bytes it relays in both directions (in the order it
relays them) and, after exactly N bytes, fires once: the callback runs (told whether the cut fell
in the client's bytes, "request", or the server's, "answer"; a test may kill the server there),
then the connection is closed on both sides, with a reset or a plain close. So the request may
have reached the server whole, in part or not at all, and the answer may be lost whole or in part.

After firing the relay passes bytes through again until it is armed anew. While the server is down,
a new connection is accepted and closed at once, as a client sees a dead server behind a gateway.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable

BUF = 16 << 10


class FaultProxy:
    def __init__(self, upstream_port: int, *, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream_port)
        self._listener = socket.create_server((host, 0))
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://{host}:{self.port}"
        self._lock = threading.Lock()
        self._budget: int | None = None
        self._on_fire: Callable[[str], None] | None = None
        self._count: str | None = None
        self._reset = False
        self.relayed = 0  # bytes relayed since the last `arm` / `count_from_zero`
        self.fired: str | None = None  # "request" / "answer": where the last fault fell
        self._closed = False
        self._conns: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    # -- control ------------------------------------------------------------------------------
    def arm(
        self,
        after: int,
        on_fire: Callable[[str], None] | None = None,
        reset: bool = True,
        count: str | None = None,
    ) -> None:
        """Break the connection once, after `after` more relayed bytes (of one direction only
        when `count` is "request" or "answer": ``count="answer", after=5`` cuts the next answer
        inside its status line)."""
        with self._lock:
            self._count = count
            self._budget = max(0, after)
            self._on_fire = on_fire
            self._reset = reset
            self.relayed = 0
            self.fired = None

    def disarm(self) -> None:
        with self._lock:
            self._budget = None
            self.relayed = 0

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _close(conn, reset=False)

    # -- relay --------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:  # the server is down
                _close(client, reset=True)
                continue
            for sock in (client, upstream):  # no Nagle delay on the relayed small writes
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.update((client, upstream))
            pair = (client, upstream)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst, pair), daemon=True).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, pair: tuple[socket.socket, socket.socket]
    ) -> None:
        direction = "request" if src is pair[0] else "answer"
        try:
            while True:
                data = src.recv(BUF)
                if not data:
                    break
                fire: tuple[Callable[[str], None] | None, bool] | None = None
                with self._lock:
                    counted = self._count is None or self._count == direction
                    if not counted:
                        pass
                    elif self._budget is not None and len(data) >= self._budget:
                        data = data[: self._budget]
                        fire = (self._on_fire, self._reset)
                        self.fired = direction
                        self._budget = None
                    elif self._budget is not None:
                        self._budget -= len(data)
                    self.relayed += len(data)
                if data:
                    dst.sendall(data)
                if fire is not None:
                    on_fire, reset = fire
                    if on_fire is not None:
                        on_fire(direction)
                    self._break(pair, reset)
                    return
        except OSError:
            pass
        self._break(pair, reset=False)

    def _break(self, pair: tuple[socket.socket, socket.socket], reset: bool) -> None:
        with self._lock:
            self._conns.difference_update(pair)
        for sock in pair:
            _close(sock, reset)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close(sock: socket.socket, reset: bool) -> None:
    # shutdown first: it wakes the other pump blocked in recv on this socket, whose reference
    # would otherwise keep the socket (and the reset) alive
    try:
        if reset:  # RST instead of FIN: the peer gets "connection reset"
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RD)
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sock.close()
