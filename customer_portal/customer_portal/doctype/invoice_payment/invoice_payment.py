# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class InvoicePayment(ScopedDocument):
	def validate(self):
		from customer_portal.payments.ledger import validate_payment

		validate_payment(self)

	def on_update(self):
		from customer_portal.payments.ledger import apply_to_invoice

		apply_to_invoice(self)


def on_doctype_update():
	frappe.db.add_index("Invoice Payment", ["customer", "paid_on"])
