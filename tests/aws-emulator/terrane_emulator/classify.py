"""Work out which AWS service and operation an incoming request is.

The service is the SigV4 *signing name* from the credential scope of the
``Authorization`` header (or of the ``X-Amz-Credential`` query parameter of a
presigned URL): ``Credential=AKID/20240101/us-east-1/ec2/aws4_request``.  That
is what the counters and fault rules are keyed by, so elbv2 (and classic ELB)
appear as ``elasticloadbalancing``.

The operation comes from, in order:

* the ``X-Amz-Target`` header (JSON protocols: ``DynamoDB_20120810.ListTables``);
* the ``Action`` parameter (query protocols: ec2, autoscaling, iam, sts,
  elasticloadbalancing), taken from the form-encoded body of a POST or from the
  query string;
* for REST protocols (lambda, apigateway, s3, ...), the method and path matched
  against the ``http.method``/``http.requestUri`` of every operation in
  botocore's service model.  The regexes are built once per service.
"""

from __future__ import annotations

import io
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
from botocore.exceptions import UnknownServiceError

UNKNOWN = "Unknown"

# SigV4 signing name -> botocore service models that sign with it.  The first
# model is the primary one.  Signing names not listed are looked up as a
# botocore service of the same name.
SIGNING_NAME_MODELS: dict[str, tuple[str, ...]] = {
    "elasticloadbalancing": ("elbv2", "elb"),
    "apigateway": ("apigateway", "apigatewayv2"),
    "lambda": ("lambda",),
    "s3": ("s3", "s3control"),
    "monitoring": ("cloudwatch",),
    "states": ("stepfunctions",),
    "elasticfilesystem": ("efs",),
    "elasticmapreduce": ("emr",),
    "tagging": ("resourcegroupstaggingapi",),
    "es": ("opensearch", "es"),
    "events": ("events",),
    "ses": ("ses", "sesv2"),
    "rds": ("rds",),
    "dynamodb": ("dynamodb", "dynamodbstreams"),
    "execute-api": ("apigatewaymanagementapi",),
    "aps": ("amp",),
    "airflow": ("mwaa",),
    "cloudcontrolapi": ("cloudcontrol",),
    "iotdata": ("iot-data",),
    "servicequotas": ("service-quotas",),
    "access-analyzer": ("accessanalyzer",),
    "awsssoportal": ("sso",),
    "sso": ("sso-admin",),
    "sso-oauth": ("sso-oidc",),
}

# The API version sent by query-protocol clients tells apart models that share
# a signing name (classic ELB and elbv2 both sign as elasticloadbalancing).
_CREDENTIAL_RE = re.compile(
    r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request"
)
_X_AMZ_CREDENTIAL_RE = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")


@dataclass
class RequestInfo:
    """What the middleware knows about one AWS API request."""

    service: str  # signing name, lower case; "unknown" when unsigned
    operation: str
    region: str
    access_key: str | None
    method: str
    path: str
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # query/form params
    target: str | None = None
    protocol: str = "rest-json"  # ec2 | query | json | rest-json | rest-xml
    api_version: str | None = None
    model_name: str | None = None  # botocore model used, if any

    def param(self, name: str) -> str | None:
        return self.params.get(name)


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the whole request body and put an identical stream back.

    moto reads ``wsgi.input`` itself, so after we consumed it we replace it
    with a BytesIO holding the same bytes.  CONTENT_LENGTH is kept (or set,
    for a chunked request) to the number of bytes read.
    """
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length_header = environ.get("CONTENT_LENGTH") or ""
    body = b""
    if length_header.strip():
        try:
            length = int(length_header)
        except ValueError:
            length = 0
        if length > 0:
            body = _read_exactly(stream, length)
    elif environ.get("wsgi.input_terminated") or "chunked" in environ.get(
        "HTTP_TRANSFER_ENCODING", ""
    ).lower():
        body = stream.read()
    environ["wsgi.input"] = io.BytesIO(body)
    if body or length_header.strip():
        environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _read_exactly(stream: Any, length: int) -> bytes:
    chunks = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _flatten_qs(query: str) -> dict[str, str]:
    parsed = parse_qs(query, keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def credential_scope(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    """(access_key, region, service) from the SigV4 credential scope, if signed."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth:
        match = _CREDENTIAL_RE.search(auth)
        if match:
            return match.group(1), match.group(3), match.group(4).lower()
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Credential" in query:
        cred = _flatten_qs(query).get("X-Amz-Credential", "")
        match = _X_AMZ_CREDENTIAL_RE.match(cred)
        if match:
            return match.group(1), match.group(3), match.group(4).lower()
    return None


def raw_path(environ: dict[str, Any]) -> str:
    """The request path as sent (still percent-encoded), without query."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = urlsplit(raw).path if "://" in raw else raw.split("?", 1)[0]
        if path:
            return path
    return environ.get("PATH_INFO", "") or "/"


# --------------------------------------------------------------------------
# botocore service models
# --------------------------------------------------------------------------

_session_lock = threading.Lock()
_session: botocore.session.Session | None = None
_model_cache: dict[str, Any] = {}


def service_model(name: str) -> Any | None:
    """botocore's ServiceModel called ``name``, or None if botocore has none."""
    global _session
    with _session_lock:
        if name in _model_cache:
            return _model_cache[name]
        if _session is None:
            _session = botocore.session.get_session()
        try:
            model = _session.get_service_model(name)
        except UnknownServiceError:
            model = None
        _model_cache[name] = model
        return model


def models_for_signing_name(signing_name: str) -> list[Any]:
    names = SIGNING_NAME_MODELS.get(signing_name, (signing_name,))
    return [m for m in (service_model(n) for n in names) if m is not None]


def model_for_query_request(signing_name: str, api_version: str | None) -> Any | None:
    models = models_for_signing_name(signing_name)
    if api_version:
        for model in models:
            if model.metadata.get("apiVersion") == api_version:
                return model
    return models[0] if models else None


# --------------------------------------------------------------------------
# REST operation matching
# --------------------------------------------------------------------------

_LABEL_RE = re.compile(r"\{([^}]+)\}")


@dataclass
class _RestRoute:
    operation: str
    method: str
    regex: re.Pattern[str]
    query_constraints: tuple[tuple[str, str | None], ...]
    header_constraints: tuple[str, ...]  # WSGI environ keys that must be present
    literal_chars: int
    greedy_labels: int
    deprecated: bool

    @property
    def score(self) -> tuple[int, int, int, int]:
        return (
            len(self.query_constraints) + len(self.header_constraints),
            self.literal_chars,
            -self.greedy_labels,
            0 if self.deprecated else 1,
        )


def _route_for(op: Any) -> _RestRoute:
    http = op.http
    uri: str = http.get("requestUri", "/")
    path_template, _, query_template = uri.partition("?")
    query_constraints: list[tuple[str, str | None]] = []
    for part in filter(None, query_template.split("&")):
        key, eq, value = part.partition("=")
        query_constraints.append((key, value if eq else None))

    stripped = path_template.rstrip("/") or "/"
    labels = list(_LABEL_RE.finditer(stripped))
    regex_parts: list[str] = []
    pos = 0
    literal_chars = 0
    greedy = 0
    for index, label in enumerate(labels):
        literal = stripped[pos : label.start()]
        regex_parts.append(re.escape(literal))
        literal_chars += len(literal)
        name = label.group(1)
        is_last = index == len(labels) - 1 and label.end() == len(stripped)
        if name.endswith("+"):
            regex_parts.append(r".+")
            greedy += 1
        elif is_last:
            # Last labels are often ARNs whose slashes clients don't encode.
            regex_parts.append(r"[^/].*")
            greedy += 1
        else:
            regex_parts.append(r"[^/]+")
        pos = label.end()
    tail = stripped[pos:]
    regex_parts.append(re.escape(tail))
    literal_chars += len(tail)
    pattern = "^" + "".join(regex_parts)
    pattern += "$" if stripped == "/" else "/?$"

    header_constraints: list[str] = []
    input_shape = op.input_shape
    if input_shape is not None:
        required = set(input_shape.required_members)
        for member_name, member in input_shape.members.items():
            if member_name not in required:
                continue
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", member_name)
            if location == "querystring":
                if all(key != wire_name for key, _ in query_constraints):
                    query_constraints.append((wire_name, None))
            elif location == "header":
                header_constraints.append(
                    "HTTP_" + wire_name.upper().replace("-", "_")
                )
    return _RestRoute(
        operation=op.name,
        method=http.get("method", "GET").upper(),
        regex=re.compile(pattern),
        query_constraints=tuple(query_constraints),
        header_constraints=tuple(header_constraints),
        literal_chars=literal_chars,
        greedy_labels=greedy,
        deprecated=bool(op.deprecated),
    )


class RestMatcher:
    """Matches method + path against every operation of a REST service model."""

    def __init__(self, model: Any):
        self.model_name = model.service_name
        self.routes: list[_RestRoute] = [
            _route_for(model.operation_model(name)) for name in model.operation_names
        ]

    def match(
        self, method: str, path: str, query: dict[str, str], environ: dict[str, Any]
    ) -> _RestRoute | None:
        best: _RestRoute | None = None
        for route in self.routes:
            if route.method != method or not route.regex.match(path):
                continue
            if not all(
                key in query and (value is None or query[key] == value)
                for key, value in route.query_constraints
            ):
                continue
            if not all(h in environ for h in route.header_constraints):
                continue
            if best is None or route.score > best.score:
                best = route
        return best


_matchers_lock = threading.Lock()
_matchers: dict[str, list[RestMatcher]] = {}


def rest_matchers(signing_name: str) -> list[RestMatcher]:
    """The REST matchers for a signing name, built once and cached."""
    with _matchers_lock:
        cached = _matchers.get(signing_name)
        if cached is not None:
            return cached
    built = [
        RestMatcher(model)
        for model in models_for_signing_name(signing_name)
        if model.metadata.get("protocol") in ("rest-json", "rest-xml")
    ]
    with _matchers_lock:
        _matchers.setdefault(signing_name, built)
        return _matchers[signing_name]


def warm_up(signing_names: tuple[str, ...] = ("lambda", "apigateway")) -> None:
    """Build the REST matchers we know we need ahead of the first request."""
    for name in signing_names:
        rest_matchers(name)


# --------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------


def classify(environ: dict[str, Any]) -> RequestInfo:
    """Describe an AWS API request.  Reads (and restores) the body."""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    body = read_body(environ)
    query = _flatten_qs(environ.get("QUERY_STRING", ""))
    params = dict(query)
    content_type = environ.get("CONTENT_TYPE", "") or ""
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        try:
            params.update(_flatten_qs(body.decode("utf-8")))
        except UnicodeDecodeError:
            pass

    scope = credential_scope(environ)
    if scope:
        access_key, region, service = scope
    else:
        access_key, region, service = None, "us-east-1", "unknown"

    target = environ.get("HTTP_X_AMZ_TARGET")
    path = raw_path(environ)
    info = RequestInfo(
        service=service,
        operation=UNKNOWN,
        region=region,
        access_key=access_key,
        method=method,
        path=path,
        body=body,
        params=params,
        target=target,
        api_version=params.get("Version"),
    )

    if target:
        info.operation = target.rsplit(".", 1)[-1] or UNKNOWN
        info.protocol = "json"
        models = models_for_signing_name(service)
        if models:
            info.model_name = models[0].service_name
        return info

    action = params.get("Action")
    if action:
        info.operation = action
        model = model_for_query_request(service, info.api_version)
        if model is not None:
            info.model_name = model.service_name
            protocol = model.metadata.get("protocol", "query")
            info.protocol = "ec2" if protocol == "ec2" else "query"
        else:
            info.protocol = "query"
        return info

    for matcher in rest_matchers(service):
        route = matcher.match(method, path, query, environ)
        if route is not None:
            info.operation = route.operation
            info.model_name = matcher.model_name
            break
    models = models_for_signing_name(service)
    if info.model_name is None and models:
        info.model_name = models[0].service_name
    model = service_model(info.model_name) if info.model_name else None
    protocol = model.metadata.get("protocol") if model is not None else None
    if protocol in ("rest-json", "rest-xml", "json", "query", "ec2"):
        info.protocol = protocol
    return info


def account_id_for(access_key: str | None, environ: dict[str, Any]) -> str:
    """The moto account a request acts in, decided the way moto decides it."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if header:
        return header
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key or "AKIAEXAMPLE")
