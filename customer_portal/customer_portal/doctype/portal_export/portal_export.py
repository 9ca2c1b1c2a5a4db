# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class PortalExport(ScopedDocument):
	pass


def on_doctype_update():
	frappe.db.add_index("Portal Export", ["user", "creation"])
