"""Small fixes to moto's Auto Scaling model that instance refresh relies on.

moto 5.2.5 launches Auto Scaling instances with the image and instance type of
the group's launch template version, but passes no version to EC2, so the
instance is tagged ``aws:ec2launchtemplate:version`` = the template's *default*
version, and DescribeAutoScalingGroups/DescribeAutoScalingInstances report
every instance's ``LaunchTemplate.Version`` as the template's default version.
After ``$Latest`` moved to v2 nothing could tell new instances from old ones.

The two patches below make new instances record the version they were really
launched from (the group's ``$Latest``/``$Default``/number resolved at launch
time), and report that version per instance, as AWS does.

A third one: moto's CreateLaunchTemplateVersion keeps ``UserData`` as a plain
string (CreateLaunchTemplate parses it), and launching a group's instance from
such a version fails moto's own assertion; new versions get it parsed too.

And one for Lambda: moto accepts any ``Runtime``; AWS rejects a runtime that
does not exist with InvalidParameterValueException ("Value x at 'runtime'
failed to satisfy constraint: Member must satisfy enum value set: [...]").
"""

from __future__ import annotations

import sys
from typing import Any

import moto
from moto.autoscaling import models as asg_models
from moto.moto_api._internal import mock_random as random

PATCHED_FOR_MOTO = "5.2.5"
LT_ID_TAG = "aws:ec2launchtemplate:id"
LT_VERSION_TAG = "aws:ec2launchtemplate:version"

_applied = False


def _replace_autoscaling_group_instances(
    self: Any, count_needed: int, propagated_tags: dict[str, str]
) -> None:
    # Same as moto 5.2.5's FakeAutoScalingGroup.replace_autoscaling_group_instances
    # except that the launch template version is passed on to RunInstances.
    propagated_tags[asg_models.ASG_NAME_TAG] = self.name
    propagated_tags.update(self.instance_tags)

    subnet_id = (
        self.vpc_zone_identifier.split(",")[0] if self.vpc_zone_identifier else None
    )
    associate_public_ip = (
        self.launch_config.associate_public_ip_address if self.launch_config else None
    )
    launch_template = None
    if self.ec2_launch_template:
        version = self.ec2_launch_template.get_version(self.launch_template_version)
        if self.ec2_launch_template.id:
            launch_template = {"LaunchTemplateId": self.ec2_launch_template.id}
        else:
            launch_template = {"LaunchTemplateName": self.ec2_launch_template.name}
        launch_template["Version"] = str(version.number)
    reservation = self.autoscaling_backend.ec2_backend.run_instances(
        self.image_id,
        count_needed,
        self.user_data,
        self.security_groups,
        instance_type=self.instance_type,
        tags={"instance": propagated_tags},
        placement=random.choice(self.availability_zones),
        launch_config=self.launch_config,
        launch_template=launch_template,
        is_instance_type_default=False,
        associate_public_ip=associate_public_ip,
        subnet_id=subnet_id,
    )
    for instance in reservation.instances:
        instance.autoscaling_group = self
        self.instance_states.append(
            asg_models.InstanceState(
                instance,
                protected_from_scale_in=self.new_instances_protected_from_scale_in,
            )
        )


def launched_template_version(instance: Any) -> tuple[str, int] | None:
    """(launch template id, version number) an EC2 instance was launched from."""
    tags = instance.ec2_backend.tags.get(instance.id, {})
    template_id = tags.get(LT_ID_TAG)
    version = tags.get(LT_VERSION_TAG)
    if not template_id or not version:
        return None
    try:
        return template_id, int(version)
    except ValueError:
        return None


def _instance_launch_template(self: Any) -> dict[str, Any] | None:
    group = self.auto_scaling_group
    if group is None or group.ec2_launch_template is None:
        return None
    template = group.ec2_launch_template
    version: Any = template.default_version_number
    launched = launched_template_version(self.instance)
    if launched is not None:
        template_id, number = launched
        if template_id != template.id:
            other = group.ec2_backend.launch_templates.get(template_id)
            if other is not None:
                template = other
        version = number
    return {
        "LaunchTemplateId": template.id,
        "LaunchTemplateName": template.name,
        "Version": str(version),
    }


def _create_version(self: Any, data: dict[str, Any], description: str) -> Any:
    from moto.core.types import Base64EncodedString
    from moto.ec2.utils import parse_user_data

    user_data = data.get("UserData")
    if user_data is not None and not isinstance(user_data, Base64EncodedString):
        data = {**data, "UserData": parse_user_data(user_data)}
    return _original_create_version(self, data, description)


_original_create_version: Any = None


# The runtimes CreateFunction and UpdateFunctionConfiguration accept (AWS's enum,
# deprecated ones included: they are still accepted for updates).
LAMBDA_RUNTIMES = (
    "nodejs nodejs4.3 nodejs4.3-edge nodejs6.10 nodejs8.10 nodejs10.x nodejs12.x "
    "nodejs14.x nodejs16.x nodejs18.x nodejs20.x nodejs22.x nodejs24.x python2.7 "
    "python3.6 python3.7 python3.8 python3.9 python3.10 python3.11 python3.12 "
    "python3.13 python3.14 java8 java8.al2 java11 java17 java21 java25 dotnetcore1.0 "
    "dotnetcore2.0 dotnetcore2.1 dotnetcore3.1 dotnet6 dotnet8 dotnet10 ruby2.5 "
    "ruby2.7 ruby3.2 ruby3.3 ruby3.4 go1.x provided provided.al2 provided.al2023"
).split()


def check_lambda_runtime(runtime: Any) -> None:
    """Raises what AWS answers for a runtime it does not have."""
    from moto.awslambda.exceptions import InvalidParameterValueException

    if runtime is not None and runtime not in LAMBDA_RUNTIMES:
        raise InvalidParameterValueException(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must "
            f"satisfy enum value set: [{', '.join(LAMBDA_RUNTIMES)}] or be a valid ARN"
        )


def _patch_lambda_runtime_checks() -> None:
    from moto.awslambda.models import LambdaBackend

    create = LambdaBackend.create_function
    update = LambdaBackend.update_function_configuration

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        check_lambda_runtime(spec.get("Runtime"))
        return create(self, spec)

    def update_function_configuration(
        self: Any, function_name: str, qualifier: str, body: dict[str, Any]
    ) -> Any:
        check_lambda_runtime(body.get("Runtime"))
        return update(self, function_name, qualifier, body)

    LambdaBackend.create_function = create_function  # type: ignore[method-assign]
    LambdaBackend.update_function_configuration = update_function_configuration  # type: ignore[method-assign]


def apply() -> None:
    """Install the patches (idempotent)."""
    global _applied
    if _applied:
        return
    if moto.__version__ != PATCHED_FOR_MOTO:
        print(
            f"terrane-emulator: warning: moto_patches was written for moto "
            f"{PATCHED_FOR_MOTO} but moto {moto.__version__} is installed; "
            "check terrane_emulator/moto_patches.py against its autoscaling/models.py",
            file=sys.stderr,
        )
    asg_models.FakeAutoScalingGroup.replace_autoscaling_group_instances = (  # type: ignore[method-assign]
        _replace_autoscaling_group_instances
    )
    global _original_create_version
    from moto.ec2.models.launch_templates import LaunchTemplate

    _original_create_version = LaunchTemplate.create_version
    LaunchTemplate.create_version = _create_version  # type: ignore[method-assign]
    asg_models.InstanceState.launch_template = property(_instance_launch_template)  # type: ignore[method-assign,assignment]
    _patch_lambda_runtime_checks()
    _applied = True
