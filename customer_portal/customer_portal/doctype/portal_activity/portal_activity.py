# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _

from customer_portal.permissions import ScopedDocument


class PortalActivity(ScopedDocument):
	"""Append-only, for everyone, Administrator included; `bench customer-portal-verify-activity` detects
	changes made around this controller, in the database."""

	def validate(self):
		if not self.is_new():
			frappe.throw(
				_("The activity log is append-only: entries cannot be changed."), frappe.PermissionError
			)

	def on_trash(self):
		frappe.throw(_("The activity log is append-only: entries cannot be deleted."), frappe.PermissionError)


def on_doctype_update():
	frappe.db.add_index("Portal Activity", ["customer", "creation"])
	frappe.db.add_index("Portal Activity", ["user", "creation"])
