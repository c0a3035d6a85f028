"""The command-line entry point, as scripts/aws-emulator runs it.

The processes are started together in setUpClass: each spends a few seconds
importing moto, and they can do that in parallel.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import unittest
import urllib.request
from pathlib import Path

EMULATOR_DIR = Path(__file__).resolve().parent.parent


def spawn(*args, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(EMULATOR_DIR))
    env.update(env_extra or {})
    return subprocess.Popen(
        [sys.executable, "-m", "terrane_emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def finish(process, timeout=30):
    try:
        return process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


class EntryPointTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.taken = socket.socket()
        cls.taken.bind(("127.0.0.1", 0))
        cls.taken.listen(1)
        cls.taken_port = cls.taken.getsockname()[1]
        cls.for_sigterm = spawn("--port", "0", env_extra={"TERRANE_EMULATOR_TIME_SCALE": "0.25"})
        cls.for_sigint = spawn()
        cls.port_in_use = spawn("--port", str(cls.taken_port))

    @classmethod
    def tearDownClass(cls):
        for process in (cls.for_sigterm, cls.for_sigint, cls.port_in_use):
            if process.poll() is None:
                process.kill()
            process.communicate()
        cls.taken.close()

    def test_prints_one_line_serves_and_stops_on_sigterm(self):
        process = self.for_sigterm
        line = process.stdout.readline()
        self.assertRegex(line, r"^AWS_ENDPOINT_URL=http://127\.0\.0\.1:\d+\n$")
        url = line.strip().split("=", 1)[1]
        with urllib.request.urlopen(url + "/_terrane/calls", timeout=10) as response:
            self.assertEqual(json.load(response), {"total": 0, "services": {}})
        with urllib.request.urlopen(url + "/_terrane/", timeout=10) as response:
            self.assertEqual(json.load(response)["time_scale"], 0.25)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = finish(process)
        self.assertEqual(process.returncode, 0, stderr)
        self.assertEqual(stdout, "", "nothing but the one line on stdout")
        self.assertIn("shutting down", stderr)

    def test_sigint_also_stops_cleanly(self):
        process = self.for_sigint
        self.assertTrue(process.stdout.readline().startswith("AWS_ENDPOINT_URL="))
        process.send_signal(signal.SIGINT)
        _, stderr = finish(process)
        self.assertEqual(process.returncode, 0, stderr)

    def test_port_in_use_is_an_error(self):
        stdout, stderr = finish(self.port_in_use)
        self.assertEqual(self.port_in_use.returncode, 2)
        self.assertEqual(stdout, "")
        self.assertIn(f"cannot listen on 127.0.0.1:{self.taken_port}", stderr)
        self.assertIn("in use", stderr)

    def test_bad_time_scale_is_an_error(self):
        process = spawn(env_extra={"TERRANE_EMULATOR_TIME_SCALE": "soon"})
        stdout, stderr = finish(process)
        self.assertEqual(process.returncode, 2)
        self.assertEqual(stdout, "")
        self.assertIn("TERRANE_EMULATOR_TIME_SCALE must be a number", stderr)


if __name__ == "__main__":
    unittest.main()
