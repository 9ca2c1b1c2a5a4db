"""The ticket categories a new site starts with (admins rename, reorder, retire or add to them in desk)."""

import frappe

DEFAULT_CATEGORIES = (
	("Order status", "Where an order is, delivery dates, changes to an order."),
	("Billing", "Invoices, payments, statements."),
	("Documents", "Certificates, drawings, reports and other documents."),
	("Technical problem", "Something in the portal does not work as expected."),
	("Other", "Anything else."),
)


def ensure_ticket_categories() -> None:
	"""Create the defaults on a site that has no category yet (never again once admins changed them)."""
	if frappe.db.count("Ticket Category"):
		return
	for order, (name, description) in enumerate(DEFAULT_CATEGORIES, start=1):
		frappe.get_doc(
			{
				"doctype": "Ticket Category",
				"category_name": name,
				"description": description,
				"sort_order": order * 10,
			}
		).insert(ignore_permissions=True)
