"""Brokers to break: a private redis-server to kill, and RabbitMQ behind a proxy to cut.

The machine's shared RabbitMQ must not be stopped, so its outage is a TCP proxy that resets
every connection through it and refuses new ones for a while: clients see what a dead
broker shows them, while the messages stay in the broker, as in a durable broker that
restarts.
"""

from __future__ import annotations

import selectors
import socket
import struct
import subprocess
import threading
from contextlib import suppress
from pathlib import Path

from tests import support

RABBITMQ_PORT = 5672


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


class PrivateRedis:
    """A redis-server of our own, with the production durability settings, to kill."""

    def __init__(self, directory: Path):
        self.port = support.free_port()
        self.dir = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.dir), "--save", "", "--appendonly", "yes"]
        command += ["--appendfsync", "everysec", "--maxmemory-policy", "noeviction"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        support.wait_for(lambda: support.port_open("127.0.0.1", self.port), timeout=15)

    def fail(self) -> None:
        self.process.kill()
        self.process.wait()

    recover = start

    def stop(self, _queue: str) -> None:
        if self.process and self.process.poll() is None:
            self.fail()


class ProxiedRabbitMQ:
    """The machine's RabbitMQ (which must not be stopped) behind a proxy that can be cut."""

    def __init__(self, _directory: Path):
        self.proxy = CuttableProxy(RABBITMQ_PORT)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.proxy.port}//"

    def start(self) -> None:
        if not support.port_open("127.0.0.1", RABBITMQ_PORT):
            support.unavailable(f"RabbitMQ is not answering on 127.0.0.1:{RABBITMQ_PORT}")
        self.proxy.start()

    def fail(self) -> None:
        self.proxy.cut()

    def recover(self) -> None:
        self.proxy.restore()

    def stop(self, queue: str) -> None:
        from kombu import Connection

        self.proxy.stop()
        with Connection(f"amqp://guest:guest@127.0.0.1:{RABBITMQ_PORT}//") as connection:
            connection.default_channel.queue_delete(queue)


BROKERS = {"redis": PrivateRedis, "rabbitmq": ProxiedRabbitMQ}
