"""The one fan-out: an event becomes a notification for each portal user of its customer, in the portal
and by email as each chose. Runs in RQ workers, never in the request that changed the record.

Events are dispatched in batches, each one transaction that locks its event rows: the notifications
(unique per event and user), the immediate emails (Frappe's Email Queue) and the events' "Dispatched" mark
commit together or not at all. A committed event schedules one run of `dispatch_pending` (at most one is
queued at a time, however many events arrive). A worker killed mid-fan-out leaves its events Pending;
`requeue_pending_events` (every few minutes) schedules a run again, and the locks and the unique keys make
a second run, or two racing workers, deliver nothing twice.
"""

import time
from contextlib import contextmanager

import frappe
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.email.queue import flush
from frappe.integrations.doctype.webhook import run_webhooks
from frappe.utils import add_to_date, now_datetime

from customer_portal.infra.redis_outage import unless_redis_is_down
from customer_portal.infra.transactions import named_lock
from customer_portal.notifications.emails import customer_names, recipients, send_event_email
from customer_portal.notifications.preferences import preferences_for
from customer_portal.permissions import portal_user_rows

# what the fan-out and the emails need of an event
EVENT_FIELDS = ["name", "event_type", "customer", "subject", "reference_doctype", "reference_name", "details"]
NOTIFICATION_FIELDS = [
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"user",
	"customer",
	"event",
	"event_type",
	"subject",
	"reference_doctype",
	"reference_name",
	"in_portal",
	"is_read",
	"email_mode",
	"email_status",
]


DISPATCH_SCHEDULED = "customer_portal:dispatch_scheduled"
FLUSH_SCHEDULED = "customer_portal:flush_scheduled"
BATCH = 50
# a run stops after this long and queues its successor, well inside RQ's job timeout
TIME_BUDGET_SECONDS = 200


def schedule_dispatch(force: bool = False) -> None:
	"""Queue a fan-out run unless one is already queued and not yet started (a Redis flag with a TTL,
	so a run lost with a worker or a Redis restart does not block the next one for long). Only a nudge:
	the events are Pending rows `requeue_pending_events` queues every five minutes, so a Redis restart
	skips it (infra/redis_outage.py)."""
	with unless_redis_is_down("the notification fan-out"):
		if force or _claim(DISPATCH_SCHEDULED):
			frappe.enqueue("customer_portal.notifications.dispatch.dispatch_pending", queue="short")


def dispatch_pending() -> int:
	"""RQ job: fan out every Pending event, a batch per transaction. Batches are claimed with
	`FOR UPDATE SKIP LOCKED`, so two workers running this job share the work without waiting on each
	other, and an event whose fan-out did not commit is simply found again."""
	frappe.cache.delete_value(DISPATCH_SCHEDULED)  # events raised from now on queue another run
	started = time.monotonic()
	dispatched = 0
	while True:
		names = frappe.db.sql(
			"""select name from `tabPortal Event` where status = 'Pending'
			order by creation limit %s for update skip locked""",
			(BATCH,),
			pluck=True,
		)
		if not names:
			break
		for name in names:
			dispatch_event(name)
		frappe.db.commit()
		dispatched += len(names)
		if time.monotonic() - started > TIME_BUDGET_SECONDS:
			schedule_dispatch(force=True)
			break
	if dispatched:
		flush_email_queue()
	return dispatched


def dispatch_event(name: str) -> int:
	"""Fan one event out (idempotent); returns how many notifications it created."""
	event = frappe.db.get_value(
		"Portal Event", name, [*EVENT_FIELDS, "status", "attempts"], as_dict=True, for_update=True
	)
	if not event or event.status == "Dispatched":
		return 0
	actor = frappe.parse_json(event.details or "{}").get("actor")
	recipients = [user for user in portal_users(event.customer) if user.name != actor]
	preferences = preferences_for([user.name for user in recipients], event.event_type)
	already = set(frappe.get_all("Portal Notification", filters={"event": name}, pluck="user"))
	now = now_datetime()
	# without an outgoing Email Account, immediate emails wait (Pending) until one is set up
	can_email = bool(EmailAccount.find_default_outgoing())
	rows, immediate = [], []
	for user in recipients:
		if user.name in already:
			continue
		preference = preferences[user.name]
		email_status = "Not Needed" if preference.email == "Off" else "Pending"
		if preference.email == "Immediately" and can_email:
			email_status = "Queued"
			immediate.append(user)
		rows.append(
			notification_row(event, user.name, preference.in_portal, preference.email, email_status, now)
		)
	# a unique (event, user) key: a second run after a partial one inserts nothing twice
	frappe.db.bulk_insert("Portal Notification", NOTIFICATION_FIELDS, rows, ignore_duplicates=True)
	customer_name = customer_names([event.customer]).get(event.customer) if immediate else None
	for user in immediate:
		send_event_email(event, user, customer_name)
	frappe.db.set_value(
		"Portal Event",
		name,
		{"status": "Dispatched", "dispatched_on": now, "attempts": (event.attempts or 0) + 1},
		update_modified=False,
	)
	run_outgoing_webhooks(name)
	return len(rows)


def run_outgoing_webhooks(name: str) -> None:
	"""Staff's outgoing webhooks on portal events: Frappe Webhooks for *Portal Event* / *after_insert*
	(each with its signing secret, `X-Frappe-Webhook-Signature`). Events are written in bulk, without
	controllers, so Frappe's doc event never fires for them: the fan-out runs the Webhooks instead, once
	per event (this runs only while the event goes from Pending to Dispatched); Frappe sends them from the
	queue after the commit."""
	doc = frappe.get_doc("Portal Event", name)
	doc.flags.in_insert = True
	run_webhooks(doc, "after_insert")


def notification_row(event, user: str, in_portal: bool, email_mode: str, email_status: str, now) -> tuple:
	"""One unread Portal Notification of `event` for `user`, as a row in NOTIFICATION_FIELDS order."""
	return (
		frappe.generate_hash(length=12),
		now,
		now,
		"Administrator",
		"Administrator",
		user,
		event.customer,
		event.name,
		event.event_type,
		event.subject,
		event.reference_doctype,
		event.reference_name,
		int(in_portal),
		0,
		email_mode,
		email_status,
	)


def portal_users(customer: str) -> list[frappe._dict]:
	"""The enabled users linked to `customer`, with what their emails are rendered in."""
	link = frappe.qb.DocType("Customer Portal User")
	user = frappe.qb.DocType("User")
	return (
		frappe.qb.from_(link)
		.join(user)
		.on(user.name == link.user)
		.select(user.name, user.email, user.full_name, user.language, user.time_zone)
		.distinct()
		.where((link.parent == customer) & portal_user_rows(link) & (user.enabled == 1))
		.orderby(user.name)
		.run(as_dict=True)
	)


def requeue_pending_events(older_than_seconds: int = 120) -> int:
	"""Scheduler: queue again the events whose fan-out did not commit (a worker died, Redis was down),
	and send the immediate emails that waited for an outgoing Email Account."""
	cutoff = add_to_date(now_datetime(), seconds=-older_than_seconds)
	send_waiting_emails(cutoff)
	names = frappe.get_all(
		"Portal Event",
		filters={"status": "Pending", "creation": ("<=", cutoff)},
		pluck="name",
		order_by="creation asc",
		limit=5000,
	)
	if names:
		schedule_dispatch(force=True)
	return len(names)


def send_waiting_emails(cutoff) -> int:
	"""Immediate emails still Pending (no Email Account at the time), oldest first, each row locked."""
	if not EmailAccount.find_default_outgoing():
		return 0
	notification = frappe.qb.DocType("Portal Notification")
	rows = (
		frappe.qb.from_(notification)
		.select(notification.name, notification.user, notification.event)
		.where(
			(notification.email_mode == "Immediately")
			& (notification.email_status == "Pending")
			& (notification.creation <= cutoff)
		)
		.orderby(notification.creation)
		.limit(1000)
		.for_update()
		.run(as_dict=True)
	)
	if not rows:
		return 0
	events = {
		event.name: event
		for event in frappe.get_all(
			"Portal Event",
			filters={"name": ("in", list({row.event for row in rows}))},
			fields=EVENT_FIELDS,
		)
	}
	users = recipients({row.user for row in rows})
	names = customer_names({event.customer for event in events.values()})
	for row in rows:
		event, user = events.get(row.event), users.get(row.user)
		if event and user:
			send_event_email(event, user, names.get(event.customer))
	(
		frappe.qb.update(notification)
		.set(notification.email_status, "Queued")
		.set(notification.emailed_on, now_datetime())
		.where(notification.name.isin([row.name for row in rows]))
		.run()
	)
	frappe.db.commit()
	flush_email_queue()
	return len(rows)


FLUSH_LOCK = "customer_portal_email_flush"


def flush_email_queue() -> None:
	"""Hand the queued emails to Frappe's sender now rather than at its next scheduler tick (once the
	transaction that queued them is committed)."""
	if _queue_flush not in frappe.db.after_commit._functions:
		frappe.db.after_commit.add(_queue_flush)


def _queue_flush() -> None:
	with unless_redis_is_down("the email flush"):
		if _claim(FLUSH_SCHEDULED):
			frappe.enqueue("customer_portal.notifications.dispatch.send_queued_emails", queue="short")


def send_queued_emails() -> None:
	"""RQ job: Frappe's Email Queue flush, one at a time. Two flushes at once would both pick the same
	unsent emails and send them twice; a second one waits for the first, then sends what is left."""
	frappe.cache.delete_value(FLUSH_SCHEDULED)  # emails queued from now on get another flush
	with email_flush_lock() as locked:
		if locked:
			flush()


@contextmanager
def email_flush_lock():
	"""Hold the flush lock (True), or give up after 5 minutes (False). Once it is held, the job reads
	afresh: the snapshot its transaction began before the wait would still show the emails the flush
	it waited for sent as unsent (a load run's email sent twice, 0.7 s apart)."""
	with named_lock(FLUSH_LOCK, 300) as locked:
		if locked:
			frappe.db.rollback()  # a named lock outlives the transaction
		yield locked


def _claim(flag: str) -> bool:
	"""Set a site-scoped Redis flag if it is not set; True if this call set it."""
	return bool(frappe.cache.set(frappe.cache.make_key(flag), 1, nx=True, ex=120))
