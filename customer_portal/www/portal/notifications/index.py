import frappe
from frappe import _, form_dict

from customer_portal.notifications.catalogue import portal_path
from customer_portal.portal.context import page_size, portal_context
from customer_portal.portal.formatting import day
from customer_portal.portal.listing import fetch_page, list_args, page_start

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/notifications")
	context.page_title = _("Notifications")
	if not customer:
		return
	notification = frappe.qb.DocType("Portal Notification")
	conditions = [notification.in_portal == 1]
	context.unread_only = form_dict.get("unread") == "1"
	if context.unread_only:
		conditions.append(notification.is_read == 0)
	page = fetch_page(
		"Portal Notification",
		customer,
		["subject", "event_type", "reference_doctype", "reference_name", "is_read", "creation"],
		conditions,
		"creation",
		form_dict.get("after"),
		page_size(),
		page_start(),
	)
	for row in page.rows:
		row.date_display = day(row.creation)
		row.url = portal_path(row.reference_doctype, row.reference_name)
	context.page = page
	context.base_args = list_args("unread")
