"""The emulator server: moto's WSGI app + our middleware on werkzeug's
threaded server, the way ``moto.server.ThreadedMotoServer`` runs it."""

from __future__ import annotations

import logging
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

from werkzeug.serving import BaseWSGIServer, make_server

from . import classify, moto_patches
from .config import time_scale_from_env
from .middleware import TerraneMiddleware


def _request_handler(verbose: bool) -> type:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            if verbose:
                super().log_request(*args, **kwargs)

    return Handler


class EmulatorServer:
    """Runs the emulator on ``host:port`` (port 0 = a free port) in a thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        time_scale: float | None = None,
        log: Callable[[str], None] | None = None,
    ):
        self.host = host
        self.requested_port = port
        self.verbose = verbose
        self.time_scale = time_scale_from_env() if time_scale is None else float(time_scale)
        self.log = log or _stderr_log
        self.middleware: TerraneMiddleware | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "call start() first"
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "EmulatorServer":
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            create_backend_app,
        )

        # werkzeug logs each request at INFO on the "werkzeug" logger (stderr).
        logging.getLogger("werkzeug").setLevel(logging.INFO if self.verbose else logging.WARNING)
        moto_patches.apply()
        classify.warm_up()
        moto_app = DomainDispatcherApplication(create_backend_app)
        self.middleware = TerraneMiddleware(moto_app, time_scale=self.time_scale, log=self.log)
        try:
            self._server = make_server(
                self.host,
                self.requested_port,
                self.middleware,
                threaded=True,
                request_handler=_request_handler(self.verbose),
            )
        except SystemExit:
            # werkzeug prints why (e.g. "Address already in use") and exits.
            raise OSError(
                f"cannot listen on {self.host}:{self.requested_port} (see the message above)"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="terrane-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Return once ``GET /moto-api/`` answers; raise RuntimeError otherwise."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = exc
            time.sleep(0.05)
        raise RuntimeError(
            f"the emulator did not answer GET /moto-api/ within {timeout:g}s: {last_error}"
        )

    def stop(self) -> None:
        if self.middleware is not None:
            self.middleware.refreshes.reset()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> "EmulatorServer":
        self.start()
        self.wait_ready()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


log = _stderr_log
