# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class InvoiceMonthFigure(ScopedDocument):
	"""One customer's submitted invoices for one month of posting; rows are added to in place by
	`customer_portal.analytics.spend_figures` as invoices are submitted and cancelled, never saved as
	documents."""


def on_doctype_update():
	frappe.db.add_unique("Invoice Month Figure", ["customer", "month"], "customer_month")
