# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class OrderMonthFigure(ScopedDocument):
	"""One customer's order counts for one month and stage; rows are added to in place by
	`customer_portal.analytics.month_figures` as orders change, never saved as documents."""


def on_doctype_update():
	frappe.db.add_unique("Order Month Figure", ["customer", "month", "stage"], "customer_month_stage")
