import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime


class TestScheduledJobsClock(FrappeTestCase):
	"""A new site stamps its scheduled jobs in a provisional time zone (Asia/Kolkata); once its own zone
	is set, none of them may wait for that clock (a new UTC site ran no job for five and a half hours)."""

	def setUp(self):
		self.zone = frappe.db.get_single_value("System Settings", "time_zone")
		self.addCleanup(self.set_zone, self.zone)
		ahead = add_to_date(now_datetime(), hours=5, minutes=30)
		self.jobs = {
			"never run, stamped ahead": self.job("frappe.utils.data.now", None, ahead),
			"ran by the clock ahead": self.job("frappe.utils.data.nowdate", ahead, ahead),
			"ran an hour ago": self.job(
				"frappe.utils.data.nowtime", add_to_date(now_datetime(), hours=-1), None
			),
		}

	def job(self, method: str, last_execution, creation) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Scheduled Job Type",
				"method": method,
				"frequency": "Cron",
				"cron_format": "*/5 * * * *",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value(
			"Scheduled Job Type",
			doc.name,
			{"last_execution": last_execution, **({"creation": creation} if creation else {})},
			update_modified=False,
		)
		return doc.name

	def set_zone(self, zone: str):
		settings = frappe.get_doc("System Settings")
		settings.time_zone = zone
		settings.save(ignore_permissions=True)

	def next_run(self, name: str):
		return frappe.get_doc("Scheduled Job Type", name).get_next_execution()

	def test_jobs_stamped_ahead_run_on_the_new_clock(self):
		self.assertGreater(
			self.next_run(self.jobs["never run, stamped ahead"]), add_to_date(now_datetime(), hours=5)
		)  # the stall
		self.set_zone("Europe/Berlin" if self.zone != "Europe/Berlin" else "UTC")
		soon = add_to_date(now_datetime(), minutes=5)  # the new clock's
		for label in ("never run, stamped ahead", "ran by the clock ahead"):
			with self.subTest(label):
				self.assertLessEqual(self.next_run(self.jobs[label]), soon)
		ran = frappe.db.get_value("Scheduled Job Type", self.jobs["ran an hour ago"], "last_execution")
		self.assertLess(get_datetime(ran), add_to_date(now_datetime(), minutes=-59))  # left as it was
