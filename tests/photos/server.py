"""A real HTTP server on 127.0.0.1 for the photo-fetching tests: it answers the routes a test
gives it and records every request, so a test can assert that none was made."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ImageServer:
    """Routes (path → status, headers, body), the paths requested, and the base URL, which
    names the host `localhost` (an IP literal is never fetched)."""

    port: int = 0
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        """http://localhost:PORT"""
        return f"http://localhost:{self.port}"

    def serve(self, path: str, body: bytes, *, status: int = 200, **headers: str) -> str:
        """Answer `path` with `body` (with `X_No_Length="1"`, no Content-Length); its URL."""
        self.routes[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)
        return self.base + path


@contextmanager
def image_server() -> Iterator[ImageServer]:
    """An ImageServer running in a thread for the duration of the block."""
    state = ImageServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not here"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if not {"X-No-Length", "Content-Length"} & set(headers):  # else as the test says
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that stops reading (a file over the limit) is what the test wants

    server = Server(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
