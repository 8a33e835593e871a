"""A real HTTP server on a free port that records every request (path, Authorization) and answers as told."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PDF = b"%PDF-1.4\n% a creditor's own boleto\n%%EOF\n"


class RecordingServer:
    """`answer(path) -> (status, headers, body)`; by default a PDF for every GET."""

    def __init__(self, answer=None):
        self.seen: list[tuple[str, str | None]] = []
        self.answer = answer or (lambda path: (200, {"Content-Type": "application/pdf"}, PDF))
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.seen.append((self.path, self.headers.get("Authorization")))
                status, headers, body = recorder.answer(self.path)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "RecordingServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
