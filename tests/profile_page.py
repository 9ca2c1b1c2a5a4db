#!/usr/bin/env python3
"""Where a portal page's time goes: pyinstrument over a run of requests served in-process by Frappe's
own WSGI application (the code gunicorn runs), signed in as a portal user.

    env/bin/python apps/customer_portal/tests/profile_page.py --bench . --site SITE --path /portal/orders

Prints the call tree (frames under 2% of the time folded away) and writes an HTML flame view beside it.
`benchmark.py` calls `profile()` on the page it measured slowest.
"""

import argparse
import os
import sys
from pathlib import Path


def profile(bench: str, site: str, path: str, user: str, password: str, requests: int = 60):
	"""A pyinstrument Profiler that recorded `requests` GETs of `path` (stops if one does not answer 200)."""
	from pyinstrument import Profiler
	from werkzeug.test import Client

	cwd = os.getcwd()
	os.chdir(Path(bench) / "sites")
	try:
		from frappe.app import application

		client = Client(application)
		headers = {"Host": site}
		signed_in = client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
		if signed_in.status_code != 200:
			raise SystemExit(f"{user} could not sign in to {site}: {signed_in.status_code}")
		for _ in range(5):  # warm the caches, as a running worker has them
			_get(client, path, headers)
		profiler = Profiler(interval=0.0005)
		profiler.start()
		for _ in range(requests):
			_get(client, path, headers)
		profiler.stop()
	finally:
		os.chdir(cwd)
	return profiler


def _get(client, path: str, headers: dict) -> None:
	response = client.get(path, headers=headers)
	if response.status_code != 200:
		raise SystemExit(f"{path} answered {response.status_code}")


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", required=True)
	parser.add_argument("--site", required=True)
	parser.add_argument("--path", required=True, help="the page, e.g. /portal/orders")
	parser.add_argument("--user", default="alice@acme.example.com")
	parser.add_argument("--password", default=os.environ.get("CP_DEMO_PASSWORD", "portal-demo-2026"))
	parser.add_argument("--requests", type=int, default=60)
	parser.add_argument("--output", help="the HTML report (default: BENCH/test-output/profile.html)")
	args = parser.parse_args()
	bench = str(Path(args.bench).resolve())
	profiler = profile(bench, args.site, args.path, args.user, args.password, args.requests)
	print(profiler.output_text(unicode=True, color=False, show_all=False, timeline=False))
	output = Path(args.output or Path(bench) / "test-output" / "profile.html")
	output.parent.mkdir(parents=True, exist_ok=True)
	output.write_text(profiler.output_html())
	print(f"==> flame view: {output}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
