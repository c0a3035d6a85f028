"""Fault injection rules: latency, throttling and internal errors."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

# Service names accepted in a rule besides the SigV4 signing names that the
# counters report.  Both classic ELB and elbv2 sign as elasticloadbalancing.
SERVICE_ALIASES = {
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "cloudwatch": "monitoring",
    "stepfunctions": "states",
}

_RULE_KEYS = {
    "service",
    "operation",
    "latency_ms",
    "throttle_rate",
    "error_rate",
    "seed",
    "max_faults",
}

MAX_LATENCY_MS = 600_000


class RuleError(ValueError):
    """A fault rule that cannot be accepted; the message says why."""


def normalize_service(name: str) -> str:
    name = name.strip().lower()
    return SERVICE_ALIASES.get(name, name)


@dataclass
class FaultRule:
    id: int
    service: str | None
    operation: str | None
    latency_ms: float
    throttle_rate: float
    error_rate: float
    seed: int | None
    max_faults: int | None
    matched: int = 0
    injected: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, service: str, operation: str) -> bool:
        if self.service is not None and self.service != service:
            return False
        if self.operation is not None and self.operation != operation:
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service": self.service,
            "operation": self.operation,
            "latency_ms": self.latency_ms,
            "throttle_rate": self.throttle_rate,
            "error_rate": self.error_rate,
            "seed": self.seed,
            "max_faults": self.max_faults,
            "matched": self.matched,
            "injected": self.injected,
        }


def _number(payload: dict, key: str, default: float, low: float, high: float) -> float:
    value = payload.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleError(f"'{key}' must be a number, got {value!r}")
    if not low <= value <= high:
        raise RuleError(f"'{key}' must be between {low:g} and {high:g}, got {value!r}")
    return float(value)


def _optional_int(payload: dict, key: str, minimum: int | None = None) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"'{key}' must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise RuleError(f"'{key}' must be at least {minimum}, got {value!r}")
    return value


def _optional_name(payload: dict, key: str) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"'{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def parse_rule(payload: Any, rule_id: int) -> FaultRule:
    if not isinstance(payload, dict):
        raise RuleError("the body must be a JSON object describing one fault rule")
    unknown = sorted(set(payload) - _RULE_KEYS)
    if unknown:
        raise RuleError(
            f"unknown field(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted(_RULE_KEYS))}"
        )
    service = _optional_name(payload, "service")
    operation = _optional_name(payload, "operation")
    latency_ms = _number(payload, "latency_ms", 0.0, 0.0, MAX_LATENCY_MS)
    throttle_rate = _number(payload, "throttle_rate", 0.0, 0.0, 1.0)
    error_rate = _number(payload, "error_rate", 0.0, 0.0, 1.0)
    if throttle_rate + error_rate > 1.0 + 1e-9:
        raise RuleError(
            "'throttle_rate' + 'error_rate' must not exceed 1.0 "
            f"(got {throttle_rate:g} + {error_rate:g})"
        )
    if latency_ms == 0 and throttle_rate == 0 and error_rate == 0:
        raise RuleError(
            "the rule has no effect: set 'latency_ms', 'throttle_rate' or 'error_rate'"
        )
    seed = _optional_int(payload, "seed")
    max_faults = _optional_int(payload, "max_faults", minimum=1)
    rng = random.Random(seed) if seed is not None else random.Random()
    return FaultRule(
        id=rule_id,
        service=normalize_service(service) if service else None,
        operation=operation,
        latency_ms=latency_ms,
        throttle_rate=throttle_rate,
        error_rate=error_rate,
        seed=seed,
        max_faults=max_faults,
        _rng=rng,
    )


@dataclass
class FaultDecision:
    latency_s: float = 0.0
    fault: str | None = None  # "throttle" | "error" | None
    rule_id: int | None = None


class FaultRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, payload: Any) -> FaultRule:
        with self._lock:
            rule = parse_rule(payload, self._next_id)
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def clear(self) -> int:
        with self._lock:
            count = len(self._rules)
            self._rules.clear()
            return count

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.id == rule_id:
                    del self._rules[index]
                    return True
            return False

    def decide(self, service: str, operation: str) -> FaultDecision:
        """Apply every matching rule: latencies add up, the first fault wins."""
        decision = FaultDecision()
        with self._lock:
            for rule in self._rules:
                if not rule.matches(service, operation):
                    continue
                rule.matched += 1
                decision.latency_s += rule.latency_ms / 1000.0
                if decision.fault is not None:
                    continue
                if rule.max_faults is not None and rule.injected >= rule.max_faults:
                    continue
                if rule.throttle_rate == 0 and rule.error_rate == 0:
                    continue
                roll = rule._rng.random()
                if roll < rule.throttle_rate:
                    decision.fault = "throttle"
                elif roll < rule.throttle_rate + rule.error_rate:
                    decision.fault = "error"
                if decision.fault is not None:
                    rule.injected += 1
                    decision.rule_id = rule.id
        return decision
