"""``python -m terrane_emulator [--host H] [--port N] [--verbose]``

Prints exactly one line to stdout, ``AWS_ENDPOINT_URL=http://HOST:PORT``, once
``GET /moto-api/`` answers; everything else goes to stderr.  Runs until
SIGTERM or SIGINT, then shuts the server down and exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .config import TIME_SCALE_ENV, time_scale_from_env


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m terrane_emulator",
        description="Local AWS emulator for terrane's tests (moto + middleware).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on (default: a free port)"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log every request to stderr"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        time_scale = time_scale_from_env()
    except ValueError as exc:
        log(f"terrane-emulator: error: {exc}")
        return 2

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    from .server import EmulatorServer  # moto is slow to import: after the checks

    server = EmulatorServer(args.host, args.port, verbose=args.verbose, time_scale=time_scale)
    try:
        server.start()
    except OSError as exc:
        log(f"terrane-emulator: error: {exc}")
        return 2
    try:
        server.wait_ready()
    except RuntimeError as exc:
        log(f"terrane-emulator: error: {exc}")
        server.stop()
        return 1

    sys.stdout.write(f"AWS_ENDPOINT_URL={server.endpoint_url}\n")
    sys.stdout.flush()
    # From now on stdout carries nothing else (moto prints some warnings to
    # stdout): send it to stderr, which also spares us SIGPIPE if the reader
    # of our stdout has gone.
    try:
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    except OSError:
        pass
    sys.stdout = sys.stderr

    ami = os.environ.get("MOTO_ENABLE_AMI_VALIDATION")
    log(
        f"terrane-emulator: listening on {server.endpoint_url} "
        f"({TIME_SCALE_ENV}={time_scale:g}"
        + (f", MOTO_ENABLE_AMI_VALIDATION={ami}" if ami is not None else "")
        + "); SIGTERM or Ctrl-C stops it"
    )
    while not stop.wait(0.5):
        pass
    log("terrane-emulator: shutting down")
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
