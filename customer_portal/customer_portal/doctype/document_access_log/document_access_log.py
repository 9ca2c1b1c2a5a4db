# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _

from customer_portal.permissions import ScopedDocument


class DocumentAccessLog(ScopedDocument):
	"""Append-only, for everyone, Administrator included: entries are written once and never changed."""

	def validate(self):
		if not self.is_new():
			frappe.throw(
				_("The document access log is append-only: entries cannot be changed."),
				frappe.PermissionError,
			)

	def on_trash(self):
		frappe.throw(
			_("The document access log is append-only: entries cannot be deleted."), frappe.PermissionError
		)


def on_doctype_update():
	frappe.db.add_index("Document Access Log", ["customer", "creation"])
	frappe.db.add_index("Document Access Log", ["document", "creation"])
