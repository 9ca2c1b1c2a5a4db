#!/usr/bin/env python3
"""The performance table: every portal page, the download hand-off, notification fan-out and the growth
from 10,000 to 1,000,000 orders, as ratios against Frappe's own endpoints measured in the same run.

Run with `./dev benchmark` (it calls this with the bench's Python, as the bench user, then writes the
table into docs/performance.md):
    env/bin/python apps/customer_portal/tests/benchmark.py --bench BENCH --site SITE

1. Fills SITE (created fresh by ./dev) with 1,000 customers, 10,000 orders, 200,000 invoices and 50,000
   documents, serves it with gunicorn (fixed worker count) and measures /portal/orders for the customer
   with the most orders; adds orders 100,000 at a time up to --orders (1,000,000) and measures it again at
   100,000 and at the end.
2. Measures every portal page (the routes of www/portal and the app's route rules, found the way the
   security probe suite finds them), Frappe's /api/method/ping, Frappe's REST list of the same 25 orders
   and Frappe's own web page /me, as the same user, at concurrency 1 and 8, with wrk; the download
   hand-off and a 10 MB download; notification fan-out (benchmark_notifications.py).
3. Profiles the slowest page against ping with pyinstrument (profile_page.py).
4. Prints the figures and writes them as a Markdown table (performance-table.md) with the targets beside
   them. Figures are ratios measured in one run on one machine, never absolute targets.
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
from contextlib import contextmanager
from pathlib import Path

import benchmark_notifications  # tests/benchmark_notifications.py
import profile_page  # tests/profile_page.py
import requests
from security.surface import portal_routes  # tests/security/surface.py

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
TARGETS = {"list": 4.0, "detail": 3.0, "rest": 1.5, "growth": 1.2, "handoff": 2.0, "streaming": 0.8}
FANOUT_TARGET_S = 60
PAGE_TIMEOUT = 60  # seconds a page may take to answer its first view before it is reported, not measured
# the record a route's <name> stands for
ROUTE_RECORDS = {
	"orders": "Order",
	"invoices": "Invoice",
	"documents": "Document",
	"tickets": "Support Ticket",
}
# orders in the site when /portal/orders is measured for the growth ratio
GROWTH_POINTS = (10_000, 100_000, 1_000_000)
DEMO_ORDERS_PER_CALL = 100_000  # customer-portal-demo's limit


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
		try:
			self.process.wait(timeout=40)
		except subprocess.TimeoutExpired:  # a worker still inside a slow request
			self.process.kill()
			self.process.wait()


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


@contextmanager
def connected(bench_dir: str, site: str):
	"""Frappe connected to `site` in this process, for the benchmark's own reads and settings."""
	import frappe

	cwd = os.getcwd()
	os.chdir(Path(bench_dir) / "sites")
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		yield frappe
	finally:
		frappe.destroy()
		os.chdir(cwd)


def list_setup(frappe, customer: str) -> int:
	"""Lists show 25 rows (what every list measurement assumes); returns the customer's orders."""
	frappe.db.set_single_value("Customer Portal Settings", "page_size", 25)
	frappe.db.commit()
	return frappe.db.count("Order", {"customer": customer})


def sample_paths(bench_dir: str, site: str, customer: str) -> dict:
	"""Every portal page as `customer`'s user would open it (a route with a <name> on one of its records),
	a cursor deep into its order list, and the records the download measurements use."""
	from customer_portal.portal.listing import encode_cursor

	with connected(bench_dir, site) as frappe:
		order_count = list_setup(frappe, customer)
		deep = frappe.get_all(
			"Order",
			filters={"customer": customer},
			fields=["name", "modified"],
			order_by="modified desc, name desc",
			limit_start=order_count * 3 // 4,
			limit_page_length=1,
		)[0]
		static, dynamic = portal_routes()
		pages = {route.path: {"path": route.path, "kind": "list"} for route in static}
		pages[f"/portal/orders (row {order_count * 3 // 4:,})"] = {
			"path": "/portal/orders?"
			+ urllib.parse.urlencode({"after": encode_cursor(deep.modified, deep.name)}),
			"kind": "list",
		}
		for route in dynamic:
			section = route.path.split("/")[2]
			if section not in ROUTE_RECORDS:
				raise SystemExit(f"{route.path}: no record to open it with; add its doctype to ROUTE_RECORDS")
			filters = {"customer": customer}
			if ROUTE_RECORDS[section] == "Invoice":
				filters["docstatus"] = 1
			name = frappe.get_all(ROUTE_RECORDS[section], filters=filters, pluck="name", limit=1)[0]
			pages[route.path] = {
				"path": route.path.replace("<name>", urllib.parse.quote(name)),
				"kind": "detail",
			}
		document = frappe.get_all("Document", filters={"customer": customer}, pluck="name", limit=1)[0]
		big_file, big_document = ten_megabyte_document(frappe, customer)
		frappe.db.commit()
	rest_filters = json.dumps([["customer", "=", customer]])
	rest_fields = json.dumps(
		["name", "title", "stage", "order_date", "expected_date", "actual_date", "total"]
	)
	return {
		"order_count": order_count,
		"document": document,
		"big_file": big_file,
		"big_document": big_document,
		"pages": pages,
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
	parser.add_argument(
		"--orders",
		type=int,
		default=GROWTH_POINTS[-1],
		help="orders in the site at the end (the growth ratio is measured from 10,000 to this)",
	)
	parser.add_argument("--output", help="where to write the figures (default: BENCH/test-output)")
	parser.add_argument(
		"--measure-only",
		action="store_true",
		help="measure the site's current data: no data generation, no growth ratio",
	)
	args = parser.parse_args()
	if not shutil.which("wrk"):
		raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
	if args.measure_only:
		return measure_pages(args, sample_paths(args.bench, args.site, args.customer), {})

	first = GROWTH_POINTS[0]
	say(f"Demo data: 1,000 customers, {first:,} orders, 200,000 invoices, 50,000 documents")
	demo(args, orders=first, invoices=200_000, documents=50_000)
	growth = {first: measure_orders_list(args)}
	total, seed = first, 7
	while total < args.orders:
		next_point = min([point for point in GROWTH_POINTS if point > total] or [args.orders])
		step = min(DEMO_ORDERS_PER_CALL, next_point - total, args.orders - total)
		say(f"Adding {step:,} orders ({total + step:,} in all)")
		demo(args, orders=step, invoices=0, documents=0, seed=seed)
		total, seed = total + step, seed + 1
		if total in GROWTH_POINTS or total == args.orders:
			growth[total] = measure_orders_list(args)
	return measure_pages(args, sample_paths(args.bench, args.site, args.customer), growth)


def measure_orders_list(args) -> dict:
	"""/portal/orders at concurrency 1, with the number of orders of the customer and in the site."""
	with connected(args.bench, args.site) as frappe:
		order_count = list_setup(frappe, args.customer)
	with Server(args.bench, args.site) as server:
		result = measure(server, login(server, args.user, args.password), "/portal/orders", 1)
	result["customer_orders"] = order_count
	say(f"/portal/orders median {result['median_ms']:.1f} ms with {order_count:,} orders of {args.customer}")
	return result


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


def measure_pages(args, paths: dict, growth: dict) -> int:
	# the download endpoints allow 60 requests a minute per IP; the hand-off measurement needs more
	bench(args.bench, "--site", args.site, "set-config", "customer_portal_download_rate_limit", "100000")
	results = {}
	pages, skipped = answering_pages(args, paths["pages"])
	with Server(args.bench, args.site) as server:
		sid = login(server, args.user, args.password)
		for concurrency in (1, 8):
			say(f"Measuring {len(pages)} pages at concurrency {concurrency} ({WORKERS} gunicorn workers)")
			row = results.setdefault(concurrency, {})
			row["ping"] = measure(server, sid, "/api/method/ping", concurrency)
			row["REST list (25 orders)"] = measure(server, sid, paths["rest"], concurrency)
			# the floor of Frappe's website pipeline: its own page for a logged-in website user
			row["Frappe page (/me)"] = measure(server, sid, "/me", concurrency)
			for label, page in pages.items():
				row[label] = dict(measure(server, sid, page["path"], concurrency), kind=page["kind"])

		say("Measuring the document download hand-off (link + follow) against ping")
		handoff = measure_handoff(server, sid, paths["document"])
		say("Measuring 10 MB downloads: the portal's link + stream against Frappe's /private/files for staff")
		streaming = measure_streaming(
			server, sid, login(server, "staff@portal.example.com", args.password), paths
		)
	say("Notifications: 10,000 stage changes over 1,000 customers, then a daily digest for 10,000 users")
	notifications = benchmark_notifications.measure(str(Path(args.bench).resolve()), args.site)

	worst = max(
		(label for label in pages),
		key=lambda label: results[1][label]["median_ms"] / results[1]["ping"]["median_ms"],
	)
	say(f"Profiling the slowest page against ping, {worst}, with pyinstrument")
	output = Path(args.output or Path(args.bench) / "test-output")
	output.mkdir(parents=True, exist_ok=True)
	profiler = profile_page.profile(
		str(Path(args.bench).resolve()), args.site, pages[worst]["path"], args.user, args.password
	)
	(output / "profile.html").write_text(profiler.output_html())
	profile_text = profiler.output_text(unicode=True, color=False, show_all=False)
	print(profile_text)

	figures = {
		"date": time.strftime("%Y-%m-%d"),
		"cores": os.cpu_count(),
		"workers": WORKERS,
		"customer": args.customer,
		"orders_of_customer": paths["order_count"],
		"results": results,
		"skipped": skipped,
		"growth": {str(orders): row for orders, row in growth.items()},
		"handoff": handoff,
		"streaming": streaming,
		"notifications": notifications,
		"profiled": worst,
	}
	(output / "benchmark.json").write_text(json.dumps(figures, indent=1))
	(output / "profile.txt").write_text(profile_text)
	table = performance_table(figures)
	(output / "performance-table.md").write_text(table)
	print()
	print(table)
	say(f"Figures written to {output / 'benchmark.json'}, the table to {output / 'performance-table.md'}")
	return 0


def answering_pages(args, pages: dict) -> tuple[dict, dict]:
	"""The pages that answer the user 200 within PAGE_TIMEOUT, and why each other page is not measured
	(a page opened from a one-time link answers otherwise; a page too slow to answer is a finding). A
	server of its own: a page past gunicorn's timeout costs a worker."""
	answering, skipped = {}, {}
	with Server(args.bench, args.site) as server:
		sid = login(server, args.user, args.password)
		for label, page in pages.items():
			started = time.perf_counter()
			try:
				status = requests.get(
					server.url + page["path"],
					headers={"Host": server.site, "Cookie": f"sid={sid}"},
					allow_redirects=False,
					timeout=PAGE_TIMEOUT,
				).status_code
			except requests.Timeout:
				skipped[label] = f"no answer within {PAGE_TIMEOUT} s"
				say(f"{label}: no answer within {PAGE_TIMEOUT} s")
				continue
			if status == 200:
				answering[label] = page
			else:
				skipped[label] = f"answers {status}"
			say(f"{label}: {status} in {(time.perf_counter() - started) * 1000:.0f} ms (first view)")
	return answering, skipped


def verdict(met: bool) -> str:
	return "met" if met else "**missed**"


def performance_table(figures: dict) -> str:
	"""The performance table (docs/performance.md): every figure a ratio to a baseline of the same run, its target
	beside it."""
	one, eight = figures["results"][1], figures["results"][8]
	ping1, ping8, rest1 = (
		one["ping"]["median_ms"],
		eight["ping"]["median_ms"],
		one["REST list (25 orders)"]["median_ms"],
	)
	lines = [
		f"Measured {figures['date']} on {figures['cores']} cores, gunicorn with {figures['workers']} workers, as a"
		f" user of {figures['customer']} ({figures['orders_of_customer']:,} orders of its own).",
		"",
		"| endpoint | median (c=1) | p95 (c=1) | x ping (c=1) | x Frappe `/me` (c=1) | median (c=8) | req/s (c=8) | x ping (c=8) | target (c=1) |",
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
	]
	me1 = one["Frappe page (/me)"]["median_ms"]
	for label, row in one.items():
		at8 = eight[label]
		ratio = row["median_ms"] / ping1
		target = ""
		if row.get("kind"):
			limit = TARGETS[row["kind"]]
			target = f"≤ {limit:g}x ping: {verdict(ratio <= limit)}"
			if label == "/portal/orders":
				target += f"; ≤ {TARGETS['rest']:g}x REST list: {verdict(row['median_ms'] / rest1 <= TARGETS['rest'])}"
		name = label if row.get("kind") else f"{label} (baseline)"
		lines.append(
			f"| `{name}` | {row['median_ms']:.1f} ms | {row['p95_ms']:.1f} ms | {ratio:.2f} |"
			f" {row['median_ms'] / me1:.2f} | {at8['median_ms']:.1f} ms | {at8['rps']:.1f} |"
			f" {at8['median_ms'] / ping8:.2f} | {target} |"
		)
	if figures["skipped"]:
		lines += [
			"",
			"Not measured: "
			+ ", ".join(f"`{label}` ({reason})" for label, reason in figures["skipped"].items())
			+ " (a page opened from a one-time link or a sign-in hand-off answers a signed-in user"
			" without its token otherwise).",
		]
	handoff, streaming, fanout = figures["handoff"], figures["streaming"], figures["notifications"]
	handoff_ratio = handoff["handoff"]["median_ms"] / handoff["ping"]["median_ms"]
	share = streaming["portal"]["mb_per_s"] / streaming["frappe"]["mb_per_s"]
	lines += [
		"",
		"| measurement | result | baseline of the same run | ratio | target |",
		"| --- | --- | --- | ---: | --- |",
		f"| download hand-off (ask for a link, follow it) | {handoff['handoff']['median_ms']:.1f} ms"
		f" | ping {handoff['ping']['median_ms']:.1f} ms from the same client | {handoff_ratio:.2f}x"
		f" | ≤ {TARGETS['handoff']:g}x: {verdict(handoff_ratio <= TARGETS['handoff'])} |",
		f"| 10 MB document, the customer's link + stream | {streaming['portal']['mb_per_s']:.0f} MB/s"
		f" | Frappe's `/private/files` for staff, {streaming['frappe']['mb_per_s']:.0f} MB/s | {share:.0%}"
		f" | ≥ {TARGETS['streaming']:.0%}: {verdict(share >= TARGETS['streaming'])} |",
		f"| notification fan-out: {fanout['saves']:,} stage changes, every notification written and"
		f" {fanout['emails_queued']:,} immediate emails queued | {fanout['end_to_end_s']:.1f} s"
		f" | the same saves with notifications paused, {fanout['saves_paused_s']:.1f} s"
		f" | {fanout['end_to_end_s'] / fanout['saves_paused_s']:.2f}x"
		f" | ≤ {FANOUT_TARGET_S} s end to end: {verdict(fanout['end_to_end_s'] <= FANOUT_TARGET_S)} |",
		f"| daily digest for {fanout['digest_users']:,} users | {fanout['digest_s']:.1f} s"
		f" ({fanout['digest_emails_queued']:,} emails) | | | |",
	]
	growth = {int(orders): row for orders, row in figures["growth"].items()}
	if growth:
		first, last = min(growth), max(growth)
		ratio = growth[last]["median_ms"] / growth[first]["median_ms"]
		points = ", ".join(
			f"{growth[orders]['median_ms']:.1f} ms at {orders:,} ({growth[orders]['customer_orders']:,} of the customer's)"
			for orders in sorted(growth)
		)
		lines.append(
			f"| growth: `/portal/orders` from {first:,} to {last:,} orders in the site | {points}"
			f" | the same page at {first:,} orders | {ratio:.2f}x | ≤ {TARGETS['growth']:g}x:"
			f" {verdict(ratio <= TARGETS['growth'])} |"
		)
	lines += [
		"",
		f"Profiled: `{figures['profiled']}`, the slowest page against ping (`profile.txt`, `profile.html`).",
	]
	return "\n".join(lines) + "\n"


if __name__ == "__main__":
	sys.exit(main())
