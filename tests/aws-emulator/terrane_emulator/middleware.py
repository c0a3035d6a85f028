"""WSGI middleware around moto's server: counters, faults, instance refresh.

Control API (JSON in, JSON out; errors are ``{"error": "..."}`` with 4xx):

    GET    /_terrane/                      what this is, and the endpoints
    GET    /_terrane/calls                 {"total": N, "services": {svc: {Op: n}}}
    DELETE /_terrane/calls                 zero the counters
    GET    /_terrane/faults                {"rules": [...]}
    POST   /_terrane/faults                add a rule, answers {"rule": {...}}
    DELETE /_terrane/faults                remove every rule
    DELETE /_terrane/faults/<id>           remove one rule
    GET    /_terrane/instance-refresh      {"scripts": [...], "refreshes": [...], "time_scale": x}
    POST   /_terrane/instance-refresh      queue a scripted outcome
    DELETE /_terrane/instance-refresh      drop queued scripted outcomes

``POST /moto-api/reset`` is passed through to moto and also clears counters,
fault rules, instance refreshes and scripts, then re-applies our moto config.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from typing import Any, Callable, Iterable

from . import errors
from .classify import classify, account_id_for
from .counters import CallCounters
from .faults import FaultRegistry, RuleError
from .instance_refresh import ACTIONS as REFRESH_ACTIONS
from .instance_refresh import InstanceRefreshManager

CONTROL_PREFIX = "/_terrane"
MOTO_API_PREFIX = "/moto-api"
# moto's EC2 / Auto Scaling / ELB backends are shared with the instance refresh
# threads; requests to them are serialised with those threads' batch steps.
LOCKED_SERVICES = frozenset({"ec2", "autoscaling", "elasticloadbalancing"})
MAX_CONTROL_BODY = 1 << 20

ENDPOINTS = [
    "GET /_terrane/calls",
    "DELETE /_terrane/calls",
    "GET /_terrane/faults",
    "POST /_terrane/faults",
    "DELETE /_terrane/faults",
    "DELETE /_terrane/faults/<id>",
    "GET /_terrane/instance-refresh",
    "POST /_terrane/instance-refresh",
    "DELETE /_terrane/instance-refresh",
    "POST /moto-api/reset",
]


def apply_moto_config() -> None:
    """What ``POST /moto-api/config`` would set: Lambda functions are 'run'
    without Docker, and IAM has AWS's managed policies (such as
    AWSLambdaBasicExecutionRole), as a real account does."""
    from moto.moto_api._internal.models import moto_api_backend
    from moto.settings import default_user_config

    moto_api_backend.set_config({"lambda": {"use_docker": False}})
    # set_config does not take "iam"; this is where moto reads it from.
    default_user_config["iam"] = {"load_aws_managed_policies": True}


class ControlError(Exception):
    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


class TerraneMiddleware:
    def __init__(
        self,
        app: Callable,
        *,
        time_scale: float = 1.0,
        log: Callable[[str], None] | None = None,
    ):
        self.app = app
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self.backend_lock = threading.RLock()
        self.counters = CallCounters()
        self.faults = FaultRegistry()
        self.refreshes = InstanceRefreshManager(
            self.backend_lock, time_scale=time_scale, log=self.log
        )
        self.time_scale = time_scale
        apply_moto_config()

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return self._control(environ, path)(environ, start_response)
        if path.startswith(MOTO_API_PREFIX):
            if path.rstrip("/") == MOTO_API_PREFIX + "/reset" and environ.get(
                "REQUEST_METHOD"
            ) == "POST":
                return self._reset(environ, start_response)
            return self.app(environ, start_response)
        return self._aws_call(environ, start_response)

    def _aws_call(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        info = classify(environ)
        self.counters.record(info.service, info.operation)

        decision = self.faults.decide(info.service, info.operation)
        if decision.latency_s > 0:
            time.sleep(decision.latency_s)
        if decision.fault == "throttle":
            return errors.throttling_error(info)(environ, start_response)
        if decision.fault == "error":
            return errors.internal_error(info)(environ, start_response)

        if info.service == "autoscaling" and info.operation in REFRESH_ACTIONS:
            try:
                account = account_id_for(info.access_key, environ)
                response = self.refreshes.handle(info, account)
            except Exception as exc:
                self.log(
                    "terrane-emulator: error while handling "
                    f"{info.operation}:\n{traceback.format_exc()}"
                )
                response = errors.query_error(
                    500,
                    "InternalFailure",
                    f"terrane AWS emulator error in {info.operation}: {exc!r}",
                    sender=False,
                    xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/",
                )
            return response(environ, start_response)

        try:
            if info.service in LOCKED_SERVICES:
                with self.backend_lock:
                    return self._call_app_buffered(environ, start_response)
            return self.app(environ, start_response)
        except NotImplementedError as exc:
            self.log(
                f"terrane-emulator: moto does not implement {info.service} "
                f"{info.operation}: {exc}"
            )
            return errors.not_implemented(info, str(exc))(environ, start_response)
        except Exception as exc:
            self.log(
                f"terrane-emulator: moto failed on {info.service} {info.operation}:\n"
                + traceback.format_exc()
            )
            return errors.emulator_failure(info, exc)(environ, start_response)

    def _call_app_buffered(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        result = self.app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def reset(self) -> None:
        """Clear our own state (counters, faults, refreshes, scripts)."""
        self.refreshes.reset()
        self.counters.reset()
        self.faults.clear()

    def _reset(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        self.refreshes.reset()
        with self.backend_lock:
            body = self._call_app_buffered(environ, start_response)
        self.counters.reset()
        self.faults.clear()
        apply_moto_config()
        return body

    # --------------------------------------------------------------- control

    def _control(self, environ: dict[str, Any], path: str) -> errors.Response:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        route = path[len(CONTROL_PREFIX) :].strip("/")
        try:
            return self._route(method, route, environ)
        except ControlError as exc:
            payload = {"error": exc.message}
            payload.update(exc.extra)
            response = errors.json_response(exc.status, payload)
            if exc.status == 405 and "allowed" in exc.extra:
                response.headers.append(("Allow", ", ".join(exc.extra["allowed"])))
            return response
        except Exception as exc:  # a bug in the emulator: say so loudly
            self.log(f"terrane-emulator: control API error:\n{traceback.format_exc()}")
            return errors.json_response(500, {"error": f"internal emulator error: {exc!r}"})

    @staticmethod
    def _allow(method: str, allowed: list[str], route: str) -> None:
        if method not in allowed:
            raise ControlError(
                405,
                f"method {method} is not allowed on /_terrane/{route}",
                allowed=allowed,
            )

    @staticmethod
    def _json_body(environ: dict[str, Any]) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ControlError(400, "invalid Content-Length")
        if length > MAX_CONTROL_BODY:
            raise ControlError(400, "request body too large")
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        if not raw.strip():
            raise ControlError(400, "a JSON object body is required")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ControlError(400, f"invalid JSON body: {exc}")

    def _route(self, method: str, route: str, environ: dict[str, Any]) -> errors.Response:
        if route == "":
            self._allow(method, ["GET"], route)
            return errors.json_response(
                200,
                {
                    "emulator": "terrane AWS emulator (moto server + middleware)",
                    "time_scale": self.time_scale,
                    "endpoints": ENDPOINTS,
                },
            )
        if route == "calls":
            self._allow(method, ["GET", "DELETE"], route)
            if method == "DELETE":
                self.counters.reset()
            return errors.json_response(200, self.counters.snapshot())
        if route == "faults":
            self._allow(method, ["GET", "POST", "DELETE"], route)
            if method == "GET":
                return errors.json_response(200, {"rules": self.faults.list()})
            if method == "DELETE":
                return errors.json_response(200, {"cleared": self.faults.clear()})
            payload = self._json_body(environ)
            try:
                rule = self.faults.add(payload)
            except RuleError as exc:
                raise ControlError(400, f"invalid fault rule: {exc}")
            return errors.json_response(201, {"rule": rule.to_json()})
        if route.startswith("faults/"):
            self._allow(method, ["DELETE"], route)
            raw_id = route[len("faults/") :]
            try:
                rule_id = int(raw_id)
            except ValueError:
                raise ControlError(400, f"fault rule id must be an integer, got {raw_id!r}")
            if not self.faults.remove(rule_id):
                raise ControlError(404, f"no fault rule with id {rule_id}")
            return errors.json_response(200, {"removed": rule_id})
        if route == "instance-refresh":
            self._allow(method, ["GET", "POST", "DELETE"], route)
            if method == "GET":
                return errors.json_response(
                    200,
                    {
                        "time_scale": self.time_scale,
                        "scripts": self.refreshes.list_scripts(),
                        "refreshes": self.refreshes.summary(),
                    },
                )
            if method == "DELETE":
                return errors.json_response(200, {"cleared": self.refreshes.clear_scripts()})
            payload = self._json_body(environ)
            try:
                script = self.refreshes.add_script(payload)
            except ValueError as exc:
                raise ControlError(400, f"invalid instance refresh script: {exc}")
            return errors.json_response(
                201, {"script": script.to_json(), "scripts": self.refreshes.list_scripts()}
            )
        raise ControlError(404, f"no such endpoint: /_terrane/{route}", endpoints=ENDPOINTS)
