"""Paying an invoice online: the checkout a customer starts from the invoice page, and the provider's
signed notification that settles it.

`start` creates a Pending Invoice Payment for the invoice's outstanding amount and a hosted checkout for
it (an open one from the last hour is reused, so a double click does not open two). `settle` reads the
provider's notification with the provider's own signature check and applies it idempotently: the
payment row is locked, a payment already Paid stays as it is, so a replayed (or re-sent) notification
changes nothing; the amount recorded is what the provider says was paid.
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, flt, get_url, now_datetime

from customer_portal.activity.log import record
from customer_portal.payments.ledger import site_currency
from customer_portal.payments.providers import require_provider
from customer_portal.permissions import portal_write

REUSE_MINUTES = 60


def start(invoice) -> str:
	"""The checkout URL for paying `invoice` (loaded through the scoping policy) in full."""
	provider = require_provider()
	if invoice.docstatus != 1 or flt(invoice.outstanding_amount) <= 0:
		frappe.throw(
			_("Invoice {0} has nothing left to pay.").format(invoice.name), title=_("Nothing to Pay")
		)
	amount = flt(invoice.outstanding_amount)
	open_payment = frappe.db.get_value(
		"Invoice Payment",
		{
			"invoice": invoice.name,
			"status": "Pending",
			"amount": amount,
			"creation": (">", add_to_date(now_datetime(), minutes=-REUSE_MINUTES)),
		},
		["name", "checkout_url"],
		as_dict=True,
	)
	if open_payment and open_payment.checkout_url:
		return open_payment.checkout_url
	page = get_url(f"/portal/invoices/{invoice.name}")
	with portal_write("Invoice Payment"):
		payment = frappe.get_doc(
			{
				"doctype": "Invoice Payment",
				"invoice": invoice.name,
				"amount": amount,
				"currency": site_currency(),
				"status": "Pending",
				"method": "Online",
				"provider": provider.name,
			}
		).insert()
		checkout = provider.create_checkout(
			payment=payment.name,
			invoice=invoice.name,
			amount=amount,
			currency=payment.currency,
			description=_("Invoice {0}").format(invoice.name),
			success_url=f"{page}?payment=done",
			cancel_url=f"{page}?payment=cancelled",
			email=frappe.db.get_value("User", frappe.session.user, "email"),
		)
		payment.db_set({"provider_reference": checkout.reference, "checkout_url": checkout.url})
	record("Payment", "Invoice", invoice.name, details={"checkout": payment.name, "amount": amount})
	return checkout.url


def settle(payload: bytes, headers) -> str:
	"""Apply a provider notification; returns what was done (for the log and the provider)."""
	notice = require_provider().read_notification(payload, headers)  # InvalidNotification: nothing done
	if notice.outcome == "other" or not notice.reference:
		return "ignored"
	name = frappe.db.get_value(
		"Invoice Payment", {"provider_reference": notice.reference}, "name", for_update=True
	)
	if not name:
		return "unknown checkout"
	payment = frappe.get_doc("Invoice Payment", name)
	if payment.status == "Paid":
		return "already paid"
	if notice.outcome == "paid":
		payment.status = "Paid"
		payment.paid_on = now_datetime()
		payment.provider_event = notice.event_id
		if notice.amount is not None:
			payment.amount = notice.amount
		payment.save()
		return "paid"
	if payment.status == "Pending":
		payment.status = "Failed" if notice.outcome == "failed" else "Expired"
		payment.provider_event = notice.event_id
		payment.save()
	return notice.outcome
