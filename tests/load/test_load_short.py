"""The short load run of `./dev test`: 2 minutes of the mixed workload at 8 users, with one Redis restart
and one RQ worker killed mid-job (tests/load/soak.py; `./dev load` runs the 30-minute soak with every
fault). It runs on a copy of the test site's database, in MariaDB and Redis servers of its own."""

import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

SOAK = Path(__file__).with_name("soak.py")


class ShortLoadRun(unittest.TestCase):
	def test_two_minutes_with_a_redis_restart_and_a_worker_kill(self):
		if not os.environ.get("CP_E2E_SITE"):
			raise unittest.SkipTest("run through tests/run.py, which names the live test site")
		bench = Path(os.environ["CP_E2E_SITES_PATH"]).parent
		output = Path(os.environ["CP_E2E_OUTPUT"]) / "load"
		run = subprocess.run(
			[
				sys.executable,
				str(SOAK),
				*("--bench", str(bench), "--site", os.environ["CP_E2E_SITE"]),
				*("--minutes", "2", "--users", "8", "--faults", "redis,worker", "--web-workers", "3"),
				*("--output", str(output)),
			],
			timeout=20 * 60,
		)
		report = json.loads((output / "load-report.json").read_text())
		self.assertEqual(run.returncode, 0, "; ".join(report["reasons"]))
		self.assertEqual(
			[(fault["fault"], fault["injected"], fault["recovered"]) for fault in report["faults"]],
			[("restart Redis", True, True), ("SIGKILL an RQ worker", True, True)],
		)
		# no failed answer during a fault said nothing: gunicorn's bare 500 or a dropped connection
		self.assertEqual(
			{fault["fault"]: fault["bare"] for fault in report["faults"]},
			dict.fromkeys(("restart Redis", "SIGKILL an RQ worker"), 0),
		)
		# the workload really wrote: each kind of write was acknowledged and found afterwards
		for kind in ("ticket", "settings", "stage"):
			self.assertGreater(report["acknowledged"].get(kind, 0), 0, kind)
		self.assertGreater(report["checks"]["notifications"]["counted"]["emails"], 0)
		self.assertEqual(report["unexpected_error_count"], 0)
		self.assertEqual(report["stack_traces"], 0)
