# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class PortalNotificationPreference(ScopedDocument):
	pass


def on_doctype_update():
	frappe.db.add_unique(
		"Portal Notification Preference", ["user", "event_type"], constraint_name="unique_user_event_type"
	)
