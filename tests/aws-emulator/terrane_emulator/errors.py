"""AWS error responses in the shape each wire protocol really uses.

They are built so that botocore and the AWS SDK for Rust parse the error code
(and so classify ``RequestLimitExceeded``/``Throttling``/
``TooManyRequestsException`` as throttling and HTTP 500 as transient):

* ec2: ``<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>``
* query (autoscaling, elasticloadbalancing, iam, sts, ...):
  ``<ErrorResponse xmlns=...><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``
* json: ``{"__type": code, "message": ...}``
* rest-json (lambda, apigateway): ``x-amzn-ErrorType`` header + JSON body
* rest-xml (s3): ``<Error><Code/><Message/><RequestId/></Error>``
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

from .classify import RequestInfo, service_model

HTTP_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    501: "Not Implemented",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, environ: dict, start_response) -> list[bytes]:  # WSGI
        reason = HTTP_REASONS.get(self.status, "Unknown")
        headers = list(self.headers)
        headers.append(("Content-Length", str(len(self.body))))
        start_response(f"{self.status} {reason}", headers)
        return [self.body]


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(status: int, payload: object) -> Response:
    body = (json.dumps(payload, indent=2, default=_json_default) + "\n").encode()
    return Response(status, body, [("Content-Type", "application/json")])


def _xml_namespace(info: RequestInfo) -> str:
    model = service_model(info.model_name) if info.model_name else None
    if model is not None and model.metadata.get("xmlNamespace"):
        return model.metadata["xmlNamespace"]
    return f"https://{info.service}.amazonaws.com/doc/"


def _request_id() -> str:
    return str(uuid.uuid4())


def ec2_error(status: int, code: str, message: str) -> Response:
    request_id = _request_id()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        "<Response><Errors><Error>"
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
    )
    return Response(
        status,
        body.encode(),
        [("Content-Type", "text/xml;charset=UTF-8"), ("x-amzn-RequestId", request_id)],
    )


def query_error(
    status: int,
    code: str,
    message: str,
    *,
    sender: bool = True,
    xmlns: str,
) -> Response:
    request_id = _request_id()
    body = (
        f'<ErrorResponse xmlns="{escape(xmlns)}"><Error>'
        f"<Type>{'Sender' if sender else 'Receiver'}</Type>"
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Response(
        status,
        body.encode(),
        [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)],
    )


def json_error(status: int, code: str, message: str, content_type: str) -> Response:
    request_id = _request_id()
    body = json.dumps({"__type": code, "message": message}).encode()
    return Response(
        status,
        body,
        [("Content-Type", content_type), ("x-amzn-RequestId", request_id)],
    )


def rest_json_error(status: int, code: str, payload: dict) -> Response:
    request_id = _request_id()
    return Response(
        status,
        json.dumps(payload).encode(),
        [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ],
    )


def rest_xml_error(status: int, code: str, message: str, info: RequestInfo) -> Response:
    request_id = _request_id()
    if info.service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        return Response(status, body.encode(), headers)
    return query_error(
        status, code, message, sender=status < 500, xmlns=_xml_namespace(info)
    )


def _json_content_type(info: RequestInfo) -> str:
    model = service_model(info.model_name) if info.model_name else None
    version = (model.metadata.get("jsonVersion") if model is not None else None) or "1.1"
    return f"application/x-amz-json-{version}"


def throttling_error(info: RequestInfo) -> Response:
    """What AWS answers when the caller is being throttled."""
    if info.protocol == "ec2":
        return ec2_error(503, "RequestLimitExceeded", "Request limit exceeded.")
    if info.protocol == "query":
        return query_error(
            400, "Throttling", "Rate exceeded", sender=True, xmlns=_xml_namespace(info)
        )
    if info.protocol == "json":
        return json_error(400, "ThrottlingException", "Rate exceeded", _json_content_type(info))
    if info.protocol == "rest-xml":
        if info.service == "s3":
            return rest_xml_error(503, "SlowDown", "Please reduce your request rate.", info)
        return rest_xml_error(400, "Throttling", "Rate exceeded", info)
    # rest-json
    if info.service == "lambda":
        return rest_json_error(
            429,
            "TooManyRequestsException",
            {
                "Reason": "CallerRateLimitExceeded",
                "Type": "User",
                "message": "Rate exceeded",
            },
        )
    return rest_json_error(429, "TooManyRequestsException", {"message": "Rate exceeded"})


def internal_error(info: RequestInfo) -> Response:
    """What AWS answers when it fails on its side (HTTP 500)."""
    message = "An internal error has occurred (injected by the terrane AWS emulator)."
    if info.protocol == "ec2":
        return ec2_error(500, "InternalError", message)
    if info.protocol == "query":
        return query_error(
            500, "InternalFailure", message, sender=False, xmlns=_xml_namespace(info)
        )
    if info.protocol == "json":
        return json_error(500, "InternalFailure", message, _json_content_type(info))
    if info.protocol == "rest-xml":
        code = "InternalError" if info.service == "s3" else "InternalFailure"
        return rest_xml_error(500, code, message, info)
    if info.service == "lambda":
        return rest_json_error(
            500, "ServiceException", {"Type": "Service", "Message": message}
        )
    return rest_json_error(500, "InternalFailure", {"message": message})


def protocol_error(info: RequestInfo, status: int, code: str, message: str) -> Response:
    """An error with the given code in the request's protocol's shape."""
    sender = status < 500
    if info.protocol == "ec2":
        return ec2_error(status, code, message)
    if info.protocol == "query":
        return query_error(status, code, message, sender=sender, xmlns=_xml_namespace(info))
    if info.protocol == "json":
        return json_error(status, code, message, _json_content_type(info))
    if info.protocol == "rest-xml":
        return rest_xml_error(status, code, message, info)
    return rest_json_error(status, code, {"message": message})


def not_implemented(info: RequestInfo, detail: str) -> Response:
    """moto has no implementation for this operation: HTTP 501, which SDKs do
    not retry, with a message that says so (moto itself answers an HTML 500)."""
    import moto

    message = (
        f"The terrane AWS emulator (moto {moto.__version__}) does not implement "
        f"{info.service} {info.operation}: {detail}"
    )
    return protocol_error(info, 501, "NotImplemented", message)


def emulator_failure(info: RequestInfo, exc: BaseException) -> Response:
    message = (
        f"The terrane AWS emulator failed on {info.service} {info.operation}: "
        f"{type(exc).__name__}: {exc} (traceback on the emulator's stderr)"
    )
    return protocol_error(info, 500, "InternalFailure", message)
