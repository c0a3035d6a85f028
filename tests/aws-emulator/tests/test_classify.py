"""Unit tests of request classification (no server needed)."""

import io
import unittest

from terrane_emulator import classify
from terrane_emulator.faults import FaultRegistry, RuleError, parse_rule
from terrane_emulator.config import time_scale_from_env


def environ(method="GET", path="/", query="", body=b"", headers=None, content_type=""):
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def signed(service, region="eu-west-1"):
    return {
        "Authorization": "AWS4-HMAC-SHA256 "
        f"Credential=AKIDEXAMPLE/20240101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc"
    }


class ClassifyTest(unittest.TestCase):
    def test_query_action_from_body_keeps_body_for_moto(self):
        body = b"Action=DescribeInstances&Version=2016-11-15&MaxResults=5"
        env = environ(
            "POST", body=body, headers=signed("ec2"),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
        )
        info = classify.classify(env)
        self.assertEqual((info.service, info.operation, info.region), ("ec2", "DescribeInstances", "eu-west-1"))
        self.assertEqual(info.protocol, "ec2")
        self.assertEqual(env["wsgi.input"].read(), body)
        self.assertEqual(env["CONTENT_LENGTH"], str(len(body)))

    def test_query_action_from_query_string(self):
        info = classify.classify(environ(query="Action=GetCallerIdentity&Version=2011-06-15", headers=signed("sts")))
        self.assertEqual((info.service, info.operation, info.protocol), ("sts", "GetCallerIdentity", "query"))

    def test_elb_versions_pick_the_right_model(self):
        for version, model in [("2015-12-01", "elbv2"), ("2012-06-01", "elb")]:
            info = classify.classify(
                environ("POST", body=f"Action=DescribeLoadBalancers&Version={version}".encode(),
                        headers=signed("elasticloadbalancing"),
                        content_type="application/x-www-form-urlencoded")
            )
            self.assertEqual((info.service, info.model_name), ("elasticloadbalancing", model))

    def test_json_target(self):
        headers = dict(signed("dynamodb"), **{"X-Amz-Target": "DynamoDB_20120810.ListTables"})
        info = classify.classify(environ("POST", body=b"{}", headers=headers, content_type="application/x-amz-json-1.0"))
        self.assertEqual((info.operation, info.protocol), ("ListTables", "json"))

    def test_rest_operations(self):
        cases = [
            ("lambda", "GET", "/2015-03-31/functions/", "", "ListFunctions"),
            ("lambda", "GET", "/2015-03-31/functions", "", "ListFunctions"),
            ("lambda", "GET", "/2015-03-31/functions/my-fn", "", "GetFunction"),
            ("lambda", "POST", "/2015-03-31/functions/my-fn/invocations", "", "Invoke"),
            ("lambda", "GET", "/2015-03-31/functions/my-fn/configuration", "", "GetFunctionConfiguration"),
            ("apigateway", "GET", "/restapis", "", "GetRestApis"),
            ("apigateway", "GET", "/restapis/abc123", "", "GetRestApi"),
            ("apigateway", "GET", "/restapis/abc123/resources/r1", "", "GetResource"),
            ("apigateway", "PUT", "/restapis/abc123/resources/r1/methods/GET", "", "PutMethod"),
            ("apigateway", "GET", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc", "", "GetTags"),
            ("apigateway", "GET", "/v2/apis", "", "GetApis"),
            ("s3", "GET", "/", "", "ListBuckets"),
            ("s3", "GET", "/bucket", "list-type=2", "ListObjectsV2"),
            ("s3", "GET", "/bucket", "", "ListObjects"),
            ("s3", "GET", "/bucket", "acl", "GetBucketAcl"),
            ("s3", "GET", "/bucket/dir/key.txt", "", "GetObject"),
            ("s3", "PUT", "/bucket/key", "partNumber=1&uploadId=x", "UploadPart"),
        ]
        for service, method, path, query, expected in cases:
            with self.subTest(path=path, method=method, query=query):
                info = classify.classify(environ(method, path, query, headers=signed(service)))
                self.assertEqual(info.operation, expected)

    def test_header_constraints(self):
        headers = dict(signed("s3"), **{"X-Amz-Copy-Source": "/bucket/a"})
        self.assertEqual(classify.classify(environ("PUT", "/bucket/b", headers=headers)).operation, "CopyObject")
        self.assertEqual(classify.classify(environ("PUT", "/bucket/b", headers=signed("s3"))).operation, "PutObject")

    def test_unsigned_and_unknown(self):
        info = classify.classify(environ("GET", "/whatever"))
        self.assertEqual((info.service, info.operation), ("unknown", "Unknown"))
        info = classify.classify(environ("GET", "/no/such/route", headers=signed("lambda")))
        self.assertEqual((info.service, info.operation), ("lambda", "Unknown"))

    def test_presigned_url_credential(self):
        query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-west-2%2Fs3%2Faws4_request"
        info = classify.classify(environ("GET", "/bucket/key", query))
        self.assertEqual((info.service, info.region, info.operation), ("s3", "us-west-2", "GetObject"))

    def test_chunked_body_is_read_and_restored(self):
        env = environ("POST", body=b"Action=ListRoles&Version=2010-05-08", headers=signed("iam"),
                      content_type="application/x-www-form-urlencoded")
        del env["CONTENT_LENGTH"]
        env["wsgi.input_terminated"] = True
        self.assertEqual(classify.classify(env).operation, "ListRoles")
        self.assertEqual(env["wsgi.input"].read(), b"Action=ListRoles&Version=2010-05-08")


class TimeScaleTest(unittest.TestCase):
    def test_parsing(self):
        self.assertEqual(time_scale_from_env({}), 1.0)
        self.assertEqual(time_scale_from_env({"TERRANE_EMULATOR_TIME_SCALE": "0.01"}), 0.01)
        for bad in ("fast", "-1", "nan", "inf"):
            with self.subTest(value=bad), self.assertRaises(ValueError) as raised:
                time_scale_from_env({"TERRANE_EMULATOR_TIME_SCALE": bad})
            self.assertIn("TERRANE_EMULATOR_TIME_SCALE", str(raised.exception))


class FaultRuleTest(unittest.TestCase):
    def test_operation_scope_and_max_faults(self):
        registry = FaultRegistry()
        registry.add({"service": "ec2", "operation": "RunInstances", "error_rate": 1.0, "max_faults": 2})
        self.assertIsNone(registry.decide("ec2", "DescribeInstances").fault)
        self.assertIsNone(registry.decide("autoscaling", "RunInstances").fault)
        self.assertEqual([registry.decide("ec2", "RunInstances").fault for _ in range(3)], ["error", "error", None])

    def test_latencies_add_up(self):
        registry = FaultRegistry()
        registry.add({"latency_ms": 100})
        registry.add({"service": "ec2", "latency_ms": 50, "throttle_rate": 1.0})
        decision = registry.decide("ec2", "X")
        self.assertAlmostEqual(decision.latency_s, 0.15)
        self.assertEqual(decision.fault, "throttle")

    def test_seeded_rates(self):
        def run():
            registry = FaultRegistry()
            registry.add({"throttle_rate": 0.3, "error_rate": 0.3, "seed": 42})
            return [registry.decide("sts", "GetCallerIdentity").fault for _ in range(200)]

        first = run()
        self.assertEqual(first, run())
        self.assertTrue(40 < first.count("throttle") < 80, first.count("throttle"))
        self.assertTrue(40 < first.count("error") < 80, first.count("error"))

    def test_rejects_nonsense(self):
        with self.assertRaises(RuleError):
            parse_rule({"latency_ms": -1}, 1)
        with self.assertRaises(RuleError):
            parse_rule({"latency_ms": True}, 1)


if __name__ == "__main__":
    unittest.main()
