"""EC2 Auto Scaling instance refresh, which moto 5.2.5 does not implement.

StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh and
RollbackInstanceRefresh are answered here, against moto's own Auto Scaling
backend.  A background thread per refresh does the rolling replacement:

* the instances to replace are the group's instances at start (all of them,
  or with ``SkipMatching`` only those not already on the desired launch
  template version);
* they are replaced in batches of ``max(1, floor(desired * (MaxHealthy -
  MinHealthy) / 100))`` (MaxHealthyPercentage defaults to 100), so at least
  MinHealthyPercentage of the desired capacity stays InService;
* a batch is detached from the group, which makes moto launch replacements
  from the group's launch template (or the refresh's DesiredConfiguration),
  then terminated in EC2; classic ELB and target group registrations follow;
* after each batch the refresh waits ``InstanceWarmup`` seconds (times
  ``TERRANE_EMULATOR_TIME_SCALE``) and then updates PercentageComplete and
  InstancesToUpdate.

Statuses: Pending -> InProgress -> [Baking ->] Successful, or Failed,
Cancelling -> Cancelled, RollbackInProgress -> RollbackSuccessful.
Scripted outcomes (``POST /_terrane/instance-refresh``) let tests make the
next refreshes fail or be cancelled after a given progress.
"""

from __future__ import annotations

import math
import sys
import threading
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from moto.core.parse import QueryParser
from moto.core.serialize import (
    SerializationContext,
    XFormedAttributePicker,
    get_serializer_class,
)
from moto.core.utils import get_service_model
from werkzeug.datastructures import MultiDict

from . import errors
from .classify import RequestInfo
from .moto_patches import launched_template_version

ACTIONS = frozenset(
    {
        "StartInstanceRefresh",
        "DescribeInstanceRefreshes",
        "CancelInstanceRefresh",
        "RollbackInstanceRefresh",
    }
)

# Statuses in which a refresh still blocks a new one.
ACTIVE = frozenset({"Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking"})
CANCELLABLE = frozenset({"Pending", "InProgress", "Baking"})
ROLLBACKABLE = frozenset({"Pending", "InProgress", "Baking"})

IN_PROGRESS_MESSAGE = (
    "An Instance Refresh is already in progress and blocks the execution of this "
    "Instance Refresh."
)
IRREVERSIBLE_MESSAGE = (
    "The request failed because a desired configuration was not found or an "
    "incompatible launch template (uses a Systems Manager parameter instead of an "
    "AMI ID) or launch template version ($Latest or $Default) is present on the "
    "Auto Scaling group."
)
DEFAULT_FAIL_REASON = "Instance refresh failed (scripted by the terrane AWS emulator)."
DEFAULT_CANCEL_REASON = "Instance refresh was cancelled (scripted by the terrane AWS emulator)."
XMLNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
# How often a refresh that waits on protected or Standby instances looks again.
WAIT_POLL_SECONDS = 0.2


class RefreshError(Exception):
    """An Auto Scaling API error to answer with."""

    def __init__(self, code: str, message: str, status: int = 400, sender: bool = True):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender


def validation_error(message: str) -> RefreshError:
    return RefreshError("ValidationError", message)


class _Stopped(Exception):
    """The emulator is resetting or shutting down: abandon the refresh."""


class _Finished(Exception):
    """The refresh reached a final status."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------
# Launch configuration snapshots
# --------------------------------------------------------------------------

_CONFIG_ATTRS = (
    "ec2_launch_template",
    "launch_template_version",
    "provided_launch_template_version",
    "launch_config",
    "launch_configuration_name",
)


@dataclass
class GroupConfig:
    """The attributes of a moto group that decide what its new instances run."""

    values: dict[str, Any]

    @classmethod
    def capture(cls, group: Any) -> "GroupConfig":
        return cls({name: getattr(group, name, None) for name in _CONFIG_ATTRS})

    def apply(self, group: Any) -> None:
        for name, value in self.values.items():
            setattr(group, name, value)

    @classmethod
    def from_launch_template(cls, template: Any, version: str) -> "GroupConfig":
        return cls(
            {
                "ec2_launch_template": template,
                "launch_template_version": version,
                "provided_launch_template_version": version,
                "launch_config": None,
                "launch_configuration_name": None,
            }
        )

    def target(self) -> tuple[str, int] | None:
        """(template id, resolved version number), or None without a template."""
        template = self.values.get("ec2_launch_template")
        if template is None:
            return None
        spec = self.values.get("launch_template_version") or "$Default"
        return template.id, template.get_version(spec).number

    def version_spec(self) -> str | None:
        if self.values.get("ec2_launch_template") is None:
            return None
        return str(self.values.get("launch_template_version") or "$Default")


# --------------------------------------------------------------------------
# Refresh state
# --------------------------------------------------------------------------


@dataclass
class Script:
    outcome: str  # fail | cancel | success
    status_reason: str | None
    after_percent: int
    count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "status_reason": self.status_reason,
            "after_percent": self.after_percent,
            "count": self.count,
        }


@dataclass
class InstanceRefresh:
    id: str
    account_id: str
    region: str
    group_name: str
    preferences: dict[str, Any]
    desired_configuration: dict[str, Any] | None
    desired_config: GroupConfig | None  # resolved DesiredConfiguration
    script: Script | None
    status: str = "Pending"
    status_reason: str | None = None
    start_time: datetime = field(default_factory=_now)
    end_time: datetime | None = None
    percentage_complete: int = 0
    instances_to_update: int = 0
    rollback_details: dict[str, Any] | None = None
    new_instance_ids: list[str] = field(default_factory=list)
    cancel_requested: bool = False
    rollback_reason: str | None = None
    stop: bool = False
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "InstanceRefreshId": self.id,
            "AutoScalingGroupName": self.group_name,
            "Status": self.status,
            "StartTime": self.start_time,
            "PercentageComplete": self.percentage_complete,
            "InstancesToUpdate": self.instances_to_update,
            "ProgressDetails": {
                "LivePoolProgress": {
                    "PercentageComplete": self.percentage_complete,
                    "InstancesToUpdate": self.instances_to_update,
                }
            },
            "Preferences": self.preferences,
            "Strategy": "Rolling",
        }
        if self.status_reason:
            data["StatusReason"] = self.status_reason
        if self.end_time is not None:
            data["EndTime"] = self.end_time
        if self.desired_configuration is not None:
            data["DesiredConfiguration"] = self.desired_configuration
        if self.rollback_details is not None:
            data["RollbackDetails"] = self.rollback_details
        return data


def _autoscaling_backend(account_id: str, region: str) -> Any:
    from moto.backends import get_backend

    return get_backend("autoscaling")[account_id][region]


def _group_not_found(name: str) -> RefreshError:
    return validation_error(
        f"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found"
    )


def _require_group_name(params: dict[str, Any]) -> str:
    name = params.get("AutoScalingGroupName")
    if not name:
        raise validation_error(
            "1 validation error detected: Value null at 'autoScalingGroupName' "
            "failed to satisfy constraint: Member must not be null"
        )
    return name


def _int_pref(prefs: dict, key: str, default: int, low: int, high: int) -> int:
    value = prefs.get(key)
    if value is None:
        return default
    if not low <= value <= high:
        raise validation_error(
            f"{key} must be between {low} and {high}, got {value}."
        )
    return int(value)


def _choice_pref(prefs: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = prefs.get(key)
    if value is None:
        return default
    if value not in allowed:
        raise validation_error(
            f"{key} must be one of {', '.join(allowed)}, got '{value}'."
        )
    return value


class InstanceRefreshManager:
    def __init__(
        self,
        backend_lock: threading.RLock,
        time_scale: float = 1.0,
        log: Callable[[str], None] | None = None,
    ):
        self.backend_lock = backend_lock
        self.time_scale = time_scale
        self._log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self._lock = threading.RLock()
        # (account, region, group name) -> refreshes, newest first
        self._refreshes: dict[tuple[str, str, str], list[InstanceRefresh]] = {}
        self._scripts: deque[Script] = deque()

    # ---------------------------------------------------------------- scripts

    def add_script(self, payload: Any) -> Script:
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        allowed = {"outcome", "status_reason", "after_percent", "count"}
        unknown = sorted(set(payload) - allowed)
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
        outcome = payload.get("outcome")
        if outcome not in ("fail", "cancel", "success"):
            raise ValueError(
                f"'outcome' must be one of 'fail', 'cancel', 'success', got {outcome!r}"
            )
        reason = payload.get("status_reason")
        if reason is not None and (not isinstance(reason, str) or not reason):
            raise ValueError(f"'status_reason' must be a non-empty string, got {reason!r}")
        after = payload.get("after_percent", 0)
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= 100:
            raise ValueError(f"'after_percent' must be an integer 0..100, got {after!r}")
        count = payload.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"'count' must be an integer >= 1, got {count!r}")
        script = Script(outcome, reason, after, count)
        with self._lock:
            self._scripts.append(script)
        return script

    def list_scripts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [s.to_json() for s in self._scripts]

    def clear_scripts(self) -> int:
        with self._lock:
            count = len(self._scripts)
            self._scripts.clear()
            return count

    def _take_script(self) -> Script | None:
        if not self._scripts:
            return None
        head = self._scripts[0]
        taken = Script(head.outcome, head.status_reason, head.after_percent, 1)
        head.count -= 1
        if head.count <= 0:
            self._scripts.popleft()
        return taken

    # --------------------------------------------------------------- lifecycle

    def reset(self) -> None:
        """Stop every refresh thread and forget refreshes and scripts."""
        with self._lock:
            refreshes = [r for rs in self._refreshes.values() for r in rs]
            for refresh in refreshes:
                refresh.stop = True
                refresh.wake.set()
            self._refreshes.clear()
            self._scripts.clear()
        for refresh in refreshes:
            if refresh.thread is not None and refresh.thread is not threading.current_thread():
                refresh.thread.join(timeout=10)

    def summary(self) -> list[dict[str, Any]]:
        with self._lock:
            out = []
            for (account, region, _), refreshes in self._refreshes.items():
                for r in refreshes:
                    item = r.to_api()
                    item["AccountId"] = account
                    item["Region"] = region
                    out.append(item)
            return out

    # --------------------------------------------------------------- API calls

    def handle(self, info: RequestInfo, account_id: str) -> errors.Response:
        """Answer one of the four instance refresh actions."""
        model = get_service_model("autoscaling")
        operation = model.operation_model(info.operation)
        try:
            try:
                params = QueryParser(operation).parse(
                    {
                        "values": MultiDict(info.params),
                        "body": info.body,
                        "headers": {},
                        "method": info.method,
                        "url_params": {},
                        "url_path": info.path,
                    }
                )
            except (ValueError, TypeError, KeyError) as exc:
                raise validation_error(f"Invalid request parameters: {exc}") from exc
            handler = {
                "StartInstanceRefresh": self.start,
                "DescribeInstanceRefreshes": self.describe,
                "CancelInstanceRefresh": self.cancel,
                "RollbackInstanceRefresh": self.rollback,
            }[info.operation]
            result = handler(account_id, info.region, params)
        except RefreshError as exc:
            return errors.query_error(
                exc.status, exc.code, exc.message, sender=exc.sender, xmlns=XMLNS
            )
        request_id = str(uuid.uuid4())
        serializer = get_serializer_class("autoscaling", "query")(
            operation_model=operation,
            context=SerializationContext(request_id),
            value_picker=XFormedAttributePicker(),
        )
        serialized = serializer.serialize(result)
        body = serialized["body"]
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = list(serialized["headers"].items()) + [("x-amzn-RequestId", request_id)]
        return errors.Response(int(serialized["status_code"]), body, headers)

    def start(self, account_id: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        name = _require_group_name(params)
        strategy = params.get("Strategy") or "Rolling"
        if strategy != "Rolling":
            raise validation_error(
                f"Strategy '{strategy}' is not supported by the terrane AWS emulator "
                "(only Rolling is)."
            )
        prefs_in: dict[str, Any] = dict(params.get("Preferences") or {})
        with self.backend_lock:
            backend = _autoscaling_backend(account_id, region)
            group = backend.autoscaling_groups.get(name)
            if group is None:
                raise _group_not_found(name)
            grace = group.health_check_grace_period
            default_warmup = int(grace) if grace is not None else 300
            desired_configuration = params.get("DesiredConfiguration")
            desired_config = None
            if desired_configuration:
                desired_config = self._resolve_desired(backend, desired_configuration)
            current_spec = GroupConfig.capture(group).version_spec()

        min_healthy = _int_pref(prefs_in, "MinHealthyPercentage", 90, 0, 100)
        max_healthy = _int_pref(prefs_in, "MaxHealthyPercentage", 100, 100, 200)
        if max_healthy - min_healthy > 100:
            raise validation_error(
                "The difference between MaxHealthyPercentage and MinHealthyPercentage "
                "can't be more than 100."
            )
        preferences: dict[str, Any] = dict(prefs_in)
        preferences.update(
            {
                "MinHealthyPercentage": min_healthy,
                "InstanceWarmup": _int_pref(
                    prefs_in, "InstanceWarmup", default_warmup, 0, 2**31 - 1
                ),
                "SkipMatching": bool(prefs_in.get("SkipMatching", False)),
                "AutoRollback": bool(prefs_in.get("AutoRollback", False)),
                "ScaleInProtectedInstances": _choice_pref(
                    prefs_in, "ScaleInProtectedInstances", ("Refresh", "Ignore", "Wait"), "Ignore"
                ),
                "StandbyInstances": _choice_pref(
                    prefs_in, "StandbyInstances", ("Terminate", "Ignore", "Wait"), "Ignore"
                ),
            }
        )
        if "MaxHealthyPercentage" in prefs_in:
            preferences["MaxHealthyPercentage"] = max_healthy
        checkpoints = prefs_in.get("CheckpointPercentages") or []
        if checkpoints:
            if any(not 0 < c <= 100 for c in checkpoints) or checkpoints != sorted(checkpoints):
                raise validation_error(
                    "CheckpointPercentages must be ascending values between 1 and 100."
                )
            preferences["CheckpointDelay"] = _int_pref(
                prefs_in, "CheckpointDelay", 3600, 0, 172800
            )
        if "BakeTime" in prefs_in:
            preferences["BakeTime"] = _int_pref(prefs_in, "BakeTime", 0, 0, 43200)
        if preferences["AutoRollback"]:
            try:
                self._check_reversible(desired_configuration, desired_config, current_spec)
            except RefreshError:
                raise validation_error(
                    "AutoRollback needs a DesiredConfiguration with a launch template "
                    "version number, on a group whose launch template version is not "
                    "$Latest or $Default."
                ) from None

        with self._lock:
            key = (account_id, region, name)
            history = self._refreshes.setdefault(key, [])
            if any(r.status in ACTIVE for r in history):
                raise RefreshError("InstanceRefreshInProgress", IN_PROGRESS_MESSAGE)
            refresh = InstanceRefresh(
                id=str(uuid.uuid4()),
                account_id=account_id,
                region=region,
                group_name=name,
                preferences=preferences,
                desired_configuration=desired_configuration or None,
                desired_config=desired_config,
                script=self._take_script(),
                status_reason="Waiting for the instance refresh to start.",
            )
            history.insert(0, refresh)
            refresh.thread = threading.Thread(
                target=self._run,
                args=(refresh,),
                name=f"instance-refresh-{refresh.id[:8]}",
                daemon=True,
            )
            refresh.thread.start()
        return {"InstanceRefreshId": refresh.id}

    def describe(self, account_id: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        name = _require_group_name(params)
        ids = params.get("InstanceRefreshIds") or []
        max_records = params.get("MaxRecords") or 50
        if not 1 <= max_records <= 100:
            raise validation_error("MaxRecords must be between 1 and 100.")
        with self._lock:
            refreshes = list(self._refreshes.get((account_id, region, name), []))
            if ids:
                refreshes = [r for r in refreshes if r.id in ids]
            start = 0
            token = params.get("NextToken")
            if token:
                positions = [i for i, r in enumerate(refreshes) if r.id == token]
                if not positions:
                    raise RefreshError("InvalidNextToken", "The token is not valid.")
                start = positions[0] + 1
            page = refreshes[start : start + max_records]
            result: dict[str, Any] = {"InstanceRefreshes": [r.to_api() for r in page]}
            if start + max_records < len(refreshes):
                result["NextToken"] = page[-1].id
            return result

    def _active(self, account_id: str, region: str, name: str, statuses: frozenset) -> InstanceRefresh:
        for refresh in self._refreshes.get((account_id, region, name), []):
            if refresh.status in statuses:
                return refresh
        raise RefreshError(
            "ActiveInstanceRefreshNotFound",
            f"No in progress or pending Instance Refresh found for Auto Scaling group {name}",
        )

    def cancel(self, account_id: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        name = _require_group_name(params)
        self._check_group_exists(account_id, region, name)
        with self._lock:
            refresh = self._active(account_id, region, name, CANCELLABLE)
            refresh.status = "Cancelling"
            refresh.status_reason = "Cancelling the instance refresh (CancelInstanceRefresh)."
            refresh.cancel_requested = True
            refresh.wake.set()
            return {"InstanceRefreshId": refresh.id}

    def rollback(self, account_id: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        name = _require_group_name(params)
        self._check_group_exists(account_id, region, name)
        with self.backend_lock:
            group = _autoscaling_backend(account_id, region).autoscaling_groups.get(name)
            current_spec = GroupConfig.capture(group).version_spec() if group else None
        with self._lock:
            refresh = self._active(account_id, region, name, ROLLBACKABLE)
            self._check_reversible(
                refresh.desired_configuration, refresh.desired_config, current_spec
            )
            self._begin_rollback(refresh, "Rollback initiated by RollbackInstanceRefresh.")
            refresh.wake.set()
            return {"InstanceRefreshId": refresh.id}

    # ---------------------------------------------------------------- helpers

    def _check_group_exists(self, account_id: str, region: str, name: str) -> None:
        with self.backend_lock:
            if name not in _autoscaling_backend(account_id, region).autoscaling_groups:
                raise _group_not_found(name)

    @staticmethod
    def _check_reversible(
        desired_configuration: dict | None,
        desired_config: GroupConfig | None,
        current_spec: str | None,
    ) -> None:
        if not desired_configuration or desired_config is None:
            raise RefreshError("IrreversibleInstanceRefresh", IRREVERSIBLE_MESSAGE)
        for spec in (desired_config.version_spec(), current_spec):
            if spec is None or spec.lower() in ("$latest", "$default"):
                raise RefreshError("IrreversibleInstanceRefresh", IRREVERSIBLE_MESSAGE)

    @staticmethod
    def _resolve_desired(backend: Any, desired: dict[str, Any]) -> GroupConfig:
        if desired.get("MixedInstancesPolicy"):
            raise validation_error(
                "DesiredConfiguration.MixedInstancesPolicy is not supported by the "
                "terrane AWS emulator."
            )
        spec = desired.get("LaunchTemplate")
        if not spec:
            raise validation_error("DesiredConfiguration must contain a LaunchTemplate.")
        template_id = spec.get("LaunchTemplateId")
        template_name = spec.get("LaunchTemplateName")
        if bool(template_id) == bool(template_name):
            raise validation_error(
                "Valid requests must contain either launchTemplateId or LaunchTemplateName"
            )
        ec2 = backend.ec2_backend
        if template_id:
            template = ec2.launch_templates.get(template_id)
            if template is None:
                raise validation_error(
                    f"The specified launch template, with template ID {template_id}, does not exist."
                )
        else:
            template_id = ec2.launch_template_name_to_ids.get(template_name)
            template = ec2.launch_templates.get(template_id) if template_id else None
            if template is None:
                raise validation_error(
                    f"The specified launch template, with template name {template_name}, does not exist."
                )
        version = str(spec.get("Version") or "$Default")
        try:
            template.get_version(version)
        except Exception as exc:  # moto's InvalidLaunchTemplateVersionNotFound / ValueError
            raise validation_error(
                f"The specified launch template version {version} of template "
                f"{template.id} does not exist."
            ) from exc
        return GroupConfig.from_launch_template(template, version)

    def _begin_rollback(self, refresh: InstanceRefresh, reason: str) -> None:
        refresh.rollback_reason = reason
        refresh.status = "RollbackInProgress"
        refresh.status_reason = reason
        refresh.rollback_details = {
            "RollbackReason": reason,
            "RollbackStartTime": _now(),
            "PercentageCompleteOnRollback": 0,
            "InstancesToUpdateOnRollback": 0,
            "ProgressDetailsOnRollback": {
                "LivePoolProgress": {"PercentageComplete": 0, "InstancesToUpdate": 0}
            },
        }

    def _set(self, refresh: InstanceRefresh, **changes: Any) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(refresh, key, value)

    def _wait(self, refresh: InstanceRefresh, seconds: float) -> None:
        """Sleep up to ``seconds`` (already scaled); wakes early on cancel/rollback/stop."""
        if seconds > 0:
            refresh.wake.wait(seconds)
        refresh.wake.clear()
        if refresh.stop:
            raise _Stopped()

    # ----------------------------------------------------------- the worker

    def _run(self, refresh: InstanceRefresh) -> None:
        try:
            self._refresh(refresh)
        except (_Stopped, _Finished):
            pass
        except Exception as exc:  # keep the emulator up, but say what happened
            self._log(
                f"terrane-emulator: instance refresh {refresh.id} crashed:\n"
                + traceback.format_exc()
            )
            self._set(
                refresh,
                status="Failed",
                status_reason=f"terrane AWS emulator internal error: {exc!r}",
                end_time=_now(),
            )

    def _group(self, refresh: InstanceRefresh) -> Any:
        backend = _autoscaling_backend(refresh.account_id, refresh.region)
        return backend, backend.autoscaling_groups.get(refresh.group_name)

    def _fail_group_gone(self, refresh: InstanceRefresh) -> None:
        self._set(
            refresh,
            status="Failed",
            status_reason=f"Auto Scaling group {refresh.group_name} was deleted.",
            end_time=_now(),
        )
        raise _Finished()

    def _eligible(self, state: Any, prefs: dict[str, Any]) -> str:
        """'replace', 'skip' or 'wait' for one of the group's instance states."""
        if state.lifecycle_state == "Standby":
            policy = prefs["StandbyInstances"]
            if policy == "Ignore":
                return "skip"
            if policy == "Wait":
                return "wait"
        if state.protected_from_scale_in:
            policy = prefs["ScaleInProtectedInstances"]
            if policy == "Ignore":
                return "skip"
            if policy == "Wait":
                return "wait"
        return "replace"

    def _replace_batch(
        self, backend: Any, group: Any, instance_ids: list[str], config: GroupConfig | None
    ) -> list[str]:
        """Replace instances of ``group`` (caller holds the backend lock).

        The batch is detached from the group without decrementing the desired
        capacity, which makes moto launch the replacements from the group's
        configuration (temporarily ``config`` when given); then the old
        instances are terminated and ELB / target group registrations updated.
        Returns the ids of the new instances.
        """
        before = {s.instance.id for s in group.instance_states}
        saved = GroupConfig.capture(group) if config is not None else None
        try:
            if config is not None:
                config.apply(group)
            backend.detach_instances(group.name, instance_ids, False)
        finally:
            if saved is not None:
                saved.apply(group)
        backend.ec2_backend.terminate_instances(instance_ids)
        backend.elbv2_backend.notify_terminate_instances(instance_ids)
        backend.update_attached_elbs(group.name)
        backend.update_attached_target_groups(group.name)
        after = [s.instance.id for s in group.instance_states]
        return [i for i in after if i not in before]

    def _check_control(self, refresh: InstanceRefresh, in_rollback: bool = False) -> None:
        """Act on stop / cancel / rollback requests and on the scripted outcome."""
        if refresh.stop:
            raise _Stopped()
        if in_rollback:
            return
        if refresh.rollback_reason is not None:
            self._do_rollback(refresh)
            raise _Finished()
        if refresh.cancel_requested:
            self._set(
                refresh,
                status="Cancelled",
                status_reason="The instance refresh was cancelled by CancelInstanceRefresh.",
                end_time=_now(),
            )
            raise _Finished()
        script = refresh.script
        if script is None or script.outcome == "success":
            return
        if refresh.percentage_complete < script.after_percent:
            return
        if script.outcome == "fail":
            reason = script.status_reason or DEFAULT_FAIL_REASON
            if refresh.preferences.get("AutoRollback"):
                with self._lock:
                    self._begin_rollback(refresh, reason)
                self._do_rollback(refresh)
                raise _Finished()
            self._set(refresh, status="Failed", status_reason=reason, end_time=_now())
            raise _Finished()
        # cancel
        reason = script.status_reason or DEFAULT_CANCEL_REASON
        self._set(refresh, status="Cancelling", status_reason=reason)
        self._wait(refresh, 0.05)
        self._set(refresh, status="Cancelled", end_time=_now())
        raise _Finished()

    def _refresh(self, refresh: InstanceRefresh) -> None:
        prefs = refresh.preferences
        warmup = prefs["InstanceWarmup"] * self.time_scale
        with self.backend_lock:
            backend, group = self._group(refresh)
            if group is None:
                self._fail_group_gone(refresh)
            config = refresh.desired_config or GroupConfig.capture(group)
            target = config.target()
            to_replace: list[str] = []
            for state in group.instance_states:
                if prefs["SkipMatching"] and target is not None:
                    if launched_template_version(state.instance) == target:
                        continue
                if self._eligible(state, prefs) == "skip":
                    continue
                to_replace.append(state.instance.id)
            desired = group.desired_capacity or 0
        max_healthy = prefs.get("MaxHealthyPercentage", 100)
        batch_size = max(
            1, math.floor(desired * (max_healthy - prefs["MinHealthyPercentage"]) / 100)
        )
        total = len(to_replace)
        with self._lock:
            if refresh.status == "Pending":
                refresh.status = "InProgress"
                refresh.status_reason = None
            refresh.instances_to_update = total
        checkpoints = list(prefs.get("CheckpointPercentages") or [])
        remaining = list(to_replace)
        while True:
            self._check_control(refresh)
            if not remaining:
                break
            with self.backend_lock:
                backend, group = self._group(refresh)
                if group is None:
                    self._fail_group_gone(refresh)
                states = {s.instance.id: s for s in group.instance_states}
                remaining = [i for i in remaining if i in states]
                ready = [i for i in remaining if self._eligible(states[i], prefs) == "replace"]
                batch = ready[:batch_size]
                new_ids = (
                    self._replace_batch(backend, group, batch, refresh.desired_config)
                    if batch
                    else []
                )
            if not batch:
                if remaining:  # only instances we must wait for are left
                    self._set(
                        refresh,
                        status_reason="Waiting for scale-in protected or Standby "
                        f"instances, for example {remaining[0]}.",
                    )
                    self._wait(refresh, WAIT_POLL_SECONDS)
                    continue
                break
            with self._lock:
                refresh.new_instance_ids.extend(new_ids)
                if new_ids:
                    refresh.status_reason = (
                        "Waiting for instances to warm up before continuing. "
                        f"For example: {new_ids[0]} is warming up."
                    )
            remaining = [i for i in remaining if i not in batch]
            self._wait(refresh, warmup)
            done = total - len(remaining)
            percent = math.floor(100 * done / total) if total else 100
            self._set(
                refresh,
                percentage_complete=percent,
                instances_to_update=len(remaining),
                status_reason=None if refresh.status == "InProgress" else refresh.status_reason,
            )
            while checkpoints and percent >= checkpoints[0] and remaining:
                reached = checkpoints.pop(0)
                self._set(
                    refresh,
                    status_reason=f"Waiting at checkpoint {reached}% "
                    f"(CheckpointDelay {prefs['CheckpointDelay']} s).",
                )
                self._check_control(refresh)
                self._wait(refresh, prefs["CheckpointDelay"] * self.time_scale)
        self._set(refresh, percentage_complete=100, instances_to_update=0)
        self._check_control(refresh)
        bake = prefs.get("BakeTime", 0)
        if bake:
            with self._lock:
                if refresh.status == "InProgress":
                    refresh.status = "Baking"
                    refresh.status_reason = "Baking the new instances."
            self._wait(refresh, bake * self.time_scale)
            self._check_control(refresh)
        with self.backend_lock:
            backend, group = self._group(refresh)
            if group is None:
                self._fail_group_gone(refresh)
            with self._lock:
                finished = refresh.status in ("InProgress", "Baking") and not (
                    refresh.cancel_requested or refresh.rollback_reason or refresh.stop
                )
                if finished:
                    if refresh.desired_config is not None:
                        # Like AWS: the group takes the desired configuration
                        # only once the refresh succeeded.
                        refresh.desired_config.apply(group)
                    refresh.status = "Successful"
                    refresh.status_reason = None
                    refresh.end_time = _now()
        if not finished:  # cancelled / rolled back at the very last moment
            self._check_control(refresh)

    def _do_rollback(self, refresh: InstanceRefresh) -> None:
        """Replace the instances this refresh launched with the group's own
        configuration, which a refresh with a DesiredConfiguration never changed."""
        warmup = refresh.preferences["InstanceWarmup"] * self.time_scale
        with self.backend_lock:
            backend, group = self._group(refresh)
            if group is None:
                self._fail_group_gone(refresh)
            present = {s.instance.id for s in group.instance_states}
            to_revert = [i for i in refresh.new_instance_ids if i in present]
            desired = group.desired_capacity or 0
        prefs = refresh.preferences
        batch_size = max(
            1,
            math.floor(
                desired
                * (prefs.get("MaxHealthyPercentage", 100) - prefs["MinHealthyPercentage"])
                / 100
            ),
        )
        total = len(to_revert)

        def progress(remaining: int) -> None:
            with self._lock:
                details = refresh.rollback_details or {}
                percent = math.floor(100 * (total - remaining) / total) if total else 100
                details["PercentageCompleteOnRollback"] = percent
                details["InstancesToUpdateOnRollback"] = remaining
                details["ProgressDetailsOnRollback"] = {
                    "LivePoolProgress": {
                        "PercentageComplete": percent,
                        "InstancesToUpdate": remaining,
                    }
                }
                refresh.rollback_details = details

        progress(total)
        remaining = list(to_revert)
        while remaining:
            self._check_control(refresh, in_rollback=True)
            with self.backend_lock:
                backend, group = self._group(refresh)
                if group is None:
                    self._fail_group_gone(refresh)
                present = {s.instance.id for s in group.instance_states}
                remaining = [i for i in remaining if i in present]
                batch = remaining[:batch_size]
                if batch:
                    self._replace_batch(backend, group, batch, None)
            remaining = [i for i in remaining if i not in batch]
            if batch:
                self._wait(refresh, warmup)
            progress(len(remaining))
        self._check_control(refresh, in_rollback=True)
        self._set(refresh, status="RollbackSuccessful", end_time=_now())
