"""Instance refresh, which the emulator adds on top of moto's Auto Scaling."""

import time
import unittest

from botocore.exceptions import ClientError

from tests import support

GROUP = "web"
AMI_V1 = "ami-11111111"
AMI_V2 = "ami-22222222"


def setUpModule():
    support.start_server()  # time scale 0.005: a 200 s warmup takes 1 s


def tearDownModule():
    support.stop_server()


class RefreshTestCase(unittest.TestCase):
    def setUp(self):
        support.reset()
        self.ec2 = support.client("ec2")
        self.asg = support.client("autoscaling")

    # ------------------------------------------------------------- helpers

    def make_group(self, *, version="1", desired=4, **extra):
        """Launch template v1 (AMI_V1) + v2 (AMI_V2); a group on ``version``
        of it, whose instances are all launched from v1."""
        template = self.ec2.create_launch_template(
            LaunchTemplateName="web-lt",
            LaunchTemplateData={"ImageId": AMI_V1, "InstanceType": "t3.micro"},
        )["LaunchTemplate"]
        self.template_id = template["LaunchTemplateId"]
        if "AvailabilityZones" not in extra and "VPCZoneIdentifier" not in extra:
            extra["AvailabilityZones"] = ["us-east-1a"]
        self.asg.create_auto_scaling_group(
            AutoScalingGroupName=GROUP,
            LaunchTemplate={"LaunchTemplateId": self.template_id, "Version": "1"},
            MinSize=0,
            MaxSize=10,
            DesiredCapacity=desired,
            **extra,
        )
        self.ec2.create_launch_template_version(
            LaunchTemplateId=self.template_id,
            SourceVersion="1",
            LaunchTemplateData={"ImageId": AMI_V2},
        )
        if version != "1":
            self.asg.update_auto_scaling_group(
                AutoScalingGroupName=GROUP,
                LaunchTemplate={"LaunchTemplateId": self.template_id, "Version": version},
            )
        return self.instances()

    def group(self):
        return self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])[
            "AutoScalingGroups"
        ][0]

    def instances(self):
        """{instance id: (lifecycle state, launch template version)}"""
        return {
            i["InstanceId"]: (i["LifecycleState"], i["LaunchTemplate"]["Version"])
            for i in self.group()["Instances"]
        }

    def ec2_instances(self, ids):
        reservations = self.ec2.describe_instances(InstanceIds=list(ids))["Reservations"]
        return {i["InstanceId"]: i for r in reservations for i in r["Instances"]}

    def refresh(self, refresh_id):
        found = self.asg.describe_instance_refreshes(
            AutoScalingGroupName=GROUP, InstanceRefreshIds=[refresh_id]
        )["InstanceRefreshes"]
        self.assertEqual(len(found), 1)
        return found[0]

    def wait_status(self, refresh_id, statuses, timeout=20):
        return support.wait_for(
            lambda: (r := self.refresh(refresh_id))["Status"] in statuses and r,
            timeout=timeout,
            message=f"instance refresh status in {statuses}",
        )

    def start(self, **kwargs):
        return self.asg.start_instance_refresh(AutoScalingGroupName=GROUP, **kwargs)[
            "InstanceRefreshId"
        ]

    def assertAsgError(self, call, code):
        with self.assertRaises(ClientError) as raised:
            call()
        self.assertEqual(raised.exception.response["Error"]["Code"], code)
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return raised.exception


class RollingReplacementTest(RefreshTestCase):
    def test_rolling_refresh_replaces_every_instance(self):
        before = self.make_group(version="$Latest")
        self.assertEqual(len(before), 4)
        self.assertEqual({v for _, v in before.values()}, {"1"})

        refresh_id = self.start(
            Strategy="Rolling",
            Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 200},
        )
        statuses, percentages, min_in_service = set(), set(), 4
        deadline = time.monotonic() + 20
        while True:
            refresh = self.refresh(refresh_id)
            statuses.add(refresh["Status"])
            percentages.add(refresh["PercentageComplete"])
            in_service = [i for i, (state, _) in self.instances().items() if state == "InService"]
            min_in_service = min(min_in_service, len(in_service))
            if refresh["Status"] not in ("Pending", "InProgress"):
                break
            self.assertLess(time.monotonic(), deadline, "refresh did not finish")
            time.sleep(0.05)

        self.assertEqual(refresh["Status"], "Successful", refresh)
        self.assertGreaterEqual(min_in_service, 2)
        self.assertIn("InProgress", statuses)
        self.assertIn(50, percentages)  # two batches of two
        self.assertEqual(refresh["PercentageComplete"], 100)
        self.assertEqual(refresh["InstancesToUpdate"], 0)
        self.assertEqual(refresh["AutoScalingGroupName"], GROUP)
        self.assertEqual(refresh["Preferences"]["MinHealthyPercentage"], 50)
        self.assertEqual(refresh["Preferences"]["InstanceWarmup"], 200)
        self.assertIn("StartTime", refresh)
        self.assertGreaterEqual(refresh["EndTime"], refresh["StartTime"])
        # one warmup per batch: 2 x 200 s x 0.005 = 2 s
        self.assertGreaterEqual((refresh["EndTime"] - refresh["StartTime"]).total_seconds(), 1.9)

        after = self.instances()
        self.assertEqual(len(after), 4)
        self.assertFalse(set(after) & set(before), "every instance was replaced")
        self.assertEqual({v for _, v in after.values()}, {"2"})
        self.assertEqual({s for s, _ in after.values()}, {"InService"})
        for instance in self.ec2_instances(after).values():
            self.assertEqual(instance["ImageId"], AMI_V2)
            tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
            self.assertEqual(tags["aws:ec2launchtemplate:version"], "2")
            self.assertEqual(tags["aws:autoscaling:groupName"], GROUP)
        for instance in self.ec2_instances(before).values():
            self.assertEqual(instance["State"]["Name"], "terminated")
        self.assertEqual(self.group()["DesiredCapacity"], 4)

    def test_default_warmup_is_the_health_check_grace_period(self):
        self.make_group(version="2", desired=2, HealthCheckGracePeriod=60)
        refresh_id = self.start(Preferences={"MinHealthyPercentage": 50})
        refresh = self.wait_status(refresh_id, {"Successful"})
        self.assertEqual(refresh["Preferences"]["InstanceWarmup"], 60)
        self.assertEqual(refresh["Preferences"]["MinHealthyPercentage"], 50)
        self.assertFalse(refresh["Preferences"]["SkipMatching"])

    def test_default_min_healthy_is_90_percent(self):
        self.make_group(version="2", desired=2)
        refresh_id = self.start(Preferences={"InstanceWarmup": 0})
        refresh = self.wait_status(refresh_id, {"Successful"})
        self.assertEqual(refresh["Preferences"]["MinHealthyPercentage"], 90)
        self.assertEqual({v for _, v in self.instances().values()}, {"2"})

    def test_skip_matching_keeps_instances_already_on_the_desired_version(self):
        before = self.make_group(version="2", desired=2)
        self.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=4)
        on_v2 = {i for i, (_, v) in self.instances().items() if v == "2"}
        self.assertEqual(len(on_v2), 2)  # scale-out launched from v2
        refresh_id = self.start(
            Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0, "SkipMatching": True}
        )
        refresh = self.wait_status(refresh_id, {"Successful"})
        self.assertTrue(refresh["Preferences"]["SkipMatching"])
        after = self.instances()
        self.assertTrue(on_v2 <= set(after))
        self.assertFalse(set(before) & set(after))
        self.assertEqual({v for _, v in after.values()}, {"2"})

    def test_load_balancer_registration_follows_the_replacement(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(
            VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1a"
        )["Subnet"]["SubnetId"]
        elbv2 = support.client("elbv2")
        target_group = elbv2.create_target_group(
            Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc
        )["TargetGroups"][0]["TargetGroupArn"]
        elb = support.client("elb")
        elb.create_load_balancer(
            LoadBalancerName="web-classic",
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
            AvailabilityZones=["us-east-1a"],
        )
        before = self.make_group(
            version="2",
            desired=2,
            VPCZoneIdentifier=subnet,
            TargetGroupARNs=[target_group],
            LoadBalancerNames=["web-classic"],
        )

        def targets():
            health = elbv2.describe_target_health(TargetGroupArn=target_group)
            return {d["Target"]["Id"] for d in health["TargetHealthDescriptions"]}

        def classic():
            lb = elb.describe_load_balancers(LoadBalancerNames=["web-classic"])
            return {i["InstanceId"] for i in lb["LoadBalancerDescriptions"][0]["Instances"]}

        self.assertEqual(targets(), set(before))
        self.assertEqual(classic(), set(before))
        refresh_id = self.start(Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0})
        self.wait_status(refresh_id, {"Successful"})
        after = self.instances()
        self.assertFalse(set(before) & set(after))
        self.assertEqual(targets(), set(after))
        self.assertEqual(classic(), set(after))

    def test_new_instances_report_the_version_they_were_launched_from(self):
        # The moto patch: scale-out from a group on $Latest launches (and
        # reports) the latest version, while older instances keep theirs.
        self.make_group(version="$Latest", desired=1)
        self.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=2)
        self.assertEqual(sorted(v for _, v in self.instances().values()), ["1", "2"])
        described = self.asg.describe_auto_scaling_instances()["AutoScalingInstances"]
        self.assertEqual(sorted(i["LaunchTemplate"]["Version"] for i in described), ["1", "2"])

    def test_a_new_version_with_user_data_launches_instances(self):
        # The moto patch: CreateLaunchTemplateVersion's UserData is parsed as
        # CreateLaunchTemplate's is (moto failed an assertion launching from it).
        self.make_group(version="$Latest", desired=1)
        self.ec2.create_launch_template_version(
            LaunchTemplateId=self.template_id,
            SourceVersion="2",
            LaunchTemplateData={"ImageId": AMI_V2, "UserData": "IyEvYmluL3NoCg=="},
        )
        self.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=2)
        self.assertEqual(sorted(v for _, v in self.instances().values()), ["1", "3"])


class RefreshControlTest(RefreshTestCase):
    def test_second_start_while_running_then_cancel(self):
        self.make_group(version="2")
        refresh_id = self.start(
            Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 4000}  # 20 s a batch
        )
        self.wait_status(refresh_id, {"InProgress"})
        error = self.assertAsgError(lambda: self.start(), "InstanceRefreshInProgress")
        self.assertEqual(
            error.response["Error"]["Message"],
            "An Instance Refresh is already in progress and blocks the execution of "
            "this Instance Refresh.",
        )
        cancelled_id = self.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP)[
            "InstanceRefreshId"
        ]
        self.assertEqual(cancelled_id, refresh_id)
        self.assertIn(self.refresh(refresh_id)["Status"], ("Cancelling", "Cancelled"))
        refresh = self.wait_status(refresh_id, {"Cancelled"}, timeout=5)
        self.assertLess(refresh["PercentageComplete"], 100)
        self.assertIn("EndTime", refresh)
        self.assertAsgError(
            lambda: self.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP),
            "ActiveInstanceRefreshNotFound",
        )
        # a new refresh can start once the old one is over
        second = self.start(Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0})
        self.wait_status(second, {"Successful"})
        listed = self.asg.describe_instance_refreshes(AutoScalingGroupName=GROUP)
        self.assertEqual(
            [r["InstanceRefreshId"] for r in listed["InstanceRefreshes"]], [second, refresh_id]
        )

    def test_cancel_without_refresh(self):
        self.make_group()
        error = self.assertAsgError(
            lambda: self.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP),
            "ActiveInstanceRefreshNotFound",
        )
        self.assertIn(GROUP, error.response["Error"]["Message"])

    def test_scripted_failure(self):
        self.make_group(version="2")
        status, body = support.http(
            "POST",
            "/_terrane/instance-refresh",
            {"outcome": "fail", "status_reason": "Instances failed health checks.", "after_percent": 50},
        )
        self.assertEqual(status, 201, body)
        refresh_id = self.start(Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0})
        refresh = self.wait_status(refresh_id, {"Failed"})
        self.assertEqual(refresh["StatusReason"], "Instances failed health checks.")
        self.assertEqual(refresh["PercentageComplete"], 50)
        self.assertEqual(refresh["InstancesToUpdate"], 2)
        self.assertEqual(sorted(v for _, v in self.instances().values()), ["1", "1", "2", "2"])
        # the script was used up: the next refresh succeeds
        self.assertEqual(support.http("GET", "/_terrane/instance-refresh")[1]["scripts"], [])
        refresh_id = self.start(Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0})
        self.wait_status(refresh_id, {"Successful"})

    def test_scripted_cancel_and_count(self):
        self.make_group(version="2", desired=2)
        status, _ = support.http(
            "POST", "/_terrane/instance-refresh", {"outcome": "cancel", "count": 2}
        )
        self.assertEqual(status, 201)
        for _ in range(2):
            refresh_id = self.start(Preferences={"InstanceWarmup": 0})
            refresh = self.wait_status(refresh_id, {"Cancelled"})
            self.assertEqual(refresh["PercentageComplete"], 0)
            self.assertIn("scripted", refresh["StatusReason"])
        refresh_id = self.start(Preferences={"InstanceWarmup": 0})
        self.wait_status(refresh_id, {"Successful"})

    def test_clearing_scripts(self):
        support.http("POST", "/_terrane/instance-refresh", {"outcome": "fail"})
        status, body = support.http("DELETE", "/_terrane/instance-refresh")
        self.assertEqual((status, body), (200, {"cleared": 1}))
        self.make_group(version="2", desired=1)
        self.wait_status(self.start(Preferences={"InstanceWarmup": 0}), {"Successful"})

    def test_describe_filters_and_pages(self):
        self.make_group(version="2", desired=1)
        ids = []
        for _ in range(3):
            ids.append(self.start(Preferences={"InstanceWarmup": 0}))
            self.wait_status(ids[-1], {"Successful"})
        newest_first = list(reversed(ids))
        page = self.asg.describe_instance_refreshes(AutoScalingGroupName=GROUP, MaxRecords=2)
        self.assertEqual([r["InstanceRefreshId"] for r in page["InstanceRefreshes"]], newest_first[:2])
        page = self.asg.describe_instance_refreshes(
            AutoScalingGroupName=GROUP, MaxRecords=2, NextToken=page["NextToken"]
        )
        self.assertEqual([r["InstanceRefreshId"] for r in page["InstanceRefreshes"]], newest_first[2:])
        self.assertNotIn("NextToken", page)
        only = self.asg.describe_instance_refreshes(
            AutoScalingGroupName=GROUP, InstanceRefreshIds=[ids[1]]
        )["InstanceRefreshes"]
        self.assertEqual([r["InstanceRefreshId"] for r in only], [ids[1]])
        other = self.asg.describe_instance_refreshes(AutoScalingGroupName="other")
        self.assertEqual(other["InstanceRefreshes"], [])

    def test_validation_errors(self):
        self.assertAsgError(
            lambda: self.asg.start_instance_refresh(AutoScalingGroupName="missing"),
            "ValidationError",
        )
        self.make_group()
        self.assertAsgError(
            lambda: self.start(Strategy="ReplaceRootVolume"), "ValidationError"
        )
        self.assertAsgError(
            lambda: self.start(Preferences={"MinHealthyPercentage": 101}), "ValidationError"
        )
        self.assertAsgError(
            lambda: self.start(
                DesiredConfiguration={"LaunchTemplate": {"LaunchTemplateId": "lt-0000000000000000f"}}
            ),
            "ValidationError",
        )
        self.assertAsgError(
            lambda: self.start(
                DesiredConfiguration={
                    "LaunchTemplate": {"LaunchTemplateId": self.template_id, "Version": "9"}
                }
            ),
            "ValidationError",
        )

    def test_reset_forgets_refreshes(self):
        self.make_group(version="2")
        refresh_id = self.start(Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 4000})
        self.wait_status(refresh_id, {"InProgress"})
        support.http("POST", "/_terrane/instance-refresh", {"outcome": "fail"})
        started = time.monotonic()
        support.reset()
        self.assertLess(time.monotonic() - started, 5)
        body = support.http("GET", "/_terrane/instance-refresh")[1]
        self.assertEqual((body["scripts"], body["refreshes"]), ([], []))
        self.make_group(version="2", desired=1)
        listed = self.asg.describe_instance_refreshes(AutoScalingGroupName=GROUP)
        self.assertEqual(listed["InstanceRefreshes"], [])
        self.wait_status(self.start(Preferences={"InstanceWarmup": 0}), {"Successful"})


class PreferencesTest(RefreshTestCase):
    def test_checkpoints_pause_the_refresh(self):
        self.make_group(version="2")
        refresh_id = self.start(
            Preferences={
                "MinHealthyPercentage": 50,
                "InstanceWarmup": 0,
                "CheckpointPercentages": [50],
                "CheckpointDelay": 200,  # 1 s
            }
        )
        paused = self.wait_status(refresh_id, {"InProgress"})
        paused = support.wait_for(
            lambda: "checkpoint" in ((r := self.refresh(refresh_id)).get("StatusReason") or "")
            and r,
            message="the refresh to wait at its checkpoint",
        )
        self.assertEqual(paused["PercentageComplete"], 50)
        self.assertEqual(paused["Status"], "InProgress")
        refresh = self.wait_status(refresh_id, {"Successful"})
        self.assertEqual(refresh["Preferences"]["CheckpointPercentages"], [50])
        self.assertEqual(refresh["Preferences"]["CheckpointDelay"], 200)
        self.assertGreaterEqual((refresh["EndTime"] - refresh["StartTime"]).total_seconds(), 0.9)

    def test_bake_time(self):
        self.make_group(version="2", desired=1)
        refresh_id = self.start(Preferences={"InstanceWarmup": 0, "BakeTime": 200})  # 1 s
        baking = self.wait_status(refresh_id, {"Baking", "Successful"})
        self.assertEqual(baking["Status"], "Baking")
        self.assertEqual(baking["PercentageComplete"], 100)
        self.wait_status(refresh_id, {"Successful"})

    def test_max_healthy_percentage_replaces_everything_at_once(self):
        before = self.make_group(version="2", desired=2)
        refresh_id = self.start(
            Preferences={"MinHealthyPercentage": 100, "MaxHealthyPercentage": 200, "InstanceWarmup": 100}
        )
        percentages = set()
        while (refresh := self.refresh(refresh_id))["Status"] in ("Pending", "InProgress"):
            percentages.add(refresh["PercentageComplete"])
            in_service = [s for s, _ in self.instances().values() if s == "InService"]
            self.assertEqual(len(in_service), 2)
            time.sleep(0.05)
        self.assertEqual(refresh["Status"], "Successful")
        self.assertLessEqual(percentages, {0, 100})  # a single batch
        self.assertFalse(set(before) & set(self.instances()))
        self.assertAsgError(
            lambda: self.start(Preferences={"MinHealthyPercentage": 50, "MaxHealthyPercentage": 160}),
            "ValidationError",
        )

    def test_scale_in_protected_instances(self):
        before = self.make_group(version="2", desired=2, NewInstancesProtectedFromScaleIn=True)
        # default Ignore: protected instances are left alone
        refresh = self.wait_status(self.start(Preferences={"InstanceWarmup": 0}), {"Successful"})
        self.assertEqual(refresh["Preferences"]["ScaleInProtectedInstances"], "Ignore")
        self.assertEqual(set(self.instances()), set(before))
        # Wait: the refresh waits until the protection is removed
        refresh_id = self.start(
            Preferences={"InstanceWarmup": 0, "ScaleInProtectedInstances": "Wait"}
        )
        support.wait_for(
            lambda: "protected" in (self.refresh(refresh_id).get("StatusReason") or ""),
            message="the refresh to wait for protected instances",
        )
        self.asg.set_instance_protection(
            AutoScalingGroupName=GROUP, InstanceIds=list(before), ProtectedFromScaleIn=False
        )
        self.wait_status(refresh_id, {"Successful"})
        waited = self.instances()
        self.assertFalse(set(before) & set(waited))
        # Refresh: replaced even though protected
        refresh_id = self.start(
            Preferences={"InstanceWarmup": 0, "ScaleInProtectedInstances": "Refresh"}
        )
        self.wait_status(refresh_id, {"Successful"})
        self.assertFalse(set(waited) & set(self.instances()))

    def test_standby_instances(self):
        before = self.make_group(version="2", desired=2)
        standby = sorted(before)[0]
        self.asg.enter_standby(
            AutoScalingGroupName=GROUP, InstanceIds=[standby], ShouldDecrementDesiredCapacity=True
        )
        self.wait_status(self.start(Preferences={"InstanceWarmup": 0}), {"Successful"})
        after = self.instances()
        self.assertEqual(after[standby][0], "Standby")  # Ignore (the default)
        self.assertEqual(len(after), 2)
        refresh_id = self.start(Preferences={"InstanceWarmup": 0, "StandbyInstances": "Terminate"})
        self.wait_status(refresh_id, {"Successful"})
        self.assertNotIn(standby, self.instances())


class DesiredConfigurationTest(RefreshTestCase):
    def desired(self, version="2"):
        return {"LaunchTemplate": {"LaunchTemplateId": self.template_id, "Version": version}}

    def test_group_takes_the_desired_configuration_on_success(self):
        self.make_group(version="1")
        refresh_id = self.start(
            DesiredConfiguration=self.desired(),
            Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0},
        )
        refresh = self.wait_status(refresh_id, {"Successful"})
        self.assertEqual(refresh["DesiredConfiguration"], self.desired())
        self.assertEqual(self.group()["LaunchTemplate"]["Version"], "2")
        self.assertEqual({v for _, v in self.instances().values()}, {"2"})

    def test_rollback_puts_back_the_previous_version(self):
        before = self.make_group(version="1")
        refresh_id = self.start(
            DesiredConfiguration=self.desired(),
            # 3 s a batch, for the first batch and for the rollback's one batch
            Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 600},
        )
        # the first batch is replaced, the refresh is warming it up
        support.wait_for(
            lambda: sum(v == "2" for _, v in self.instances().values()) == 2,
            message="first batch replaced",
        )
        self.assertEqual(self.group()["LaunchTemplate"]["Version"], "1")
        rolled = self.asg.rollback_instance_refresh(AutoScalingGroupName=GROUP)
        self.assertEqual(rolled["InstanceRefreshId"], refresh_id)
        self.assertIn(
            self.refresh(refresh_id)["Status"], ("RollbackInProgress", "RollbackSuccessful")
        )
        refresh = self.wait_status(refresh_id, {"RollbackSuccessful"})
        details = refresh["RollbackDetails"]
        self.assertIn("RollbackInstanceRefresh", details["RollbackReason"])
        self.assertEqual(details["PercentageCompleteOnRollback"], 100)
        self.assertEqual(details["InstancesToUpdateOnRollback"], 0)
        self.assertIn("RollbackStartTime", details)
        self.assertEqual(self.group()["LaunchTemplate"]["Version"], "1")
        after = self.instances()
        self.assertEqual(len(after), 4)
        self.assertEqual({v for _, v in after.values()}, {"1"})
        self.assertEqual(len(set(before) & set(after)), 2)  # the untouched half
        self.assertAsgError(
            lambda: self.asg.rollback_instance_refresh(AutoScalingGroupName=GROUP),
            "ActiveInstanceRefreshNotFound",
        )

    def test_rollback_needs_a_desired_configuration(self):
        self.make_group(version="2")
        refresh_id = self.start(Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 4000})
        self.wait_status(refresh_id, {"InProgress"})
        self.assertAsgError(
            lambda: self.asg.rollback_instance_refresh(AutoScalingGroupName=GROUP),
            "IrreversibleInstanceRefresh",
        )
        self.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP)
        self.wait_status(refresh_id, {"Cancelled"})

    def test_auto_rollback_after_scripted_failure(self):
        self.make_group(version="1")
        support.http(
            "POST",
            "/_terrane/instance-refresh",
            {"outcome": "fail", "status_reason": "Alarm went off.", "after_percent": 50},
        )
        refresh_id = self.start(
            DesiredConfiguration=self.desired(),
            Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0, "AutoRollback": True},
        )
        refresh = self.wait_status(refresh_id, {"RollbackSuccessful"})
        self.assertEqual(refresh["RollbackDetails"]["RollbackReason"], "Alarm went off.")
        self.assertTrue(refresh["Preferences"]["AutoRollback"])
        self.assertEqual({v for _, v in self.instances().values()}, {"1"})
        self.assertEqual(self.group()["LaunchTemplate"]["Version"], "1")

    def test_auto_rollback_needs_a_pinned_desired_configuration(self):
        self.make_group(version="1")
        self.assertAsgError(
            lambda: self.start(Preferences={"AutoRollback": True}), "ValidationError"
        )
        self.assertAsgError(
            lambda: self.start(
                DesiredConfiguration=self.desired("$Latest"), Preferences={"AutoRollback": True}
            ),
            "ValidationError",
        )


if __name__ == "__main__":
    unittest.main()
