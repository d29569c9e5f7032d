"""A TCP proxy that can cut every connection through it and refuse new ones for a while.

Stands in for a broker outage where the broker itself cannot be stopped (the machine's shared
RabbitMQ): clients see exactly what a dead broker shows them, connections reset and
connection refused, while the messages stay in the broker, as they do in a durable broker
that restarts.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from contextlib import suppress


class CuttableProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._stopping = False
        self._pump = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._listen()
        self._pump.start()

    def cut(self) -> None:
        """Reset every connection and refuse new ones until `restore`."""
        with self._lock:
            if self._listener is not None:
                self._selector.unregister(self._listener)
                self._listener.close()
                self._listener = None
            for pair in self._pairs:
                for sock in pair:
                    self._forget(sock)
            self._pairs.clear()

    def restore(self) -> None:
        with self._lock:
            self._listen()

    def stop(self) -> None:
        self._stopping = True
        self.cut()
        self._pump.join(timeout=5)

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        listener.listen(64)
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, None)

    def _run(self) -> None:
        while not self._stopping:
            for key, _ in self._selector.select(timeout=0.2):
                with self._lock:
                    if key.data is None and key.fileobj is self._listener:
                        self._accept()
                    elif key.data is not None:
                        self._forward(key.fileobj, key.data)

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        for sock, peer in ((client, upstream), (upstream, client)):
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ, peer)
        self._pairs.append((client, upstream))

    def _forward(self, sock: socket.socket, peer: socket.socket) -> None:
        try:
            data = sock.recv(65536)
            if data:
                peer.setblocking(True)
                peer.sendall(data)
                peer.setblocking(False)
                return
        except OSError:
            pass
        self._pairs = [pair for pair in self._pairs if sock not in pair]
        self._forget(sock)
        self._forget(peer)

    def _forget(self, sock: socket.socket) -> None:
        with suppress(KeyError, ValueError):
            self._selector.unregister(sock)
        with suppress(OSError):
            # RST rather than FIN: the peer learns at once that the connection is gone.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
