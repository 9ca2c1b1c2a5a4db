# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class PortalNotification(ScopedDocument):
	pass


def on_doctype_update():
	# one notification per event and user, however often the fan-out runs
	frappe.db.add_unique("Portal Notification", ["event", "user"], constraint_name="unique_event_user")
	# the bell and the list: a user's unread portal notifications, newest first
	frappe.db.add_index("Portal Notification", ["user", "in_portal", "is_read", "creation"])
	# digests: what waits for each email mode
	frappe.db.add_index("Portal Notification", ["email_mode", "email_status", "user"])
