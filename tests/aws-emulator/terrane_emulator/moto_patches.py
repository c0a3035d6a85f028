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
    _applied = True
