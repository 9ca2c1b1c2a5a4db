"""Daily and weekly digests, from `scheduler_events`.

A digest gathers a user's notifications still waiting for that email mode, grouped by customer and event
type, in one email in the user's language and time zone. It goes out at the hour admins set (Customer
Portal Settings, *Digest Hour* and *Weekly Digest Day*) in the recipient's own time zone: an hourly job
sends each user the rows created before their latest digest moment. The rule needs no record of past runs,
so a run the scheduler missed is caught up by the next one, and rows created after the moment wait for the
next digest.

Users are taken in batches whose waiting rows are locked (`FOR UPDATE`), emailed and marked Queued in one
transaction: a retried job or a second worker racing this one finds them no longer waiting, so no event is
sent twice, and a user with nothing waiting gets no email at all.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import frappe
from frappe.utils import cint, get_system_timezone, now_datetime

from customer_portal.notifications.catalogue import portal_url
from customer_portal.notifications.dispatch import flush_email_queue
from customer_portal.notifications.emails import customer_names, recipients, send_digest_email

BATCH = 100
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def send_daily_digests() -> int:
	return send_digests("Daily")


def send_weekly_digests() -> int:
	return send_digests("Weekly")


def send_digests(mode: str, batch: int = BATCH, now: datetime | None = None) -> int:
	"""Send every `mode` digest that is due; returns how many emails were queued."""
	settings = frappe.get_cached_doc("Customer Portal Settings")
	hour = cint(settings.digest_hour) if settings.digest_hour is not None else 7
	weekday = WEEKDAYS.index(settings.weekly_digest_day or "Monday") if mode == "Weekly" else None
	now = now or now_datetime()
	sent = 0
	for time_zone in waiting_time_zones(mode):
		cutoff = digest_moment(now, zone_of(time_zone), hour, weekday)
		after = ""
		while True:
			users = waiting_users(mode, time_zone, cutoff, after, batch)
			if not users:
				break
			after = users[-1]
			sent += send_batch(mode, users, cutoff)
			frappe.db.commit()
	flush_email_queue()
	return sent


def zone_of(time_zone: str | None) -> ZoneInfo:
	try:
		return ZoneInfo(time_zone or get_system_timezone())
	except (ZoneInfoNotFoundError, ValueError):
		return ZoneInfo(get_system_timezone())


def digest_moment(now: datetime, zone: ZoneInfo, hour: int, weekday: int | None = None) -> datetime:
	"""The latest digest moment at or before `now` (system time) for someone in `zone`: `hour` o'clock
	their time, on `weekday` (0 = Monday) for weekly digests. Returned in system time, without tzinfo."""
	system = ZoneInfo(get_system_timezone())
	local_now = now.replace(tzinfo=system).astimezone(zone)
	moment = local_now.replace(hour=hour, minute=0, second=0, microsecond=0)
	if weekday is None:
		if moment > local_now:
			moment -= timedelta(days=1)
	else:
		moment -= timedelta(days=(moment.weekday() - weekday) % 7)
		if moment > local_now:
			moment -= timedelta(days=7)
	# rebuild the wall-clock time in the zone so a daylight-saving change in between is honoured
	moment = moment.replace(tzinfo=None).replace(tzinfo=zone)
	return moment.astimezone(system).replace(tzinfo=None)


def waiting(mode: str):
	notification = frappe.qb.DocType("Portal Notification")
	user = frappe.qb.DocType("User")
	query = (
		frappe.qb.from_(notification)
		.join(user)
		.on(user.name == notification.user)
		.where((notification.email_mode == mode) & (notification.email_status == "Pending"))
	)
	return query, notification, user


def waiting_time_zones(mode: str) -> list:
	query, _notification, user = waiting(mode)
	return query.select(user.time_zone).distinct().run(pluck=True)


def waiting_users(mode: str, time_zone: str | None, cutoff: datetime, after: str, limit: int) -> list[str]:
	query, notification, user = waiting(mode)
	in_zone = user.time_zone.isnull() if time_zone is None else user.time_zone == time_zone
	return (
		query.select(notification.user)
		.distinct()
		.where(in_zone & (notification.creation < cutoff) & (notification.user > after))
		.orderby(notification.user)
		.limit(limit)
		.run(pluck=True)
	)


def send_batch(mode: str, users: list[str], cutoff: datetime) -> int:
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
			& (notification.creation < cutoff)
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
