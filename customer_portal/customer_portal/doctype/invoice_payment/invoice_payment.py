# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.payments.ledger import apply_to_invoice, validate_payment
from customer_portal.permissions import ScopedDocument


class InvoicePayment(ScopedDocument):
	def validate(self):
		validate_payment(self)

	def on_update(self):
		apply_to_invoice(self)


def on_doctype_update():
	frappe.db.add_index("Invoice Payment", ["customer", "paid_on"])
