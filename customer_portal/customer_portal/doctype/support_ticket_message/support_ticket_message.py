# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument
from customer_portal.tickets.lifecycle import message_added, prepare_message


class SupportTicketMessage(ScopedDocument):
	def before_insert(self):
		prepare_message(self)

	def after_insert(self):
		message_added(self)

	def validate(self):
		if not self.is_new() and self.has_value_changed("message"):
			frappe.throw(frappe._("A message in a ticket's thread cannot be changed once posted."))


def on_doctype_update():
	frappe.db.add_index("Support Ticket Message", ["ticket", "creation"])
