from urllib.parse import urlparse

import frappe

from customer_portal.activity.log import record
from customer_portal.portal.context import set_active_customer
from customer_portal.web.answers import redirect


@frappe.whitelist(methods=["POST"])
def switch_customer(customer: str, redirect_to: str | None = None) -> None:
	"""Make `customer` the active customer of the session user (remembered across sessions)."""
	set_active_customer(customer)
	record("Customer Switch", "Customer", customer, customer=customer)
	target = urlparse(redirect_to or "")
	# only ever back into the portal: never an open redirect
	path = target.path if not target.netloc and target.path.startswith("/portal") else "/portal"
	redirect(path)
