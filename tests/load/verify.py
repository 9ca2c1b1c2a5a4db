"""What the database, the SMTP server and the file store hold after the load, against what the load
generator was told: every acknowledged write is there, every notification went out exactly once, and
nothing was left half-made. Runs inside soak.py's Frappe connection (to the run's copy of the database).
Each check returns (what it counted, the problems it found)."""

import email
import json
from collections import Counter
from email import policy
from pathlib import Path

import frappe

from customer_portal.documents.storage import is_s3_url, key_of
from customer_portal.notifications.dispatch import portal_users

# the doctypes whose new rows the checks look at (snapshotted when the run begins)
NEW_ROWS = ("File", "Portal Event", "Email Queue")


class Since:
	"""The moment the run began and the names of NEW_ROWS rows that existed then: the demo dates some
	rows in the future, so "created since" alone would count them as the run's."""

	def __init__(self, started, existing: dict[str, set[str]]):
		self.started, self.existing = started, existing

	def new(self, doctype: str, filters: dict | None = None, fields: list[str] | None = None) -> list:
		rows = frappe.get_all(
			doctype,
			filters={**(filters or {}), "creation": (">=", self.started)},
			fields=fields or ["name"],
		)
		return [row for row in rows if row.name not in self.existing[doctype]]


def acknowledged_writes(acks: list[dict], since: Since) -> tuple[dict, list[str]]:
	started = since.started
	problems = []
	tickets = [a for a in acks if a["ack"] == "ticket"]
	stored = {
		row.name: row
		for row in frappe.get_all(
			"Support Ticket",
			filters={"name": ("in", [t["name"] for t in tickets] or [""])},
			fields=["name", "subject"],
		)
	}
	for ticket in tickets:
		row = stored.get(ticket["name"])
		if not row or row.subject != ticket["subject"]:
			problems.append(f"acknowledged ticket {ticket['name']} ({ticket['subject']}) is not stored")

	changes = Counter(
		(json.loads(row.details or "{}").get("time_zone", [None, None])[1], row.user)
		for row in frappe.get_all(
			"Portal Activity",
			filters={"action": "Settings Change", "creation": (">=", started)},
			fields=["user", "details"],
		)
	)
	settings = Counter((a["time_zone"], a["user"]) for a in acks if a["ack"] == "settings")
	for key, count in settings.items():
		if changes[key] < count:
			problems.append(f"{count} acknowledged settings changes {key}, {changes[key]} recorded")

	history = Counter(
		(row.parent, row.stage, row.reached_by)
		for row in frappe.get_all(
			"Order Stage History",
			filters={"reached_on": (">=", started), "parenttype": "Order"},
			fields=["parent", "stage", "reached_by"],
		)
	)
	stages = Counter((a["order"], a["stage"], a["user"]) for a in acks if a["ack"] == "stage")
	for key, count in stages.items():
		if history[key] < count:
			problems.append(f"{count} acknowledged stage changes {key}, {history[key]} in the history")
	counted = {"tickets": len(tickets), "settings changes": settings.total(), "stage changes": stages.total()}
	return counted, problems


def notifications(since: Since, mail_folder: Path) -> tuple[dict, list[str]]:
	"""Every event raised during the run fanned out to each of its recipients exactly once, and each
	immediate email was queued once and reached the SMTP server once."""
	problems = []
	events = since.new("Portal Event", fields=["name", "status", "customer", "details"])
	delivered = Counter(
		(row.event, row.user)
		for row in frappe.get_all(
			"Portal Notification",
			filters={"event": ("in", [e.name for e in events] or [""])},
			fields=["event", "user"],
		)
	)
	recipients = {}
	expected = 0
	for event in events:
		if event.status != "Dispatched":
			problems.append(f"event {event.name} is still {event.status}")
			continue
		if event.customer not in recipients:
			recipients[event.customer] = [user.name for user in portal_users(event.customer)]
		actor = frappe.parse_json(event.details or "{}").get("actor")
		for user in recipients[event.customer]:
			if user == actor:
				continue
			expected += 1
			if delivered[(event.name, user)] != 1:
				problems.append(
					f"event {event.name}: {delivered[(event.name, user)]} notifications to {user}"
				)

	# the immediate emails of the run's events, and those of earlier events that waited for an outgoing
	# Email Account and were sent during the run (the scheduler's sweep, dispatch.send_waiting_emails)
	immediate = {
		row.name: row
		for filters in (
			{"event": ("in", [e.name for e in events] or [""])},
			{"emailed_on": (">=", since.started)},
		)
		for row in frappe.get_all(
			"Portal Notification",
			filters={**filters, "email_status": ("in", ["Queued", "Sent"])},
			fields=["name", "user", "reference_name"],
		)
	}.values()
	queue = frappe.qb.DocType("Email Queue")
	recipient = frappe.qb.DocType("Email Queue Recipient")
	queued = (
		frappe.qb.from_(queue)
		.join(recipient)
		.on(recipient.parent == queue.name)
		.select(queue.name, queue.status, queue.message_id, queue.reference_name, recipient.recipient)
		.where((queue.creation >= since.started) & (queue.reference_doctype == "Order"))
		.run(as_dict=True)
	)
	queued = [row for row in queued if row.name not in since.existing["Email Queue"]]
	wanted = Counter((row.user, row.reference_name) for row in immediate)
	made = Counter((row.recipient, row.reference_name) for row in queued)
	for key in wanted.keys() | made.keys():
		if wanted[key] != made[key]:
			problems.append(f"{wanted[key]} immediate emails {key} wanted, {made[key]} queued")
	received = Counter(message_ids(mail_folder))
	for row in queued:
		if row.status != "Sent":
			problems.append(f"email {row.name} to {row.recipient} is {row.status} after the run")
		elif received[row.message_id] != 1:
			problems.append(f"email {row.name} reached the SMTP server {received[row.message_id]} times")
	counted = {
		"events": len(events),
		"notifications": expected,
		"emails": len(queued),
		"messages received": sum(received[row.message_id] for row in queued),
	}
	return counted, problems


def message_ids(folder: Path) -> list[str]:
	ids = []
	for path in sorted(folder.glob("*.eml")):
		message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
		ids.append(str(message["Message-Id"] or "").strip().strip("<>"))
	return ids


def leftovers(
	since: Since, run: str, stored_keys: set[str] | None, local_files: set[str]
) -> tuple[dict, list[str]]:
	"""No ticket without its message, no File without its record or content, no stored content without
	its File. `stored_keys`: the S3 bucket's keys (None: local storage); `local_files`: names of private
	files written on disk during the run."""
	problems = []
	tickets = frappe.get_all("Support Ticket", filters={"subject": ("like", f"{run} %")}, pluck="name")
	with_message = set(
		frappe.get_all(
			"Support Ticket Message",
			filters={"ticket": ("in", tickets or [""])},
			pluck="ticket",
			distinct=True,
		)
	)
	problems += [f"ticket {name} has no message" for name in tickets if name not in with_message]

	files = since.new(
		"File", {"is_folder": 0}, ["name", "file_url", "attached_to_doctype", "attached_to_name"]
	)
	referenced_keys, referenced_local = set(), set()
	for file in files:
		if not file.attached_to_doctype or not frappe.db.exists(
			file.attached_to_doctype, file.attached_to_name
		):
			problems.append(f"File {file.name} ({file.file_url}) is attached to nothing")
		key = key_of(file.file_url) if is_s3_url(file.file_url) else None
		if key:
			referenced_keys.add(key)
			if stored_keys is not None and key not in stored_keys:
				problems.append(f"File {file.name}: object {key} is missing")
		elif (file.file_url or "").startswith("/private/files/"):
			name = file.file_url.rsplit("/", 1)[1]
			referenced_local.add(name)
			if name not in local_files:
				problems.append(f"File {file.name}: {file.file_url} is missing on disk")
	if stored_keys is not None:
		all_keys = set(frappe.get_all("File", filters={"file_url": ("like", "%key=%")}, pluck="file_url"))
		known = {key_of(url) for url in all_keys if is_s3_url(url)}
		problems += [f"object {key} belongs to no File" for key in sorted(stored_keys - known)]
	problems += [f"private file {name} belongs to no File" for name in sorted(local_files - referenced_local)]
	counted = {"tickets": len(tickets), "files": len(files), "stored objects": len(stored_keys or ())}
	return counted, problems
