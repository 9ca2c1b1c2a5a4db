#!/usr/bin/env python3
"""Load, soak and faults: the site under gunicorn with RQ workers and Frappe's scheduler, driven by a
mixed workload from a second process (locust, tests/load/workload.py), while faults are injected.

    ./dev load [--minutes 30] [--users 16] [--faults redis,mariadb,worker,s3]

(`./dev load` creates a fresh site with a larger demo set and calls this with the bench's Python as the
bench user; `--minutes 2 --users 8 --faults redis,worker` is the short version.)

The run owns its MariaDB and Redis servers (tests/load/processes.py): the site's database is copied into
a MariaDB server started for the run, so faults can stop and start both, and the site's own database is
never written. After the load the run waits for the queues to drain and checks, against the load
generator's log: no 5xx outside a fault's window, no stack trace in any answer, every acknowledged write
stored, every notification delivered exactly once (in the portal and by email, at the SMTP server), no
orphan record or file; and reports each fault's error window and recovery, and each gunicorn worker's
memory at the start and the end. Exits non-zero when any check fails.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faults
import processes
import report
import verify

LOAD = Path(__file__).resolve().parent
WARM_UP_SHARE, WARM_UP_LIMIT = 0.1, 300  # a tenth of the run, at most 5 minutes
# every 5 minutes the scheduler requeues stranded events and finishes emails left "Sending" for 5 minutes
DRAIN_SECONDS = 720
PASSWORD = "load-run-Password-2026!"


def say(message: str) -> None:
	print(f"==> {message}", flush=True)


class Stack:
	"""The run's servers and the site's processes."""

	def __init__(self, args, workdir: Path):
		self.bench = Path(args.bench).resolve()
		self.tools = self.bench / "test-tools"
		self.workdir = workdir
		self.mariadb = processes.MariaDB(workdir)
		self.redis = processes.Redis(workdir)
		self.mail = processes.MailSink(self.tools, workdir)
		self.s3 = processes.S3(self.tools, workdir) if args.storage == "s3" else None
		self.environment = {
			**{name: value for name, value in os.environ.items() if name != "CI"},
			"FRAPPE_DB_HOST": "127.0.0.1",
			"FRAPPE_DB_PORT": str(self.mariadb.port),
			"FRAPPE_REDIS_CACHE": f"{self.redis.url}/1",
			"FRAPPE_REDIS_QUEUE": f"{self.redis.url}/2",
		}
		self.gunicorn = processes.Gunicorn(self.bench, args.site, self.environment, args.web_workers, workdir)
		self.workers = processes.Workers(self.bench, self.environment, args.rq_workers, workdir)

	def start_servers(self, site_config: dict) -> None:
		self.mariadb.create()
		self.mariadb.start()
		self.mariadb.copy_from(site_config)
		self.redis.start()
		self.mail.start()
		if self.s3:
			self.s3.start()

	def start_site(self) -> None:
		self.gunicorn.start()
		self.workers.start()

	def stop(self) -> None:
		for part in (self.gunicorn, self.workers, self.mail, self.s3, self.redis, self.mariadb):
			if part is not None:
				try:
					part.stop()
				except Exception as error:  # stopping the rest matters more than this one
					print(f"could not stop {type(part).__name__}: {error}", flush=True)


def connect(bench: Path, site: str, environment: dict):
	"""This process's Frappe connection, to the run's servers."""
	os.environ.update({k: v for k, v in environment.items() if k.startswith("FRAPPE_")})
	os.chdir(bench / "sites")
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	return frappe


def prepare(frappe, args, stack: Stack, run: str) -> dict:
	"""Point the copy's outgoing mail and storage at the run's servers, pick the users the load signs in
	as (their password is set in the copy only) and the records each may open; returns the plan."""
	from frappe.utils.password import update_password

	from customer_portal.demo.users import STAFF_USER
	from customer_portal.permissions import STAFF_ROLE

	frappe.db.sql("update `tabEmail Account` set default_outgoing = 0, enable_outgoing = 0")
	frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "Load Run Mail",
			"email_id": "load@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": stack.mail.port,
			"no_smtp_authentication": 1,
			"use_tls": 0,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	# the run signs users in with a password of its own and without a second factor
	frappe.db.sql("update tabCustomer set require_two_factor = 0")
	frappe.db.delete("DefaultValue", {"defkey": "customer_portal_two_factor"})

	link = frappe.qb.DocType("Customer Portal User")
	user = frappe.qb.DocType("User")
	rows = (
		frappe.qb.from_(link)
		.join(user)
		.on(user.name == link.user)
		.select(link.parent, link.user)
		.where((link.parenttype == "Customer") & (user.enabled == 1))
		.orderby(link.parent)
		.orderby(link.idx)
		.run(as_dict=True)
	)
	chosen = []
	for row in rows:
		if row.user not in {c.user for c in chosen}:
			chosen.append(row)
		if len(chosen) == args.users:
			break
	customers = sorted({row.parent for row in chosen})
	records = {
		customer: {
			"orders": frappe.get_all("Order", {"customer": customer}, pluck="name", limit=40),
			"invoices": frappe.get_all(
				"Invoice", {"customer": customer, "docstatus": 1}, pluck="name", limit=40
			),
			"documents": frappe.get_all("Document", {"customer": customer}, pluck="name", limit=40),
		}
		for customer in customers
	}
	staff = [STAFF_USER] if frappe.db.exists("User", STAFF_USER) else []
	staff += frappe.get_all("Has Role", {"role": STAFF_ROLE, "parenttype": "User"}, pluck="parent")
	staff = list(dict.fromkeys(staff))[:1]
	for name in [row.user for row in chosen] + staff:
		update_password(name, PASSWORD)
		frappe.db.set_value("User", name, "simultaneous_sessions", 100)
	orders = [order for customer in customers for order in records[customer]["orders"]]
	frappe.db.commit()
	staff_users = max(1, args.users // 8)
	return {
		"run": run,
		"site": args.site,
		"customers": [{"user": row.user, "password": PASSWORD, **records[row.parent]} for row in chosen],
		"staff": [
			{"user": staff[0], "password": PASSWORD, "orders": orders[index::staff_users]}
			for index in range(staff_users)
		],
		"staff_users": staff_users,
		"stages": frappe.get_all("Order Stage", {"retired": 0}, pluck="name", order_by="sequence asc"),
		"time_zones": ["Europe/Berlin", "Asia/Kolkata", "America/New_York", "UTC"],
	}


def run_load(args, stack: Stack, plan_path: Path, log_path: Path, fault_names: list[str]) -> dict:
	"""Locust for the run's duration in its own process, the faults at even intervals, a progress line
	every 15 s; returns the fault records and the gunicorn workers' memory."""
	seconds = int(args.minutes * 60)
	locust = subprocess.Popen(
		[
			str(stack.tools / "venv/bin/locust"),
			*("-f", str(LOAD / "workload.py"), "--headless", "--only-summary"),
			*("-u", str(args.users), "-r", str(max(1, args.users // 4)), "-t", f"{seconds}s"),
			*("--host", stack.gunicorn.url, "--stop-timeout", "30", "--exit-code-on-error", "0"),
		],
		env={**os.environ, "CP_LOAD_PLAN": str(plan_path), "CP_LOAD_LOG": str(log_path)},
		stdout=open(stack.workdir / "locust.log", "w"),
		stderr=subprocess.STDOUT,
	)
	began = time.time()
	schedule = [
		(seconds * (index + 1) / (len(fault_names) + 1), name) for index, name in enumerate(fault_names)
	]
	done, memory, next_progress = [], {}, 15
	# memory is judged from the end of the warm-up on: until every worker has rendered every kind of page
	# it is still loading code and filling caches (a 30-minute soak: one worker 101 MB at 20 s while the
	# others, busier in their first seconds, were at 122 MB; all four ended at 131 MB)
	first = min(20, seconds / 4)
	warm_up = max(first, min(WARM_UP_LIMIT, seconds * WARM_UP_SHARE))
	try:
		while locust.poll() is None:
			elapsed = time.time() - began
			stack.workers.watch()
			if "first" not in memory and elapsed > first:
				memory["first"] = stack.gunicorn.worker_memory()
			if "start" not in memory and elapsed > warm_up:
				memory["start"] = stack.gunicorn.worker_memory()
				memory["warm_up_seconds"] = round(elapsed)
			if schedule and elapsed >= schedule[0][0]:
				_at, name = schedule.pop(0)
				say(f"{elapsed:5.0f} s: fault: {name}")
				done.append(faults.FAULTS[name](stack, say))
				say(f"{time.time() - began:5.0f} s: {done[-1]['fault']} over ({done[-1]['detail']})")
			if elapsed >= next_progress:
				say(f"{elapsed:5.0f} s of {seconds} s: {report.progress(log_path)}")
				next_progress = elapsed + 15
			if elapsed >= seconds - 5 and "end" not in memory:
				memory["end"] = stack.gunicorn.worker_memory()
			time.sleep(0.2)
	finally:
		if locust.poll() is None:
			locust.terminate()
			locust.wait(timeout=60)
	memory.setdefault("end", stack.gunicorn.worker_memory())
	return {"faults": done, "memory": memory, "began": began, "ended": time.time()}


def drain(frappe, stack: Stack, since) -> float:
	"""Wait until every event raised during the run is dispatched and every email it queued is sent (or
	DRAIN_SECONDS pass); returns how long it took."""
	from frappe.utils.background_jobs import get_queue, get_queue_list

	began = time.monotonic()
	while time.monotonic() - began < DRAIN_SECONDS:
		stack.workers.watch()
		frappe.db.rollback()  # a fresh snapshot each time
		pending = len(since.new("Portal Event", {"status": "Pending"}))
		unsent = len(since.new("Email Queue", {"status": ("in", ["Not Sent", "Sending"])}))
		queued = sum(get_queue(name).count for name in get_queue_list())
		if not (pending or unsent or queued):
			return time.monotonic() - began
		if int(time.monotonic() - began) % 15 == 0:
			say(f"draining: {pending} events pending, {unsent} emails unsent, {queued} jobs queued")
		time.sleep(1)
	return time.monotonic() - began


def local_files_since(site_path: Path, since: float) -> set[str]:
	folder = site_path / "private" / "files"
	return {path.name for path in folder.glob("*") if path.is_file() and path.stat().st_mtime >= since}


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", required=True)
	parser.add_argument("--site", required=True)
	parser.add_argument("--minutes", type=float, default=30)
	parser.add_argument("--users", type=int, default=16, help="concurrent users (one in 8 is staff)")
	parser.add_argument("--faults", default="redis,mariadb,worker,s3", help="comma-separated, in order")
	parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
	parser.add_argument("--rq-workers", type=int, default=2)
	parser.add_argument("--output", help="folder for the report (default: BENCH/test-output/load)")
	args = parser.parse_args()
	fault_names = [name for name in args.faults.split(",") if name]
	unknown = set(fault_names) - set(faults.FAULTS)
	if unknown:
		parser.error(f"unknown faults: {', '.join(sorted(unknown))} (known: {', '.join(faults.FAULTS)})")
	args.storage = "s3" if "s3" in fault_names else "local"

	bench = Path(args.bench).resolve()
	output = Path(args.output or bench / "test-output" / "load")
	workdir = processes.workdir(output)
	site_path = bench / "sites" / args.site
	site_config = {
		**json.loads((bench / "sites" / "common_site_config.json").read_text()),
		**json.loads((site_path / "site_config.json").read_text()),
	}
	stack = Stack(args, workdir)
	run = f"LOAD-{workdir.name[5:]}"
	restore_storage = restore_files = None
	try:
		say(
			f"Copying {args.site}'s database into the run's own MariaDB; starting Redis, SMTP{', S3' if stack.s3 else ''}"
		)
		stack.start_servers(site_config)
		frappe = connect(bench, args.site, stack.environment)
		started = frappe.utils.now_datetime()
		# the demo dates some rows in the future: rows the run made are those not here now
		existing = {doctype: set(frappe.get_all(doctype, pluck="name")) for doctype in verify.NEW_ROWS}
		plan = prepare(frappe, args, stack, run)
		if stack.s3:
			restore_storage = use_storage(site_path, stack.s3.storage_config())
			# the documents the load downloads live in S3 too, so the S3 fault reaches downloads as well
			# as uploads: moved by the app's own migration, in the run's copy of the database; the move
			# deletes local copies, which come back after the run (the site's own database still names them)
			restore_files = keep_private_files(site_path, workdir)
			frappe.destroy()
			frappe = connect(bench, args.site, stack.environment)  # with the run's storage
			say(files_into_s3(frappe))
		plan_path = workdir / "plan.json"
		plan_path.write_text(json.dumps(plan))
		stack.start_site()
		requests.get(f"{stack.gunicorn.url}/api/method/ping", headers={"Host": args.site}, timeout=30)
		say(
			f"Load: {args.users} users ({plan['staff_users']} staff) for {args.minutes:g} min against gunicorn"
			f" ({args.web_workers} workers) with {args.rq_workers} RQ workers; faults: {', '.join(fault_names) or 'none'}"
		)
		files_since = time.time()
		log_path = workdir / "requests.jsonl"
		timeline = run_load(args, stack, plan_path, log_path, fault_names)
		say("Load over; waiting for the queues to drain")
		frappe.db.close()  # a fault may have restarted MariaDB under this connection
		frappe.connect()
		frappe.set_user("Administrator")
		drained = drain(frappe, stack, verify.Since(started, existing))
		stored_keys = stack.s3.object_keys() if stack.s3 else None
		local_files = local_files_since(site_path, files_since)
		results = report.build(log_path, timeline, drained, stack.workers.restarted)
		results["checks"] = report.checks(
			frappe, verify.Since(started, existing), run, workdir / "mail", stored_keys, local_files, log_path
		)
		results["error_logs"] = save_error_logs(frappe, started, workdir / "error-logs.txt")
		frappe.destroy()
		# files the run wrote belong to the run's copy of the database, not to the site
		for name in local_files:
			(site_path / "private" / "files" / name).unlink(missing_ok=True)
	finally:
		if restore_files:
			restore_files()
		if restore_storage:
			restore_storage()
		stack.stop()
		stack.mariadb.remove()
	text = report.write(results, args, output)
	print(text, flush=True)
	return 0 if results["passed"] else 1


def save_error_logs(frappe, started, path: Path) -> int:
	"""The Error Log entries of the run (the copy of the database is thrown away), for diagnosis; the
	deferred ones (a failed page's) are written first."""
	from frappe.deferred_insert import save_to_db

	save_to_db()
	frappe.db.commit()
	rows = frappe.get_all(
		"Error Log",
		filters={"creation": (">=", started)},
		fields=["creation", "method", "error"],
		order_by="creation asc",
	)
	path.write_text("\n\n".join(f"{row.creation} {row.method}\n{row.error}" for row in rows))
	return len(rows)


def keep_private_files(site_path: Path, workdir: Path):
	"""A copy of the site's private files in the run's folder; returns the undo (copies them back)."""
	files, kept = site_path / "private" / "files", workdir / "site-private-files"
	shutil.copytree(files, kept)
	return lambda: shutil.copytree(kept, files, dirs_exist_ok=True)


def files_into_s3(frappe) -> str:
	"""Move the copy's private files into the run's S3 bucket with the app's migration."""
	from customer_portal.documents.migration import describe, migrate_to_s3

	moved = migrate_to_s3(batch_size=100)
	frappe.db.commit()
	return describe(moved).replace("\n", "; ")


def use_storage(site_path: Path, config: dict):
	"""Switch the site to the run's S3 server (site config wins over the settings); returns the undo."""
	path = site_path / "site_config.json"
	before = path.read_text()
	path.write_text(json.dumps({**json.loads(before), "customer_portal_storage": config}, indent=1))
	return lambda: path.write_text(before)


if __name__ == "__main__":
	sys.exit(main())
