"""Per-operation call counters."""

import unittest

from tests import support


def setUpModule():
    support.start_server()


def tearDownModule():
    support.stop_server()


class CounterTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def test_query_protocol_operations_are_counted(self):
        ec2 = support.client("ec2")
        for _ in range(3):
            ec2.describe_instances()
        support.client("autoscaling").describe_auto_scaling_groups()
        support.client("elbv2").describe_load_balancers()
        support.client("elb").describe_load_balancers()
        support.client("iam").list_roles()
        support.client("sts").get_caller_identity()
        self.assertEqual(
            support.calls(),
            {
                "total": 8,
                "services": {
                    "autoscaling": {"DescribeAutoScalingGroups": 1},
                    "ec2": {"DescribeInstances": 3},
                    # classic ELB and elbv2 both sign as elasticloadbalancing
                    "elasticloadbalancing": {"DescribeLoadBalancers": 2},
                    "iam": {"ListRoles": 1},
                    "sts": {"GetCallerIdentity": 1},
                },
            },
        )

    def test_rest_operations_are_named_from_the_botocore_model(self):
        lam = support.client("lambda")
        lam.list_functions()
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.get_function(FunctionName="missing")
        apigw = support.client("apigateway")
        apigw.get_rest_apis()
        api = apigw.create_rest_api(name="counted")
        apigw.get_rest_api(restApiId=api["id"])
        resources = apigw.get_resources(restApiId=api["id"])["items"]
        apigw.get_resource(restApiId=api["id"], resourceId=resources[0]["id"])
        support.client("apigatewayv2").get_apis()
        services = support.calls()["services"]
        self.assertEqual(services["lambda"], {"GetFunction": 1, "ListFunctions": 1})
        self.assertEqual(
            services["apigateway"],
            {
                "CreateRestApi": 1,
                "GetApis": 1,  # apigatewayv2 also signs as apigateway
                "GetResource": 1,
                "GetResources": 1,
                "GetRestApi": 1,
                "GetRestApis": 1,
            },
        )

    def test_json_protocol_operation_comes_from_x_amz_target(self):
        support.client("dynamodb").list_tables()
        self.assertEqual(support.calls()["services"], {"dynamodb": {"ListTables": 1}})

    def test_lambda_works_without_docker(self):
        import io
        import zipfile

        iam = support.client("iam")
        role = iam.create_role(
            RoleName="fn-role",
            AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
        )["Role"]["Arn"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
        lam = support.client("lambda")
        lam.create_function(
            FunctionName="fn",
            Runtime="python3.11",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": buffer.getvalue()},
        )
        result = lam.invoke(FunctionName="fn", Payload=b"{}")
        self.assertEqual(result["StatusCode"], 200)
        self.assertEqual(support.calls()["services"]["lambda"], {"CreateFunction": 1, "Invoke": 1})

    def test_reset_zeroes_counters(self):
        support.client("ec2").describe_instances()
        self.assertEqual(support.calls()["total"], 1)
        support.reset()
        self.assertEqual(support.calls(), {"total": 0, "services": {}})

    def test_delete_zeroes_counters(self):
        support.client("ec2").describe_vpcs()
        status, body = support.http("DELETE", "/_terrane/calls")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"total": 0, "services": {}})
        self.assertEqual(support.calls()["total"], 0)

    def test_control_and_moto_api_requests_are_not_counted(self):
        support.http("GET", "/moto-api/")
        support.http("GET", "/_terrane/faults")
        support.http("GET", "/_terrane/calls")
        self.assertEqual(support.calls()["total"], 0)

    def test_reading_the_body_leaves_it_intact_for_moto(self):
        ec2 = support.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]
        ec2.create_tags(
            Resources=[vpc["VpcId"]],
            Tags=[{"Key": "Name", "Value": "x" * 200}, {"Key": "ünïcode", "Value": "✓"}],
        )
        tags = {
            t["Key"]: t["Value"]
            for t in ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["Tags"]
        }
        self.assertEqual(tags, {"Name": "x" * 200, "ünïcode": "✓"})
        s3 = support.client("s3")
        s3.create_bucket(Bucket="body-check")
        payload = bytes(range(256)) * 1024
        s3.put_object(Bucket="body-check", Key="blob", Body=payload)
        self.assertEqual(s3.get_object(Bucket="body-check", Key="blob")["Body"].read(), payload)
        self.assertEqual(
            support.calls()["services"]["s3"],
            {"CreateBucket": 1, "GetObject": 1, "PutObject": 1},
        )

    def test_faulted_calls_are_counted(self):
        support.add_fault(service="ec2", throttle_rate=1.0)
        ec2 = support.client("ec2")
        for _ in range(2):
            with self.assertRaises(Exception):
                ec2.describe_instances()
        self.assertEqual(support.calls()["services"]["ec2"], {"DescribeInstances": 2})


if __name__ == "__main__":
    unittest.main()
