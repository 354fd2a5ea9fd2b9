"""A loopback TCP proxy that a test cuts and restores: the fault of a database, cache or mail server going away.

`FaultProxy(port)` listens on a port of its own and forwards every connection to `127.0.0.1:port`. Point the
app at the proxy instead of the server, then:

- `cut()`: every open connection is reset and new ones are refused (the listening socket is closed), as when
  the server's machine goes away;
- `stall()`: new connections are accepted and then left silent, and open ones stop forwarding, as when a
  network path hangs (only a client's own timeout ends the wait);
- `restore()`: forwarding again on the same port; clients reconnect as they would to a restarted server.

Plain threads and blocking sockets: nothing here is clever, so a failing test is about the app, not the proxy.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

UP, CUT, STALLED = "up", "cut", "stalled"


class FaultProxy:
    """Forwards 127.0.0.1:`self.port` to 127.0.0.1:`target_port` until told otherwise."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.state = UP
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._listener = self._listen(0)
        self.port = int(self._listener.getsockname()[1])
        self.accepted = 0
        self._start_accepting()

    # -- the three states -----------------------------------------------------------------------------------

    def cut(self) -> None:
        """Reset every connection and refuse new ones."""
        with self._lock:
            self.state = CUT
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        if listener is not None:
            listener.close()
        for client, server in pairs:
            _reset(client)
            if server is not None:
                _reset(server)

    def stall(self) -> None:
        """Accept connections but pass nothing on, in either direction."""
        with self._lock:
            if self._listener is None:
                self._listener = self._listen(self.port)
                self._start_accepting()
            self.state = STALLED

    def restore(self) -> None:
        """Forward again; connections held while stalled are reset (their requests are long lost)."""
        with self._lock:
            held = [pair for pair in self._pairs if pair[1] is None] if self.state == STALLED else []
            self._pairs = [pair for pair in self._pairs if pair not in held]
            if self._listener is None:
                self._listener = self._listen(self.port)
                self._start_accepting()
            self.state = UP
        for client, _ in held:
            _reset(client)

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """`with proxy.down(): ...`: cut for the block, restored after it whatever happens."""
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def close(self) -> None:
        self.cut()

    # -- plumbing ----------------------------------------------------------------------------------------------

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        return listener

    def _start_accepting(self) -> None:
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by cut()
            with self._lock:
                self.accepted += 1
                state = self.state
                if state == STALLED:
                    self._pairs.append((client, None))
                    continue
            try:
                server = socket.create_connection(self.target, timeout=10)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            with self._lock:
                if self.state != UP:
                    _reset(client)
                    _reset(server)
                    continue
                self._pairs.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                return
            while self.state == STALLED:
                # Hold the bytes: a stalled path delivers nothing, and `restore` resets these connections.
                threading.Event().wait(0.05)
            if self.state == CUT:
                return
            try:
                sink.sendall(data)
            except OSError:
                return


def _reset(connection: socket.socket) -> None:
    """Close with RST rather than FIN: the peer sees 'connection reset', as after a crash."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        connection.close()
