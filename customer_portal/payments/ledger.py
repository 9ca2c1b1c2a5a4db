"""Payments recorded against invoices (Invoice Payment): each payment that reaches *Paid* adds its amount
to its invoice's paid amount exactly once, and the invoice recomputes its outstanding amount and status
(and raises "Payment Recorded"). Staff record bank transfers and the like in desk; online payments are
created Pending by the checkout and confirmed by the provider's webhook (payments/checkout.py)."""

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from customer_portal.infra.records import reserve_names
from customer_portal.permissions import get_permitted_customers


def site_currency() -> str:
	"""The currency invoices are kept and paid in: the site's default, as payment providers spell it."""
	return (frappe.db.get_default("currency") or "USD").upper()


UNTRACKED_NOTE = "Recorded on the invoice itself, not as a payment of its own."


def validate_payment(doc) -> None:
	invoice = frappe.db.get_value(
		"Invoice", doc.invoice, ["customer", "docstatus", "total", "paid_amount"], as_dict=True
	)
	if not invoice or invoice.docstatus != 1:
		frappe.throw(_("Payments are recorded against submitted invoices."), title=_("Invoice Not Submitted"))
	doc.customer = invoice.customer
	if get_permitted_customers() is not None and (doc.status != "Pending" or doc.method != "Online"):
		# customers only start online checkouts; the provider (or staff) say what was paid
		frappe.throw(_("Only the payment provider or staff record a payment."), frappe.PermissionError)
	if flt(doc.amount) <= 0:
		frappe.throw(_("A payment's amount must be more than zero."), title=_("Invalid Amount"))
	before = doc.get_doc_before_save()
	if before and before.status == "Paid" and (doc.status != "Paid" or flt(doc.amount) != flt(before.amount)):
		frappe.throw(
			_("A paid payment cannot be changed; record a correction as a new payment."),
			title=_("Already Paid"),
		)
	if doc.status == "Paid" and not doc.paid_on:
		doc.paid_on = now_datetime()


def apply_to_invoice(doc) -> None:
	"""`on_update`: a payment that has just become Paid is added to its invoice (under a row lock)."""
	before = doc.get_doc_before_save()
	if doc.status != "Paid" or (before and before.status == "Paid"):
		return
	invoice = frappe.get_doc("Invoice", doc.invoice, for_update=True)
	paid = flt(invoice.paid_amount) + flt(doc.amount)
	if paid > flt(invoice.total):
		doc.add_comment(
			"Comment",
			_(
				"The invoice was already paid up to {0}: {1} more than its total was received and is due back."
			).format(
				invoice.get_formatted("paid_amount"), frappe.format(paid - flt(invoice.total), "Currency")
			),
		)
		paid = flt(invoice.total)
	invoice.paid_amount = paid
	invoice.flags.from_payment = True
	invoice.save()


def track_direct_change(invoice, method=None) -> None:
	"""Invoice.on_update_after_submit: a paid amount changed on the invoice itself (not by a payment)
	becomes a payment row too, so statements list every payment; nothing is applied twice."""
	before = invoice.get_doc_before_save()
	if invoice.flags.from_payment or not before:
		return
	delta = flt(invoice.paid_amount) - flt(before.paid_amount)
	if delta:
		record_untracked_payments([invoice.name])


def record_untracked_payments(invoices: list[str] | None = None) -> int:
	"""Payment rows for paid amounts that no payment explains (older data, bulk imports, direct edits):
	one row each for the difference, dated at the invoice's last change, inserted in bulk without
	touching the invoice again. Returns how many were recorded."""
	condition = "and i.name in %(invoices)s" if invoices else ""
	rows = frappe.db.sql(
		f"""
		select i.name, i.customer, i.modified,
			i.paid_amount - ifnull((
				select sum(p.amount) from `tabInvoice Payment` p where p.invoice = i.name and p.status = 'Paid'
			), 0) as missing
		from `tabInvoice` i
		where i.docstatus = 1 {condition}
		having abs(missing) >= 0.005
		""",
		{"invoices": tuple(invoices or ())},
		as_dict=True,
	)
	if not rows:
		return 0
	names = reserve_names("PAY-.YYYY.-", len(rows))
	now, user = now_datetime(), frappe.session.user
	currency = site_currency()
	frappe.db.bulk_insert(
		"Invoice Payment",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"docstatus",
			"invoice",
			"customer",
			"amount",
			"currency",
			"status",
			"method",
			"paid_on",
			"note",
		],
		[
			[
				name,
				now,
				now,
				user,
				user,
				0,
				row.name,
				row.customer,
				flt(row.missing, 2),
				currency,
				"Paid",
				"Other",
				row.modified,
				_(UNTRACKED_NOTE),
			]
			for name, row in zip(names, rows, strict=True)
		],
	)
	return len(rows)
