"""The /_terrane control API's own behaviour and error reporting."""

import unittest

from tests import support


def setUpModule():
    support.start_server()


def tearDownModule():
    support.stop_server()


class ControlApiTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def test_index_lists_endpoints(self):
        status, body = support.http("GET", "/_terrane/")
        self.assertEqual(status, 200)
        self.assertIn("POST /_terrane/faults", body["endpoints"])
        self.assertEqual(body["time_scale"], support.TEST_TIME_SCALE)

    def test_unknown_endpoint_is_404(self):
        status, body = support.http("GET", "/_terrane/nope")
        self.assertEqual(status, 404)
        self.assertIn("/_terrane/nope", body["error"])
        self.assertIn("GET /_terrane/calls", body["endpoints"])

    def test_wrong_method_is_405(self):
        status, body = support.http("POST", "/_terrane/calls", {"x": 1})
        self.assertEqual(status, 405)
        self.assertEqual(body["allowed"], ["GET", "DELETE"])
        status, body = support.http("PUT", "/_terrane/faults", {"latency_ms": 1})
        self.assertEqual(status, 405)

    def test_bad_fault_rule_id(self):
        status, body = support.http("DELETE", "/_terrane/faults/abc")
        self.assertEqual(status, 400)
        self.assertIn("integer", body["error"])

    def test_instance_refresh_script_validation(self):
        for payload, fragment in [
            ({"outcome": "explode"}, "'outcome'"),
            ({}, "'outcome'"),
            ({"outcome": "fail", "after_percent": 120}, "'after_percent'"),
            ({"outcome": "fail", "after_percent": "50"}, "'after_percent'"),
            ({"outcome": "fail", "count": 0}, "'count'"),
            ({"outcome": "fail", "status_reason": ""}, "'status_reason'"),
            ({"outcome": "fail", "reason": "x"}, "'reason'"),
            ([], "JSON object"),
        ]:
            with self.subTest(payload=payload):
                status, body = support.http("POST", "/_terrane/instance-refresh", payload)
                self.assertEqual(status, 400, body)
                self.assertIn(fragment, body["error"])
        status, body = support.http("POST", "/_terrane/instance-refresh", raw=b"{")
        self.assertEqual(status, 400)
        self.assertIn("invalid JSON", body["error"])
        self.assertEqual(support.http("GET", "/_terrane/instance-refresh")[1]["scripts"], [])

    def test_instance_refresh_scripts_are_listed(self):
        status, body = support.http(
            "POST",
            "/_terrane/instance-refresh",
            {"outcome": "fail", "status_reason": "boom", "after_percent": 25, "count": 2},
        )
        self.assertEqual(status, 201)
        expected = {"outcome": "fail", "status_reason": "boom", "after_percent": 25, "count": 2}
        self.assertEqual(body["script"], expected)
        self.assertEqual(support.http("GET", "/_terrane/instance-refresh")[1]["scripts"], [expected])

    def test_operations_moto_lacks_answer_a_clear_501(self):
        from botocore.exceptions import ClientError

        asg = support.client("autoscaling")
        with self.assertRaises(ClientError) as raised:
            asg.describe_traffic_sources(AutoScalingGroupName="web")
        error = raised.exception.response
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 501)
        self.assertEqual(error["Error"]["Code"], "NotImplemented")
        self.assertIn("does not implement autoscaling DescribeTrafficSources", error["Error"]["Message"])
        self.assertEqual(support.calls()["services"], {"autoscaling": {"DescribeTrafficSources": 1}})
        self.assertIn("does not implement autoscaling DescribeTrafficSources", support.log_lines[-1])

    def test_moto_api_still_works(self):
        status, _ = support.http("GET", "/moto-api/")
        self.assertEqual(status, 200)
        status, body = support.http("GET", "/moto-api/data.json")
        self.assertEqual(status, 200)
        self.assertIsInstance(body, dict)


if __name__ == "__main__":
    unittest.main()
