"""The notification benchmark (called by tests/benchmark.py, or on its own against a site that has the
benchmark's demo data):

    env/bin/python apps/customer_portal/tests/benchmark_notifications.py --bench BENCH --site SITE

10,000 order stage changes spread over 1,000 customers, saved one by one as staff would: first with
notifications paused, then with them on and 2 RQ workers running, until every in-portal notification is
written and every immediate email is queued. Then a daily digest for 10,000 users. Emails are queued, not
sent: the Email Queue is suspended for the run.
"""

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from services import worker_environment

ORDERS_PER_CUSTOMER = 10
CUSTOMERS = 1000
DIGEST_USERS = 10_000
DIGEST_ITEMS = 5
WORKER = ("-m", "frappe.utils.bench_helper", "frappe", "worker")


def say(message: str) -> None:
	print(f"==> {message}", flush=True)


@contextmanager
def site(bench_dir: str, name: str):
	import frappe

	cwd = os.getcwd()
	os.chdir(Path(bench_dir) / "sites")
	frappe.init(site=name, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		yield frappe
	finally:
		frappe.destroy()
		os.chdir(cwd)


@contextmanager
def workers(bench_dir: str, count: int = 2):
	bench = Path(bench_dir).resolve()
	log = open(bench / "logs" / "benchmark-workers.log", "w")
	processes = [
		subprocess.Popen(
			[str(bench / "env/bin/python"), *WORKER, "--queue", "short,default,long"],
			cwd=bench / "sites",
			env=worker_environment(),
			stdout=log,
			stderr=subprocess.STDOUT,
		)
		for _ in range(count)
	]
	try:
		time.sleep(3)  # workers register with Redis
		yield
	finally:
		for process in processes:
			process.terminate()
		for process in processes:
			process.wait(timeout=30)
		log.close()


def prepare(frappe) -> tuple[list, list[str]]:
	"""10 orders of each of 1,000 customers, the stages, an outgoing account and a suspended queue."""
	orders = frappe.db.sql(
		"""select name, customer, stage from (
			select name, customer, stage, row_number() over (partition by customer order by name) as n
			from `tabOrder`) ranked
		where n <= %s order by customer, name limit %s""",
		(ORDERS_PER_CUSTOMER, ORDERS_PER_CUSTOMER * CUSTOMERS),
		as_dict=True,
	)
	stages = frappe.get_all("Order Stage", pluck="name", order_by="sequence asc")
	frappe.db.set_default("suspend_email_queue", 1)
	if not frappe.db.exists("Email Account", "Benchmark Outgoing"):
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "Benchmark Outgoing",
				"email_id": "benchmark@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"no_smtp_authentication": 1,
			}
		)
		account.flags.ignore_validate = True  # nothing listens: the queue is suspended
		account.insert(ignore_permissions=True)
	frappe.db.commit()
	return orders, stages


def save_all(frappe, orders: list, stages: list[str]) -> float:
	"""Move each order to the next stage, saving it as desk does."""
	started = time.perf_counter()
	for index, row in enumerate(orders, 1):
		doc = frappe.get_doc("Order", row.name)
		doc.stage = stages[(stages.index(doc.stage) + 1) % len(stages)] if doc.stage in stages else stages[0]
		doc.save()
		if index % 250 == 0:
			frappe.db.commit()
			print(f"  saved {index:,}/{len(orders):,}", flush=True)
	frappe.db.commit()
	return time.perf_counter() - started


def measure(bench_dir: str, site_name: str) -> dict:
	with site(bench_dir, site_name) as frappe:
		orders, stages = prepare(frappe)
		say(f"{len(orders):,} orders of {len({row.customer for row in orders}):,} customers")
		frappe.db.set_single_value("Customer Portal Settings", "pause_notifications", 1)
		frappe.db.commit()
		say("Saving them with notifications paused")
		off = save_all(frappe, orders, stages)
		frappe.db.set_single_value("Customer Portal Settings", "pause_notifications", 0)
		frappe.db.commit()
		mark = frappe.utils.now_datetime()
		with workers(bench_dir):
			say("Saving them again with notifications on, 2 RQ workers fanning out")
			started = time.perf_counter()
			saving = save_all(frappe, orders, stages)
			while True:
				frappe.db.rollback()  # a fresh snapshot
				pending = frappe.db.count("Portal Event", {"creation": (">=", mark), "status": "Pending"})
				if not pending:
					break
				if time.perf_counter() - started > 900:
					raise SystemExit(f"{pending} events still pending after 15 minutes")
				time.sleep(0.5)
			end_to_end = time.perf_counter() - started
		events = frappe.db.count("Portal Event", {"creation": (">=", mark)})
		notifications = frappe.db.count("Portal Notification", {"creation": (">=", mark)})
		emails = frappe.db.count("Email Queue", {"creation": (">=", mark)})
		say(f"Daily digest for {DIGEST_USERS:,} users ({DIGEST_ITEMS} waiting notifications each)")
		digest_users = digest_fixture(frappe, mark)
		from customer_portal.notifications.digests import send_digests

		digest_mark = frappe.utils.now_datetime()
		started = time.perf_counter()
		# as the hourly job will at tomorrow's digest hour, when all of today's rows are due
		digests = send_digests("Daily", now=digest_mark + timedelta(days=1))
		digest_seconds = time.perf_counter() - started
		digest_emails = frappe.db.count("Email Queue", {"creation": (">=", digest_mark)})
		frappe.db.set_default("suspend_email_queue", 0)
		frappe.db.commit()
	result = {
		"saves": len(orders),
		"saves_paused_s": off,
		"saves_on_s": saving,
		"end_to_end_s": end_to_end,
		"events": events,
		"notifications": notifications,
		"emails_queued": emails,
		"digest_users": digest_users,
		"digests_sent": digests,
		"digest_emails_queued": digest_emails,
		"digest_s": digest_seconds,
	}
	report(result)
	return result


def digest_fixture(frappe, mark) -> int:
	"""10,000 website users, each with a few notifications waiting for the daily digest."""
	from frappe.utils import now_datetime

	from customer_portal.notifications.dispatch import NOTIFICATION_FIELDS, notification_row

	events = frappe.get_all(
		"Portal Event",
		filters={"creation": (">=", mark)},
		fields=["name", "customer", "event_type", "subject", "reference_doctype", "reference_name"],
		limit=DIGEST_USERS,
	)
	now = now_datetime()
	users, rows = [], []
	for index in range(DIGEST_USERS):
		email = f"digest-{index:05d}@bench.example.com"
		users.append(
			(email, now, now, "Administrator", "Administrator", email, f"Digest {index}", 1, "Website User")
		)
		for item in range(DIGEST_ITEMS):
			event = events[(index * DIGEST_ITEMS + item) % len(events)]
			rows.append(notification_row(event, email, True, "Daily", "Pending", now))
	frappe.db.bulk_insert(
		"User",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"email",
			"first_name",
			"enabled",
			"user_type",
		],
		users,
		ignore_duplicates=True,
	)
	frappe.db.bulk_insert("Portal Notification", NOTIFICATION_FIELDS, rows, ignore_duplicates=True)
	frappe.db.commit()
	return len(users)


def report(result: dict) -> None:
	overhead = result["saves_on_s"] / result["saves_paused_s"]
	verdict = "met" if result["end_to_end_s"] <= 60 else "MISSED"
	drain = result["end_to_end_s"] - result["saves_on_s"]
	print(
		f"\n{result['saves']:,} stage changes: saves alone {result['saves_paused_s']:.1f} s with notifications"
		f" paused, {result['saves_on_s']:.1f} s with them on ({overhead:.2f}x);"
		f" end to end (every notification written, every immediate email queued) {result['end_to_end_s']:.1f} s"
		f" (target <=60 s, {verdict}), of which {drain:.1f} s after the last save\n"
		f"  {result['events']:,} events, {result['notifications']:,} notifications,"
		f" {result['emails_queued']:,} emails queued\n"
		f"daily digest: {result['digests_sent']:,} digests for {result['digest_users']:,} users"
		f" ({result['digest_emails_queued']:,} emails queued) in {result['digest_s']:.1f} s"
	)


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", required=True)
	parser.add_argument("--site", required=True)
	args = parser.parse_args()
	measure(str(Path(args.bench).resolve()), args.site)
	return 0


if __name__ == "__main__":
	sys.exit(main())
