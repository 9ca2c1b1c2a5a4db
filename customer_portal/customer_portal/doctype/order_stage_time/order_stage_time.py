# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class OrderStageTime(ScopedDocument):
	"""One customer's time in one stage for the orders that reached it on one day; rows are added to in
	place by `customer_portal.orders.stage_times` as orders move, never saved as documents."""


def on_doctype_update():
	frappe.db.add_unique("Order Stage Time", ["customer", "stage", "day"], "customer_stage_day")
