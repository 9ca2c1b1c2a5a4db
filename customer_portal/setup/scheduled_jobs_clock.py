"""Scheduled jobs keep running when the site's time zone changes.

Frappe stamps times in the system time zone, and a site that has none yet (a new site before its setup
wizard) uses Asia/Kolkata. The Scheduled Job Types a new site creates are stamped then; once the setup
wizard sets a zone west of it, every job that has not run yet (Frappe counts from its creation) or ran
in the old zone's clock (from its last run) is due hours from now: a new site in UTC ran no scheduled
job for five and a half hours (no email flush, no requeue of stranded notifications, found by a load run).
"""

import frappe
from frappe.utils import now_datetime


def keep_jobs_on_time(doc, method=None) -> None:
	"""Doc event (System Settings on_update): when the time zone changes, a job whose last run (or, never
	run, its creation) lies in the future of the new clock counts from now instead."""
	if not doc.has_value_changed("time_zone"):
		return
	now = now_datetime()
	job = frappe.qb.DocType("Scheduled Job Type")
	(
		frappe.qb.update(job)
		.set(job.last_execution, now)
		.where((job.last_execution > now) | (job.last_execution.isnull() & (job.creation > now)))
		.run()
	)
