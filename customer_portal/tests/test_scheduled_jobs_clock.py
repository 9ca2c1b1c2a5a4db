import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime


class TestScheduledJobsClock(FrappeTestCase):
	"""A new site stamps its scheduled jobs in a provisional time zone (Asia/Kolkata); once its own zone
	is set, none of them may wait for that clock (a new UTC site ran no job for five and a half hours)."""

	def setUp(self):
		self.zone = frappe.db.get_single_value("System Settings", "time_zone")
		self.addCleanup(self.set_zone, self.zone)
		self.set_zone("Asia/Kolkata")  # the clock a new site stamps its jobs by
		now = now_datetime()
		self.jobs = {
			"never run, created now": self.job("frappe.utils.data.now", None, now),
			"ran now": self.job("frappe.utils.data.nowdate", now, now),
			"ran six hours ago": self.job("frappe.utils.data.nowtime", add_to_date(now, hours=-6), None),
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

	def set_zone(self, zone: str | None):
		settings = frappe.get_doc("System Settings")
		settings.time_zone = zone
		settings.flags.ignore_mandatory = True  # a site before its setup wizard has no language yet
		settings.save(ignore_permissions=True)

	def next_run(self, name: str):
		return frappe.get_doc("Scheduled Job Type", name).get_next_execution()

	def test_jobs_stamped_by_the_provisional_clock_run_on_the_sites_own(self):
		ran_before = frappe.db.get_value(
			"Scheduled Job Type", self.jobs["ran six hours ago"], "last_execution"
		)
		self.set_zone("UTC")  # what the setup wizard sets: five and a half hours behind
		soon = add_to_date(now_datetime(), minutes=5)
		for label in ("never run, created now", "ran now"):
			with self.subTest(label):
				self.assertLessEqual(self.next_run(self.jobs[label]), soon)
		ran = frappe.db.get_value("Scheduled Job Type", self.jobs["ran six hours ago"], "last_execution")
		self.assertEqual(get_datetime(ran), get_datetime(ran_before))  # in the new clock's past: left alone
