#!/usr/bin/env python3
"""Runs the end-to-end suites in tests/ against a live server of a freshly created test site.

Called by `./dev test` with the bench's Python (as the bench user):
    env/bin/python apps/customer_portal/tests/run.py --bench BENCH --site SITE

It fills the site with the demo data set (the same command `./dev run` uses), starts an SMTP server
(aiosmtpd) and two RQ workers, starts the site on a free loopback port with `bench serve` (and, with
--idp-site, a plain Frappe site on another port as the OpenID Connect provider of the single sign-on
suite), waits for Frappe's /api/method/ping, runs every tests/**/test_*.py, stops everything and exits
non-zero on any failure.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.request
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import services  # noqa: E402  (tests/services.py, shared with the suites)


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def bench(bench_dir: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
	return subprocess.run(["bench", *args], cwd=bench_dir, check=True, **kwargs)


def wait_for(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if server.poll() is not None:
			raise SystemExit(f"the test server exited with code {server.returncode} before answering")
		try:
			with urllib.request.urlopen(url, timeout=5) as response:
				if response.status == 200:
					return
		except OSError:
			time.sleep(0.5)
	raise SystemExit(f"the test server did not answer {url} within {timeout:.0f}s")


def set_config(bench_dir: str, site: str, key: str, value: str, parse: bool = False) -> None:
	"""`bench set-config` on one site (`parse`: the value is JSON)."""
	bench(
		bench_dir,
		"--site",
		site,
		"set-config",
		*(["--parse"] if parse else []),
		key,
		value,
		stdout=subprocess.DEVNULL,
	)


def serve(bench_dir: str, site: str, port: int, servers: list) -> None:
	"""`bench serve` for one site on a loopback port (log in logs/e2e-server[-SITE].log), once it answers."""
	name = "e2e-server.log" if not servers else f"e2e-server-{site}.log"
	log = open(Path(bench_dir) / "logs" / name, "w")
	server = subprocess.Popen(
		["bench", "--site", site, "serve", "--port", str(port), "--noreload"],
		cwd=bench_dir,
		stdout=log,
		stderr=subprocess.STDOUT,
	)
	servers.append((server, log))
	wait_for(f"http://127.0.0.1:{port}/api/method/ping", server)


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", required=True, help="bench directory")
	parser.add_argument("--site", required=True, help="a fresh site with customer_portal installed")
	parser.add_argument("--admin-password", default=os.environ.get("CP_ADMIN_PASSWORD", "admin"))
	parser.add_argument(
		"--idp-site", help="a plain Frappe site served as the OpenID Connect provider (single sign-on)"
	)
	parser.add_argument("--pattern", default="test_*.py", help="test file pattern")
	parser.add_argument(
		"--suite", action="append", help="run only this folder of tests/ (repeatable; default: all of them)"
	)
	parser.add_argument("--output", help="folder for screenshots (default: BENCH/test-output/SITE)")
	args = parser.parse_args()

	output = Path(args.output or Path(args.bench) / "test-output" / args.site)
	shutil.rmtree(output, ignore_errors=True)
	output.mkdir(parents=True)
	port = free_port()
	base_url = f"http://127.0.0.1:{port}"
	print(f"==> Filling {args.site} with demo data", flush=True)
	bench(args.bench, "--site", args.site, "customer-portal-demo")
	# print formats and PDFs load the site's assets from its host name
	set_config(args.bench, args.site, "host_name", base_url)
	# the suites upload more often than a person could; test_http_uploads checks the limit itself
	set_config(args.bench, args.site, "customer_portal_upload_rate_limit", "10000")

	# the suites make more accounts in an hour than Frappe lets a site make (60) unless told otherwise
	set_config(args.bench, args.site, "throttle_user_limit", "100000", parse=True)

	# the suites play a reverse proxy on loopback: X-Forwarded-For from 127.0.0.1 names the client, so a
	# test can come from several addresses (test_http_sign_in_throttle checks that nobody else can)
	set_config(args.bench, args.site, "customer_portal_trusted_proxies", '["127.0.0.1"]', parse=True)

	services.current = services.Services(
		args.bench, str(Path(args.bench).resolve() / "test-tools"), Path(args.bench).resolve() / "logs"
	)
	services.current.start_mail()
	services.current.start_workers(2)
	servers = []
	try:
		serve(args.bench, args.site, port, servers)
		print(f"==> Test server for {args.site} at {base_url}", flush=True)
		if args.idp_site:
			# the provider site is kept between runs and the suites add users to it each time: Frappe
			# refuses more than 60 new users an hour unless told otherwise
			set_config(args.bench, args.idp_site, "throttle_user_limit", "100000", parse=True)
			idp_port = free_port()
			serve(args.bench, args.idp_site, idp_port, servers)
			print(f"==> Identity provider {args.idp_site} at http://127.0.0.1:{idp_port}", flush=True)
			os.environ.update(CP_E2E_IDP_SITE=args.idp_site, CP_E2E_IDP_URL=f"http://127.0.0.1:{idp_port}")
		os.environ.update(
			CP_E2E_URL=base_url,
			CP_E2E_SITE=args.site,
			CP_E2E_SITES_PATH=str(Path(args.bench).resolve() / "sites"),
			CP_E2E_ADMIN_PASSWORD=args.admin_password,
			CP_E2E_DEMO_PASSWORD=os.environ.get("CP_DEMO_PASSWORD", "portal-demo-2026"),
			CP_E2E_OUTPUT=str(output),
			CP_E2E_TOOLS=str(Path(args.bench).resolve() / "test-tools"),
			CP_E2E_SMTP_PORT=str(services.current.mail_port),
			CP_E2E_MAIL_DIR=str(services.current.mail_dir),
		)
		suite = unittest.TestSuite(
			unittest.defaultTestLoader.discover(
				str(TESTS / folder), pattern=args.pattern, top_level_dir=str(TESTS)
			)
			for folder in (args.suite or ["."])
		)
		result = unittest.TextTestRunner(verbosity=2).run(suite)
	finally:
		services.current.stop()
		for server, log in servers:
			server.terminate()
			try:
				server.wait(timeout=15)
			except subprocess.TimeoutExpired:
				server.kill()
			log.close()
	print(f"screenshots: {output}", flush=True)
	if not result.wasSuccessful():
		print(f"server log: {Path(args.bench) / 'logs' / 'e2e-server.log'}", flush=True)
	return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
	sys.exit(main())
