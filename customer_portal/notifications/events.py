"""Portal events: every change a customer hears about is raised here, once, where it happens.

An event is a Portal Event row written in the same transaction as the change (so a rolled-back change
raises nothing) with a key that makes raising it twice a no-op. Its fan-out is scheduled for after the
commit (`dispatch.dispatch_pending`), never run in the request that made the change.
"""

import json

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from customer_portal.notifications.catalogue import (
	INVOICE_OVERDUE,
	NEW_DOCUMENT,
	NEW_DOCUMENT_VERSION,
	NEW_INVOICE,
	ORDER_STAGE_CHANGED,
	PAYMENT_RECORDED,
)
from customer_portal.notifications.dispatch import schedule_dispatch


def raise_events(events: list[dict]) -> list[str]:
	"""Record events (dicts of event_type, customer, reference_doctype, reference_name, subject, key,
	details) that were not recorded before, and queue their fan-out after the commit."""
	if not events or not notifications_enabled():
		return []
	keys = [event["key"] for event in events]
	known = set(frappe.get_all("Portal Event", filters={"event_key": ("in", keys)}, pluck="event_key"))
	now = now_datetime()
	rows, names = [], []
	for event in events:
		if event["key"] in known:
			continue
		known.add(event["key"])
		name = frappe.generate_hash(length=12)
		names.append(name)
		details = {"actor": frappe.session.user, **(event.get("details") or {})}
		rows.append(
			(
				name,
				now,
				now,
				frappe.session.user,
				frappe.session.user,
				event["event_type"],
				event["customer"],
				event["subject"][:240],
				event["reference_doctype"],
				event["reference_name"],
				"Pending",
				0,
				event["key"][:240],
				json.dumps(details, default=str),
			)
		)
	# system-written rows, like Frappe's own logs: no controller runs, and no user permission applies
	frappe.db.bulk_insert(
		"Portal Event",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"event_type",
			"customer",
			"subject",
			"reference_doctype",
			"reference_name",
			"status",
			"attempts",
			"event_key",
			"details",
		],
		rows,
	)
	if names:
		# after the commit: a rolled-back change schedules nothing (and its events are gone with it)
		if schedule_dispatch not in frappe.db.after_commit._functions:
			frappe.db.after_commit.add(schedule_dispatch)
	return names


def notifications_enabled() -> bool:
	return not frappe.db.get_single_value("Customer Portal Settings", "pause_notifications")


def raise_event(event_type, doc, subject, key, **details) -> None:
	raise_events(
		[
			{
				"event_type": event_type,
				"customer": doc.customer,
				"reference_doctype": doc.doctype,
				"reference_name": doc.name,
				"subject": subject,
				"key": key,
				"details": details,
			}
		]
	)


# --- where each event happens (doc_events) -------------------------------------------------------


def order_updated(doc, method=None) -> None:
	before = doc.get_doc_before_save()
	if not before or before.stage == doc.stage or not doc.stage_history:
		return
	reached = doc.stage_history[-1]
	raise_event(
		ORDER_STAGE_CHANGED,
		doc,
		_("Order {0} is now {1}").format(doc.name, _(doc.stage)),
		f"order-stage:{doc.name}:{reached.name}",
		title=doc.title,
		stage=doc.stage,
		previous_stage=before.stage,
	)


def invoice_submitted(doc, method=None) -> None:
	raise_event(
		NEW_INVOICE,
		doc,
		_("New invoice {0}").format(doc.name),
		f"invoice-new:{doc.name}",
		total=doc.total,
		due_date=doc.due_date,
	)


def invoice_updated_after_submit(doc, method=None) -> None:
	before = doc.get_doc_before_save()
	if not before or flt(doc.paid_amount) <= flt(before.paid_amount):
		return
	raise_event(
		PAYMENT_RECORDED,
		doc,
		_("Payment recorded on invoice {0}").format(doc.name),
		f"invoice-payment:{doc.name}:{flt(doc.paid_amount)}:{doc.modified}",
		amount=flt(doc.paid_amount) - flt(before.paid_amount),
		outstanding_amount=doc.outstanding_amount,
	)


def invoices_became_overdue(invoices: list[dict]) -> None:
	"""From the daily overdue job: rows of name, customer, due_date and outstanding_amount."""
	raise_events(
		[
			{
				"event_type": INVOICE_OVERDUE,
				"customer": row.customer,
				"reference_doctype": "Invoice",
				"reference_name": row.name,
				"subject": _("Invoice {0} is overdue").format(row.name),
				"key": f"invoice-overdue:{row.name}:{row.due_date}",
				"details": {"due_date": row.due_date, "outstanding_amount": row.outstanding_amount},
			}
			for row in invoices
		]
	)


def document_updated(doc, method=None) -> None:
	before = doc.get_doc_before_save()
	if before and before.version == doc.version:
		return
	if doc.version <= 1:
		raise_event(
			NEW_DOCUMENT,
			doc,
			_("New document: {0}").format(doc.title),
			f"document-new:{doc.name}",
			title=doc.title,
			document_type=doc.document_type,
		)
	else:
		raise_event(
			NEW_DOCUMENT_VERSION,
			doc,
			_("New version of {0}").format(doc.title),
			f"document-version:{doc.name}:{doc.version}",
			title=doc.title,
			version=doc.version,
		)
