"""Staff's view of a customer's activity on the Customer form."""

import frappe
from frappe import _
from frappe.utils import cint

from customer_portal.permissions import get_permitted_customers

PAGE = 50


@frappe.whitelist(methods=["GET"])
def customer_activity(
	customer: str, user: str | None = None, action: str | None = None, before: str | None = None
):
	"""The customer's activity, newest first, a page at a time (`before`: the last entry shown)."""
	if get_permitted_customers() is not None:
		frappe.throw(_("Only staff see a customer's activity here."), frappe.PermissionError)
	frappe.get_doc("Customer", customer).check_permission("read")
	filters = {"customer": customer}
	if user:
		filters["user"] = user
	if action:
		filters["action"] = action
	if cint(before):
		filters["name"] = ("<", cint(before))
	rows = frappe.get_list(
		"Portal Activity",
		filters=filters,
		fields=[
			"name",
			"creation",
			"action",
			"user",
			"reference_doctype",
			"reference_name",
			"details",
			"ip_address",
		],
		order_by="name desc",
		limit_page_length=PAGE,
	)
	return {
		"rows": rows,
		"more": len(rows) == PAGE,
		"actions": frappe.get_meta("Portal Activity").get_field("action").options.split("\n"),
	}
