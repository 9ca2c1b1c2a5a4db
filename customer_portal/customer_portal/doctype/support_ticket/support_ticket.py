# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument
from customer_portal.tickets.lifecycle import validate_ticket


class SupportTicket(ScopedDocument):
	def validate(self):
		validate_ticket(self)


def on_doctype_update():
	# the portal's ticket list: one customer's tickets, newest change first, by status
	frappe.db.add_index("Support Ticket", ["customer", "modified"])
	frappe.db.add_index("Support Ticket", ["customer", "status", "modified"])
