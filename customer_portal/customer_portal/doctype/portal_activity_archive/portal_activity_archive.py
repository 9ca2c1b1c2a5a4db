# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class PortalActivityArchive(Document):
	"""Written by retention only; the anchor of the activity log's hash chain, so never changed."""

	def validate(self):
		if not self.is_new():
			frappe.throw(_("Activity archives cannot be changed."), frappe.PermissionError)

	def on_trash(self):
		frappe.throw(_("Activity archives cannot be deleted."), frappe.PermissionError)
