"""Emails a failure left "Sending" are finished: neither lost nor sent twice.

Frappe's sender marks an Email Queue row "Sending" (committed), hands the message to the SMTP server,
marks the recipient "Sent" (committed), then the row. If MariaDB is lost between the first and the last
step (a restart) or the worker is killed, the row stays "Sending" for good: Frappe's flush only picks
"Not Sent" rows, so nothing would send it, and without more to go on a retry could send twice.

So the portal hands each message over itself (Frappe's `override_email_send` hook, the same SMTP session
Frappe opened) and, once the server has accepted it, keeps that fact in Redis for a day: Redis does not
fail with MariaDB. `release_stalled_emails` (scheduler) then finishes each row left "Sending": a
recipient the server accepted is "Sent", any other goes back to the queue. The same record keeps a second
flush that read the queue before the first sent an email (Frappe's scheduled flush runs beside the
portal's) from sending it again. A message is sent twice only if the worker dies in the instant between
the server's acceptance and the Redis write, or Redis and MariaDB fail at once.
"""

import frappe
from frappe.utils import add_to_date, now_datetime

from customer_portal.infra.redis_outage import unless_redis_is_down
from customer_portal.notifications.dispatch import flush_email_queue

HANDED_OVER = "customer_portal:email_handed_over"
HANDED_OVER_KEPT_SECONDS = 24 * 60 * 60
# longer than any send in progress can take: Frappe's SMTP session times out after 2 minutes
STALLED_AFTER_SECONDS = 5 * 60


def send(queue, sender: str, recipient: str, message: bytes) -> None:
	"""`override_email_send`: Frappe's own hand-over (the Email Account's SMTP session, tests that do not
	test email send nothing), and then the server's acceptance remembered."""
	if frappe.flags.in_test and not frappe.flags.testing_email:
		return
	key = handed_over_key(queue.name, recipient)
	with unless_redis_is_down("the check for an email the SMTP server accepted before"):
		if frappe.cache.get(key):
			# a flush that read the queue before another sent it (Frappe's scheduled flush runs beside
			# the portal's): the server has it, and Frappe records it as sent
			frappe.logger("customer_portal").warning(
				"Email %s to %s was accepted by the SMTP server before: not sent again", queue.name, recipient
			)
			return
	session = queue.get_email_account(raise_error=True).get_smtp_server().session
	session.sendmail(from_addr=sender, to_addrs=recipient, msg=message.decode("utf-8").encode())
	with unless_redis_is_down("the record of an email the SMTP server accepted"):
		frappe.cache.set(key, 1, ex=HANDED_OVER_KEPT_SECONDS)


def handed_over_key(queue_name: str, recipient: str) -> str:
	return frappe.cache.make_key(f"{HANDED_OVER}:{queue_name}:{recipient}")


def release_stalled_emails(older_than_seconds: int = STALLED_AFTER_SECONDS) -> int:
	"""Scheduler: rows "Sending" for longer than any send takes are finished. Returns how many went back
	to the queue."""
	queue = frappe.qb.DocType("Email Queue")
	recipient = frappe.qb.DocType("Email Queue Recipient")
	cutoff = add_to_date(now_datetime(), seconds=-older_than_seconds)
	rows = (
		frappe.qb.from_(queue)
		.join(recipient)
		.on(recipient.parent == queue.name)
		.select(queue.name, recipient.name.as_("row"), recipient.recipient, recipient.status)
		.where((queue.status == "Sending") & (queue.modified < cutoff))
		.run(as_dict=True)
	)
	if not rows:
		return 0
	accepted = accepted_by_server([(row.name, row.recipient) for row in rows])
	newly_sent = [row.row for row in rows if row.status != "Sent" and (row.name, row.recipient) in accepted]
	sent = {row.row for row in rows if row.status == "Sent"} | set(newly_sent)
	by_email: dict[str, list[bool]] = {}
	for row in rows:
		by_email.setdefault(row.name, []).append(row.row in sent)
	finished = {
		"Sent": [name for name, done in by_email.items() if all(done)],
		"Partially Sent": [name for name, done in by_email.items() if any(done) and not all(done)],
		"Not Sent": [name for name, done in by_email.items() if not any(done)],
	}
	if newly_sent:
		frappe.qb.update(recipient).set(recipient.status, "Sent").where(recipient.name.isin(newly_sent)).run()
	for status, names in finished.items():
		if names:
			update = frappe.qb.update(queue).set(queue.status, status).set(queue.modified, now_datetime())
			if status != "Sent":
				update = update.set(queue.retry, queue.retry + 1)
			# a row a sender finished meanwhile keeps its own status
			update.where(queue.name.isin(names) & (queue.status == "Sending")).run()
	requeued = len(finished["Partially Sent"]) + len(finished["Not Sent"])
	if requeued:
		flush_email_queue()  # queued once this commit is done
	frappe.db.commit()
	frappe.logger("customer_portal").warning(
		"Emails left Sending: %s accepted by the SMTP server, marked Sent; %s queued again",
		len(finished["Sent"]),
		requeued,
	)
	return requeued


def accepted_by_server(emails: list[tuple[str, str]]) -> set[tuple[str, str]]:
	"""Which (Email Queue, recipient) pairs the SMTP server accepted, as remembered in Redis."""
	keys = [handed_over_key(name, recipient) for name, recipient in emails]
	return {email for email, value in zip(emails, frappe.cache.mget(keys), strict=True) if value}
