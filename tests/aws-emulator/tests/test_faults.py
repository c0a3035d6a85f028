"""Fault injection: throttling, internal errors and latency."""

import time
import unittest

from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import (
    RetryContext,
    ThrottledRetryableChecker,
    TransientRetryableChecker,
)

import boto3

from tests import support


def setUpModule():
    support.start_server()


def tearDownModule():
    support.stop_server()


class _HttpResponse:
    def __init__(self, status_code):
        self.status_code = status_code


def retry_context(error: ClientError) -> RetryContext:
    return RetryContext(
        attempt_number=1,
        parsed_response=error.response,
        http_response=_HttpResponse(error.response["ResponseMetadata"]["HTTPStatusCode"]),
    )


def is_throttling(error: ClientError) -> bool:
    return ThrottledRetryableChecker().is_retryable(retry_context(error))


def is_transient(error: ClientError) -> bool:
    return TransientRetryableChecker().is_retryable(retry_context(error))


class FaultTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def assertClientError(self, call, code, status):
        with self.assertRaises(ClientError) as raised:
            call()
        error = raised.exception
        self.assertEqual(error.response["Error"]["Code"], code)
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return error

    def test_ec2_throttling_is_request_limit_exceeded(self):
        support.add_fault(service="ec2", throttle_rate=1.0)
        # The configuration from the brief: botocore's legacy max_attempts counts
        # retries, so this makes one retry, and then raises the throttle.
        ec2 = boto3.client(
            "ec2",
            endpoint_url=support.endpoint(),
            region_name=support.REGION,
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="secret",
            config=Config(retries={"max_attempts": 1}),
        )
        error = self.assertClientError(ec2.describe_instances, "RequestLimitExceeded", 503)
        self.assertEqual(error.response["Error"]["Message"], "Request limit exceeded.")
        self.assertRegex(
            error.response["ResponseMetadata"]["RequestId"],
            r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        )
        self.assertTrue(is_throttling(error))
        self.assertEqual(support.calls()["services"]["ec2"]["DescribeInstances"], 2)

    def test_throttle_scoped_to_one_operation_leaves_others_alone(self):
        support.add_fault(service="ec2", operation="RunInstances", throttle_rate=1.0)
        ec2 = support.client("ec2")
        ec2.describe_instances()
        ec2.describe_vpcs()
        self.assertClientError(
            lambda: ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1),
            "RequestLimitExceeded",
            503,
        )
        support.client("autoscaling").describe_auto_scaling_groups()
        self.assertEqual(len(ec2.describe_instances()["Reservations"]), 0)

    def test_rule_without_service_applies_to_every_service(self):
        support.add_fault(throttle_rate=1.0)
        self.assertClientError(support.client("ec2").describe_vpcs, "RequestLimitExceeded", 503)
        self.assertClientError(support.client("sts").get_caller_identity, "Throttling", 400)

    def test_query_services_throttle_with_throttling(self):
        support.add_fault(throttle_rate=1.0)
        for service, call in [
            ("elbv2", lambda c: c.describe_load_balancers()),
            ("elb", lambda c: c.describe_load_balancers()),
            ("autoscaling", lambda c: c.describe_auto_scaling_groups()),
            ("iam", lambda c: c.list_roles()),
            ("sts", lambda c: c.get_caller_identity()),
        ]:
            with self.subTest(service=service):
                client = support.client(service)
                error = self.assertClientError(lambda: call(client), "Throttling", 400)
                self.assertEqual(error.response["Error"]["Message"], "Rate exceeded")
                self.assertEqual(error.response["Error"]["Type"], "Sender")
                self.assertTrue(is_throttling(error))

    def test_rest_json_services_throttle_with_too_many_requests(self):
        support.add_fault(service="lambda", throttle_rate=1.0)
        support.add_fault(service="apigateway", throttle_rate=1.0)
        lam = support.client("lambda")
        with self.assertRaises(lam.exceptions.TooManyRequestsException) as raised:
            lam.list_functions()
        error = raised.exception
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.assertEqual(error.response["Type"], "User")
        self.assertEqual(error.response["Error"]["Message"], "Rate exceeded")
        self.assertTrue(is_throttling(error))
        apigw = support.client("apigateway")
        with self.assertRaises(apigw.exceptions.TooManyRequestsException) as raised:
            apigw.get_rest_apis()
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.assertTrue(is_throttling(raised.exception))

    def test_json_and_s3_throttling(self):
        support.add_fault(service="dynamodb", throttle_rate=1.0)
        support.add_fault(service="s3", throttle_rate=1.0)
        error = self.assertClientError(
            support.client("dynamodb").list_tables, "ThrottlingException", 400
        )
        self.assertTrue(is_throttling(error))
        error = self.assertClientError(support.client("s3").list_buckets, "SlowDown", 503)
        self.assertTrue(is_throttling(error))

    def test_internal_errors_are_transient(self):
        support.add_fault(error_rate=1.0)
        cases = [
            ("ec2", lambda c: c.describe_instances(), "InternalError"),
            ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "InternalFailure"),
            ("elbv2", lambda c: c.describe_target_groups(), "InternalFailure"),
            ("iam", lambda c: c.list_users(), "InternalFailure"),
            ("lambda", lambda c: c.list_functions(), "ServiceException"),
            ("apigateway", lambda c: c.get_rest_apis(), "InternalFailure"),
            ("dynamodb", lambda c: c.list_tables(), "InternalFailure"),
            ("s3", lambda c: c.list_buckets(), "InternalError"),
        ]
        for service, call, code in cases:
            with self.subTest(service=service):
                client = support.client(service)
                error = self.assertClientError(lambda: call(client), code, 500)
                self.assertTrue(is_transient(error))
                self.assertFalse(is_throttling(error))

    def test_sdk_retries_past_a_limited_fault(self):
        rule = support.add_fault(
            service="ec2", operation="DescribeVpcs", error_rate=1.0, max_faults=1
        )
        ec2 = support.client("ec2", attempts=3, mode="standard")
        ec2.describe_vpcs()  # first attempt gets a 500, the retry succeeds
        self.assertEqual(support.calls()["services"]["ec2"], {"DescribeVpcs": 2})
        status, body = support.http("GET", "/_terrane/faults")
        self.assertEqual(body["rules"][0]["id"], rule["id"])
        self.assertEqual(body["rules"][0]["injected"], 1)
        self.assertEqual(body["rules"][0]["matched"], 2)

    def test_latency_is_added_before_handling(self):
        ec2 = support.client("ec2")
        ec2.describe_vpcs()  # warm up the backend
        started = time.monotonic()
        ec2.describe_vpcs()
        baseline = time.monotonic() - started
        support.add_fault(service="ec2", operation="DescribeVpcs", latency_ms=400)
        started = time.monotonic()
        ec2.describe_vpcs()
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 0.4)
        self.assertLess(elapsed, 0.4 + baseline + 1.0)
        started = time.monotonic()
        ec2.describe_subnets()  # another operation is not delayed
        self.assertLess(time.monotonic() - started, 0.4)

    def test_seeded_rules_are_deterministic(self):
        def outcomes():
            support.reset()
            support.add_fault(service="sts", throttle_rate=0.5, seed=7)
            sts = support.client("sts")
            result = []
            for _ in range(12):
                try:
                    sts.get_caller_identity()
                    result.append("ok")
                except ClientError as error:
                    result.append(error.response["Error"]["Code"])
            return result

        first = outcomes()
        self.assertEqual(first, outcomes())
        self.assertIn("ok", first)
        self.assertIn("Throttling", first)

    def test_clearing_rules(self):
        support.add_fault(service="ec2", throttle_rate=1.0)
        support.add_fault(service="sts", latency_ms=10)
        ec2 = support.client("ec2")
        self.assertClientError(ec2.describe_instances, "RequestLimitExceeded", 503)
        status, body = support.http("GET", "/_terrane/faults")
        self.assertEqual(status, 200)
        self.assertEqual([r["service"] for r in body["rules"]], ["ec2", "sts"])
        status, body = support.http("DELETE", "/_terrane/faults")
        self.assertEqual((status, body), (200, {"cleared": 2}))
        ec2.describe_instances()
        self.assertEqual(support.http("GET", "/_terrane/faults")[1], {"rules": []})

    def test_delete_one_rule(self):
        keep = support.add_fault(service="sts", throttle_rate=1.0)
        drop = support.add_fault(service="ec2", throttle_rate=1.0)
        status, body = support.http("DELETE", f"/_terrane/faults/{drop['id']}")
        self.assertEqual((status, body), (200, {"removed": drop["id"]}))
        support.client("ec2").describe_instances()
        self.assertClientError(support.client("sts").get_caller_identity, "Throttling", 400)
        status, body = support.http("DELETE", f"/_terrane/faults/{drop['id']}")
        self.assertEqual(status, 404)
        self.assertIn(str(drop["id"]), body["error"])
        self.assertEqual([r["id"] for r in support.http("GET", "/_terrane/faults")[1]["rules"]], [keep["id"]])

    def test_moto_reset_clears_rules(self):
        support.add_fault(service="ec2", throttle_rate=1.0)
        support.reset()
        support.client("ec2").describe_instances()

    def test_service_aliases(self):
        rule = support.add_fault(service="elbv2", throttle_rate=1.0)
        self.assertEqual(rule["service"], "elasticloadbalancing")
        self.assertClientError(support.client("elbv2").describe_load_balancers, "Throttling", 400)


class FaultValidationTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def assertRejected(self, payload=None, raw=None, fragment=""):
        status, body = support.http("POST", "/_terrane/faults", payload, raw=raw)
        self.assertEqual(status, 400, body)
        self.assertIn("error", body)
        self.assertIn(fragment, body["error"])
        self.assertEqual(support.http("GET", "/_terrane/faults")[1], {"rules": []})

    def test_bad_json(self):
        self.assertRejected(raw=b"{not json", fragment="invalid JSON")

    def test_empty_body(self):
        self.assertRejected(raw=b"", fragment="JSON object body is required")

    def test_not_an_object(self):
        self.assertRejected(payload=[1, 2], fragment="JSON object")

    def test_unknown_field(self):
        self.assertRejected(payload={"service": "ec2", "throttle": 1}, fragment="'throttle'")

    def test_rate_out_of_range(self):
        self.assertRejected(payload={"throttle_rate": 1.5}, fragment="between 0 and 1")

    def test_rates_add_up_to_more_than_one(self):
        self.assertRejected(
            payload={"throttle_rate": 0.6, "error_rate": 0.6}, fragment="must not exceed 1.0"
        )

    def test_wrong_types(self):
        self.assertRejected(payload={"latency_ms": "100"}, fragment="'latency_ms' must be a number")
        self.assertRejected(payload={"service": 3, "latency_ms": 1}, fragment="'service'")
        self.assertRejected(payload={"seed": 1.5, "latency_ms": 1}, fragment="'seed'")
        self.assertRejected(payload={"max_faults": 0, "error_rate": 1}, fragment="'max_faults'")

    def test_rule_without_effect(self):
        self.assertRejected(payload={"service": "ec2"}, fragment="no effect")


if __name__ == "__main__":
    unittest.main()
