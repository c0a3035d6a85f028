"""Shared helpers: one in-process emulator per test module."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from terrane_emulator.server import EmulatorServer

REGION = "us-east-1"
# Test instance refresh warmups: 300 s of warmup take 1.5 s.
TEST_TIME_SCALE = 0.005

# Keep the developer's AWS configuration out of the tests.
os.environ.setdefault("AWS_CONFIG_FILE", os.devnull)
os.environ.setdefault("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)

_server: EmulatorServer | None = None
# What the emulator logged (it logs to stderr when run for real).
log_lines: list[str] = []


def start_server(time_scale: float = TEST_TIME_SCALE) -> EmulatorServer:
    """Start the module's emulator (call from setUpModule)."""
    global _server
    assert _server is None, "a server is already running"
    _server = EmulatorServer(
        "127.0.0.1", 0, time_scale=time_scale, log=log_lines.append
    ).start()
    _server.wait_ready()
    reset()
    return _server


def stop_server() -> None:
    """Stop the module's emulator (call from tearDownModule)."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def server() -> EmulatorServer:
    assert _server is not None, "start_server() was not called"
    return _server


def endpoint() -> str:
    return server().endpoint_url


def client(service: str, *, attempts: int = 1, mode: str = "standard", **config: Any):
    """A boto3 client for the emulator; by default one attempt, no retries.

    (botocore's ``max_attempts`` counts retries in legacy mode, so this sets
    ``total_max_attempts``.)"""
    return boto3.client(
        service,
        endpoint_url=endpoint(),
        region_name=REGION,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(retries={"total_max_attempts": attempts, "mode": mode}, **config),
    )


def http(method: str, path: str, payload: Any = None, raw: bytes | None = None):
    """(status, decoded JSON body) of a request to the emulator."""
    data = raw
    headers = {}
    if payload is not None:
        data = json.dumps(payload).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        endpoint() + path, data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, body.decode(errors="replace")


def reset() -> None:
    status, body = http("POST", "/moto-api/reset")
    assert status == 200, (status, body)


def calls() -> dict[str, Any]:
    status, body = http("GET", "/_terrane/calls")
    assert status == 200, (status, body)
    return body


def add_fault(**rule: Any) -> dict[str, Any]:
    status, body = http("POST", "/_terrane/faults", rule)
    assert status == 201, (status, body)
    return body["rule"]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = ""):
    """Poll ``predicate`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")
        time.sleep(interval)
