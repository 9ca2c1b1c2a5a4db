"""The bell: a portal user's unread notifications, through the scoping policy."""

import frappe

from customer_portal.permissions import get_scope


def unread_count(customer: str | None = None) -> int:
	"""The session user's unread portal notifications (the bell), of one customer or all of theirs."""
	scope = get_scope("Portal Notification")
	if scope is None or frappe.session.user == "Guest":
		return 0
	notification = frappe.qb.DocType("Portal Notification")
	where = scope.criterion(notification) & (notification.in_portal == 1) & (notification.is_read == 0)
	if customer:
		where &= notification.customer == customer
	return (
		frappe.qb.from_(notification)
		.select(frappe.query_builder.functions.Count("*"))
		.where(where)
		.run()[0][0]
	)
