"""A small threaded HTTP/1.1 server (stdlib) for provider doubles: the sandbox and test providers.

`ThreadingHTTPServer` gives one thread per connection; with keep-alive the
client's pool keeps its 16 connections open, so 16+ requests are served in
parallel while each sleeps its latency. Each response goes out in one write
with TCP_NODELAY, so Nagle and delayed ACKs never add 40 ms to a request.
"""
from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# responder(method, path, headers) -> (status, headers, body bytes)
Responder = Callable[[str, str, dict], tuple[int, dict, bytes]]


def json_response(status: int, payload, headers: dict | None = None) -> tuple[int, dict, bytes]:
    body = json.dumps(payload).encode()
    return status, {"Content-Type": "application/json", **(headers or {})}, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ProviderDouble/1.0"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):  # noqa: N802 (http.server naming)
        try:
            status, headers, body = self.server.responder("GET", self.path, dict(self.headers.items()))
        except Exception as exc:  # a broken double answers 500, like a broken creditor
            status, headers, body = 500, {"Content-Type": "text/plain"}, f"error: {exc}".encode()
        if status is None:  # the responder asks to drop the connection
            self.close_connection = True
            return
        reason = self.responses.get(status, ("",))[0]
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def log_message(self, format, *args):  # quiet: CPFs are in the paths
        pass


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, responder: Responder, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.responder = responder
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ProviderServer":
        """Serve in a background thread (tests)."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(timeout=5)
