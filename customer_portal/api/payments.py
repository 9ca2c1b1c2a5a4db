"""Online payment of invoices (payments/): the customer's Pay now, and the provider's webhook."""

import frappe
from frappe.rate_limiter import rate_limit

from customer_portal.accounts.invitations import acting_as
from customer_portal.payments import checkout
from customer_portal.payments.providers import InvalidNotification
from customer_portal.permissions import get_scoped_doc
from customer_portal.web.answers import answer


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=10, seconds=60)
def pay(invoice: str):
	"""To the provider's checkout for the invoice's outstanding amount."""
	url = checkout.start(get_scoped_doc("Invoice", invoice))
	return answer(url, {"url": url})


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=300, seconds=60)
def stripe_webhook():
	"""Stripe's signed events about checkouts. A bad signature changes nothing and answers 400."""
	try:
		# the provider's signed word, applied with system authority (as a background job would be)
		with acting_as("Administrator"):
			outcome = checkout.settle(frappe.request.get_data(), frappe.request.headers)
	except InvalidNotification:
		frappe.db.rollback()
		frappe.local.response["http_status_code"] = 400
		return {"received": False, "error": "invalid signature"}
	frappe.db.commit()
	return {"received": True, "outcome": outcome}
