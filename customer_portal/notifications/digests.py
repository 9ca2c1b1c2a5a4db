"""Daily and weekly digests, from `scheduler_events`.

A digest gathers a user's notifications still waiting for that email mode, grouped by customer and event
type, in one email in the user's language and time zone. Users are taken in batches whose waiting rows are
locked (`FOR UPDATE`), emailed and marked Queued in one transaction: a retried job or a second worker racing
this one finds them no longer waiting, so no event is sent twice, and a user with nothing waiting gets no
email at all.
"""

from collections import defaultdict

import frappe
from frappe.utils import now_datetime

from customer_portal.notifications.dispatch import flush_email_queue
from customer_portal.notifications.emails import customer_names, recipients, send_digest_email
from customer_portal.notifications.events import portal_url

BATCH = 100


def send_daily_digests() -> int:
	return send_digests("Daily")


def send_weekly_digests() -> int:
	return send_digests("Weekly")


def send_digests(mode: str, batch: int = BATCH) -> int:
	"""Send every waiting `mode` digest; returns how many emails were queued."""
	sent = 0
	after = ""
	while True:
		users = waiting_users(mode, after, batch)
		if not users:
			break
		after = users[-1]
		sent += send_batch(mode, users)
		frappe.db.commit()
	flush_email_queue()
	return sent


def waiting_users(mode: str, after: str, limit: int) -> list[str]:
	notification = frappe.qb.DocType("Portal Notification")
	return (
		frappe.qb.from_(notification)
		.select(notification.user)
		.distinct()
		.where(
			(notification.email_mode == mode)
			& (notification.email_status == "Pending")
			& (notification.user > after)
		)
		.orderby(notification.user)
		.limit(limit)
		.run(pluck=True)
	)


def send_batch(mode: str, users: list[str]) -> int:
	notification = frappe.qb.DocType("Portal Notification")
	rows = (
		frappe.qb.from_(notification)
		.select(
			notification.name,
			notification.user,
			notification.customer,
			notification.event_type,
			notification.subject,
			notification.reference_doctype,
			notification.reference_name,
			notification.creation,
		)
		.where(
			notification.user.isin(users)
			& (notification.email_mode == mode)
			& (notification.email_status == "Pending")
		)
		.orderby(notification.creation)
		.for_update()
		.run(as_dict=True)
	)
	if not rows:
		return 0
	by_user = defaultdict(list)
	for row in rows:
		by_user[row.user].append(row)
	people = recipients(by_user)
	names = customer_names({row.customer for row in rows})
	sent = 0
	for user, user_rows in by_user.items():
		if user in people:
			send_digest_email(people[user], mode, group(user_rows, names))
			sent += 1
	(
		frappe.qb.update(notification)
		.set(notification.email_status, "Queued")
		.set(notification.emailed_on, now_datetime())
		.where(notification.name.isin([row.name for row in rows]))
		.run()
	)
	return sent


def group(rows: list[dict], customer_names: dict) -> list[dict]:
	"""Rows grouped by customer, then event type, in the order they happened."""
	groups: dict[tuple, dict] = {}
	for row in rows:
		key = (row.customer, row.event_type)
		if key not in groups:
			groups[key] = {
				"customer": row.customer,
				"customer_name": customer_names.get(row.customer, row.customer),
				"event_type": row.event_type,
				"items": [],
			}
		groups[key]["items"].append(
			{
				"subject": row.subject,
				"link": portal_url(row.reference_doctype, row.reference_name),
				"creation": row.creation,
			}
		)
	return sorted(groups.values(), key=lambda g: (g["customer_name"], g["event_type"]))
