#!/usr/bin/env python3
"""Portal page latency and throughput at scale, as ratios against Frappe's own endpoints in the same run.

Run with `./dev benchmark` (it calls this with the bench's Python, as the bench user):
    env/bin/python apps/customer_portal/tests/benchmark.py --bench BENCH --site SITE

1. Fills SITE (created fresh by ./dev) with 1,000 customers, 10,000 orders, 200,000 invoices and 50,000
   documents, serves it with gunicorn (fixed worker count) and measures /portal/orders for the customer
   with the most orders.
2. Adds 90,000 orders (100,000 in all) and measures every portal page, Frappe's /api/method/ping and
   Frappe's REST list of the same 25 orders as the same user, at concurrency 1 and 8, with wrk.
3. Prints median and p95 latency, requests/s, the ratios page/ping and page/REST, and the growth ratio of
   /portal/orders between 10,000 and 100,000 orders. Figures are ratios measured in one run on one
   machine, never absolute targets.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import benchmark_notifications  # tests/benchmark_notifications.py
import requests

WORKERS = 4
DURATION = {1: 8, 8: 8}  # seconds per measurement and concurrency
WRK_SCRIPT = """
done = function(summary, latency, requests)
	io.write(string.format('{"p50": %d, "p95": %d, "requests": %d, "errors": %d, "seconds": %f}\\n',
		latency:percentile(50), latency:percentile(95), summary.requests,
		summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
		+ summary.errors.timeout, summary.duration / 1e6))
end
"""
TARGETS = {"list": 4.0, "detail": 3.0, "rest": 1.5, "growth": 1.2}


def say(message: str) -> None:
	print(f"==> {message}", flush=True)


def bench(bench_dir: str, *args: str) -> None:
	subprocess.run(["bench", *args], cwd=bench_dir, check=True)


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class Server:
	"""gunicorn with a fixed worker count, as Frappe runs in production."""

	def __init__(self, bench_dir: str, site: str):
		self.bench_dir, self.site, self.port = str(Path(bench_dir).resolve()), site, free_port()
		self.url = f"http://127.0.0.1:{self.port}"

	def __enter__(self):
		log = open(Path(self.bench_dir) / "logs" / "benchmark-gunicorn.log", "w")
		self.process = subprocess.Popen(
			[
				str(Path(self.bench_dir) / "env" / "bin" / "gunicorn"),
				"--bind",
				f"127.0.0.1:{self.port}",
				"--workers",
				str(WORKERS),
				"--timeout",
				"120",
				"--preload",
				"frappe.app:application",
			],
			cwd=Path(self.bench_dir) / "sites",
			stdout=log,
			stderr=subprocess.STDOUT,
		)
		deadline = time.monotonic() + 60
		while time.monotonic() < deadline:
			try:
				if requests.get(f"{self.url}/api/method/ping", headers={"Host": self.site}, timeout=5).ok:
					return self
			except requests.ConnectionError:
				time.sleep(0.5)
		raise SystemExit("gunicorn did not start; see logs/benchmark-gunicorn.log")

	def __exit__(self, *exc):
		self.process.terminate()
		self.process.wait(timeout=20)


def login(server: Server, user: str, password: str) -> str:
	response = requests.post(
		f"{server.url}/api/method/login",
		data={"usr": user, "pwd": password},
		headers={"Host": server.site},
		timeout=30,
	)
	response.raise_for_status()
	return response.cookies["sid"]


def measure(server: Server, sid: str, path: str, concurrency: int) -> dict:
	"""wrk against one path: median and p95 latency (ms) and requests/s."""
	with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
		script.write(WRK_SCRIPT)
	# warm up caches and every worker before measuring
	for _ in range(WORKERS * 2):
		requests.get(server.url + path, headers={"Host": server.site, "Cookie": f"sid={sid}"}, timeout=60)
	output = subprocess.run(
		[
			"wrk",
			f"-t{min(concurrency, 2)}",
			f"-c{concurrency}",
			f"-d{DURATION[concurrency]}s",
			"--timeout",
			"30s",
			"-s",
			script.name,
			"-H",
			f"Host: {server.site}",
			"-H",
			f"Cookie: sid={sid}",
			server.url + path,
		],
		check=True,
		capture_output=True,
		text=True,
	).stdout
	os.unlink(script.name)
	result = json.loads(output.strip().splitlines()[-1])
	if result["errors"]:
		raise SystemExit(f"{path}: {result['errors']} failed requests under load")
	return {
		"median_ms": result["p50"] / 1000,
		"p95_ms": result["p95"] / 1000,
		"rps": result["requests"] / result["seconds"],
	}


def measure_python(server: Server, session: requests.Session, step, count: int = 200) -> dict:
	"""Median and p95 latency (ms) of `step(session)` run `count` times from one Python client."""
	for _ in range(10):
		step(session)
	timings = []
	for _ in range(count):
		started = time.perf_counter()
		step(session)
		timings.append((time.perf_counter() - started) * 1000)
	timings.sort()
	return {
		"median_ms": timings[len(timings) // 2],
		"p95_ms": timings[int(len(timings) * 0.95)],
		"rps": 1000 / (sum(timings) / len(timings)),
	}


def measure_handoff(server: Server, sid: str, document: str) -> dict:
	"""The download hand-off (ask for a link, follow it) against ping, from the same Python client."""
	session = requests.Session()
	session.headers["Host"] = server.site
	session.cookies.set("sid", sid)
	page = session.get(f"{server.url}/me", timeout=30).text
	session.headers["X-Frappe-CSRF-Token"] = page.split('csrf_token = "', 1)[1].split('"', 1)[0]

	def ping(s):
		s.get(f"{server.url}/api/method/ping", timeout=30).raise_for_status()

	def handoff(s):
		link = s.post(
			f"{server.url}/api/method/customer_portal.api.documents.request_download",
			data={"name": document},
			headers={"Accept": "application/json"},
			timeout=30,
		)
		link.raise_for_status()
		s.get(server.url + link.json()["message"]["url"], timeout=30).raise_for_status()

	return {
		"ping": measure_python(server, session, ping),
		"handoff": measure_python(server, session, handoff),
	}


def measure_streaming(
	server: Server, customer_sid: str, staff_sid: str, paths: dict, rounds: int = 15
) -> dict:
	"""Throughput (MB/s) of a 10 MB document: Frappe's own /private/files download for staff, against
	the portal's link + stream for the customer, alternating so both see the same machine state."""
	customer, staff = requests.Session(), requests.Session()
	for session, sid in ((customer, customer_sid), (staff, staff_sid)):
		session.headers["Host"] = server.site
		session.cookies.set("sid", sid)
	page = customer.get(f"{server.url}/me", timeout=30).text
	customer.headers["X-Frappe-CSRF-Token"] = page.split('csrf_token = "', 1)[1].split('"', 1)[0]

	def drain(session, url) -> int:
		with session.get(url, stream=True, timeout=60) as response:
			response.raise_for_status()
			return sum(len(chunk) for chunk in response.iter_content(1024 * 1024))

	def frappe_download() -> int:
		return drain(staff, server.url + paths["big_file"])

	def portal_download() -> int:
		link = customer.post(
			f"{server.url}/api/method/customer_portal.api.documents.request_download",
			data={"name": paths["big_document"]},
			headers={"Accept": "application/json"},
			timeout=30,
		)
		link.raise_for_status()
		return drain(customer, server.url + link.json()["message"]["url"])

	timings = {"frappe": [], "portal": []}
	for index in range(rounds + 2):
		for name, step in (("frappe", frappe_download), ("portal", portal_download)):
			started = time.perf_counter()
			size = step()
			if index >= 2:  # two warm-up rounds
				timings[name].append((time.perf_counter() - started, size))
	result = {}
	for name, rows in timings.items():
		seconds = sorted(elapsed for elapsed, _size in rows)
		size = rows[0][1]
		result[name] = {"mb_per_s": size / (1024 * 1024) / seconds[len(seconds) // 2], "bytes": size}
	return result


def sample_paths(bench_dir: str, site: str, customer: str) -> dict:
	"""Paths of one customer's real records, and a cursor deep into its order list."""
	import frappe

	from customer_portal.portal.listing import encode_cursor

	cwd = os.getcwd()
	os.chdir(Path(bench_dir) / "sites")
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		order_count = frappe.db.count("Order", {"customer": customer})
		deep = frappe.get_all(
			"Order",
			filters={"customer": customer},
			fields=["name", "modified"],
			order_by="modified desc, name desc",
			limit_start=order_count * 3 // 4,
			limit_page_length=1,
		)[0]
		order = frappe.get_all("Order", filters={"customer": customer}, pluck="name", limit=1)[0]
		invoice = frappe.get_all(
			"Invoice", filters={"customer": customer, "docstatus": 1}, pluck="name", limit=1
		)[0]
		document = frappe.get_all("Document", filters={"customer": customer}, pluck="name", limit=1)[0]
		frappe.db.set_single_value("Customer Portal Settings", "page_size", 25)
		big_file, big_document = ten_megabyte_document(frappe, customer)
		frappe.db.commit()
	finally:
		frappe.destroy()
		os.chdir(cwd)
	rest_filters = json.dumps([["customer", "=", customer]])
	rest_fields = json.dumps(
		["name", "title", "stage", "order_date", "expected_date", "actual_date", "total"]
	)
	return {
		"order_count": order_count,
		"document": document,
		"big_file": big_file,
		"big_document": big_document,
		"list": {
			"/portal": "/portal",
			"/portal/orders": "/portal/orders",
			f"/portal/orders (row {order_count * 3 // 4:,})": "/portal/orders?"
			+ urllib.parse.urlencode({"after": encode_cursor(deep.modified, deep.name)}),
			"/portal/invoices": "/portal/invoices",
			"/portal/documents": "/portal/documents",
		},
		"detail": {
			"/portal/orders/<name>": f"/portal/orders/{order}",
			"/portal/invoices/<name>": f"/portal/invoices/{invoice}",
		},
		"rest": "/api/resource/Order?"
		+ urllib.parse.urlencode(
			{
				"filters": rest_filters,
				"fields": rest_fields,
				"limit_page_length": 25,
				"order_by": "modified desc",
			}
		),
	}


def ten_megabyte_document(frappe, customer: str) -> tuple[str, str]:
	"""A 10 MB private file in local storage, as a document of `customer` (made once per site)."""
	title = "Benchmark 10 MB"
	existing = frappe.db.get_value("Document", {"customer": customer, "title": title}, ["file", "name"])
	if existing:
		return existing
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "benchmark-10mb.pdf",
			"is_private": 1,
			"content": b"%PDF-1.4\n" + os.urandom(10 * 1024 * 1024 - 9),
		}
	).insert()
	document = frappe.get_doc(
		{
			"doctype": "Document",
			"customer": customer,
			"document_type": "Report",
			"title": title,
			"file": file.file_url,
		}
	).insert()
	return file.file_url, document.name


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", required=True)
	parser.add_argument("--site", required=True, help="a fresh site with customer_portal installed")
	parser.add_argument("--user", default="alice@acme.example.com", help="the customer user to measure as")
	parser.add_argument("--customer", default="Acme Logistics", help="that user's customer")
	parser.add_argument("--password", default=os.environ.get("CP_DEMO_PASSWORD", "portal-demo-2026"))
	parser.add_argument("--output", help="where to write benchmark.json (default: BENCH/test-output)")
	parser.add_argument(
		"--measure-only",
		action="store_true",
		help="measure the site's current data: no data generation, no growth ratio",
	)
	args = parser.parse_args()
	if not shutil.which("wrk"):
		raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

	if args.measure_only:
		return measure_pages(args, sample_paths(args.bench, args.site, args.customer), None, None)

	say("Demo data: 1,000 customers, 10,000 orders, 200,000 invoices, 50,000 documents")
	demo(args, orders=10_000, invoices=200_000, documents=50_000)
	paths = sample_paths(args.bench, args.site, args.customer)
	with Server(args.bench, args.site) as server:
		sid = login(server, args.user, args.password)
		small = measure(server, sid, "/portal/orders", 1)
	say(
		f"/portal/orders median at {paths['order_count']:,} orders of {args.customer}: {small['median_ms']:.1f} ms"
	)

	say("Adding 90,000 orders (100,000 in all)")
	demo(args, orders=90_000, invoices=0, documents=0, seed=7)
	return measure_pages(args, sample_paths(args.bench, args.site, args.customer), small, True)


def demo(args, orders: int, invoices: int, documents: int, seed: int = 42) -> None:
	"""Add demo data for the same 1,000 customers (the command skips customers that exist)."""
	bench(
		args.bench,
		"--site",
		args.site,
		"customer-portal-demo",
		"--customers",
		"1000",
		"--orders",
		str(orders),
		"--invoices",
		str(invoices),
		"--documents",
		str(documents),
		"--seed",
		str(seed),
	)


def measure_pages(args, paths: dict, small: dict | None, with_growth: bool | None) -> int:
	# the download endpoints allow 60 requests a minute per IP; the hand-off measurement needs more
	bench(args.bench, "--site", args.site, "set-config", "customer_portal_download_rate_limit", "100000")
	results = {}
	with Server(args.bench, args.site) as server:
		sid = login(server, args.user, args.password)
		large = measure(server, sid, "/portal/orders", 1)
		for concurrency in (1, 8):
			say(f"Measuring at concurrency {concurrency} ({WORKERS} gunicorn workers)")
			row = results.setdefault(concurrency, {})
			row["ping"] = measure(server, sid, "/api/method/ping", concurrency)
			row["REST list (25 orders)"] = measure(server, sid, paths["rest"], concurrency)
			# the floor of Frappe's website pipeline: its own page for a logged-in website user
			row["Frappe page (/me)"] = measure(server, sid, "/me", concurrency)
			for kind in ("list", "detail"):
				for label, path in paths[kind].items():
					row[label] = dict(measure(server, sid, path, concurrency), kind=kind)

		say("Measuring the document download hand-off (link + follow) against ping")
		handoff = measure_handoff(server, sid, paths["document"])
		say("Measuring 10 MB downloads: the portal's link + stream against Frappe's /private/files for staff")
		streaming = measure_streaming(
			server, sid, login(server, "staff@portal.example.com", args.password), paths
		)
	growth = large["median_ms"] / small["median_ms"] if with_growth else None
	report(results, growth, small, large, paths["order_count"])
	ratio = handoff["handoff"]["median_ms"] / handoff["ping"]["median_ms"]
	print(
		f"download hand-off: median {handoff['handoff']['median_ms']:.1f} ms (p95 {handoff['handoff']['p95_ms']:.1f}),"
		f" ping {handoff['ping']['median_ms']:.1f} ms from the same client: {ratio:.2f}x (target <=2x,"
		f" {'met' if ratio <= 2 else 'MISSED'})"
	)
	share = streaming["portal"]["mb_per_s"] / streaming["frappe"]["mb_per_s"]
	print(
		f"10 MB download: portal (link + stream) {streaming['portal']['mb_per_s']:.0f} MB/s, Frappe /private/files"
		f" for staff {streaming['frappe']['mb_per_s']:.0f} MB/s: {share:.0%} (target >=80%,"
		f" {'met' if share >= 0.8 else 'MISSED'})"
	)
	results["handoff"] = handoff
	results["streaming"] = streaming
	say("Notifications: 10,000 stage changes over 1,000 customers, then a daily digest for 10,000 users")
	results["notifications"] = benchmark_notifications.measure(str(Path(args.bench).resolve()), args.site)
	output = Path(args.output or Path(args.bench) / "test-output")
	output.mkdir(parents=True, exist_ok=True)
	(output / "benchmark.json").write_text(
		json.dumps(
			{"results": results, "growth": growth, "orders_of_customer": paths["order_count"]}, indent=1
		)
	)
	say(f"Figures written to {output / 'benchmark.json'}")
	return 0


def report(results: dict, growth: float, small: dict, large: dict, order_count: int) -> None:
	print()
	for concurrency, rows in results.items():
		ping, rest = rows["ping"], rows["REST list (25 orders)"]
		print(f"concurrency {concurrency}")
		frappe_page = rows["Frappe page (/me)"]
		print(
			f"  {'endpoint':<34} {'median':>9} {'p95':>9} {'req/s':>8} {'/ping':>7} {'/REST':>7} {'/me':>7}  target"
		)
		for label, row in rows.items():
			ratio_ping = row["median_ms"] / ping["median_ms"]
			ratio_rest = row["median_ms"] / rest["median_ms"]
			ratio_page = row["median_ms"] / frappe_page["median_ms"]
			target = ""
			if row.get("kind") == "list":
				target = f"<={TARGETS['list']}x ping {'met' if ratio_ping <= TARGETS['list'] else 'MISSED'}"
			elif row.get("kind") == "detail":
				target = (
					f"<={TARGETS['detail']}x ping {'met' if ratio_ping <= TARGETS['detail'] else 'MISSED'}"
				)
			if label == "/portal/orders":
				target += (
					f"; <={TARGETS['rest']}x REST {'met' if ratio_rest <= TARGETS['rest'] else 'MISSED'}"
				)
			print(
				f"  {label:<34} {row['median_ms']:>7.1f}ms {row['p95_ms']:>7.1f}ms {row['rps']:>8.1f}"
				f" {ratio_ping:>6.2f}x {ratio_rest:>6.2f}x {ratio_page:>6.2f}x  {target}"
			)
		print()
	if growth is None:
		print("growth: not measured (--measure-only)")
		return
	verdict = "met" if growth <= TARGETS["growth"] else "MISSED"
	print(
		f"growth: /portal/orders median {small['median_ms']:.1f} ms at 10,000 orders -> {large['median_ms']:.1f} ms "
		f"at 100,000 orders ({order_count:,} of them this customer's): {growth:.2f}x (target <={TARGETS['growth']}x, {verdict})"
	)


if __name__ == "__main__":
	sys.exit(main())
