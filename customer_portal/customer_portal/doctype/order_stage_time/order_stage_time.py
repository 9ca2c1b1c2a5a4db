# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe

from customer_portal.permissions import ScopedDocument


class OrderStageTime(ScopedDocument):
	"""One customer's time in one stage for the orders that reached it on one day; rows are added to in
	place by `customer_portal.analytics.stage_times` as orders move, never saved as documents."""


COVERING_INDEX = "customer_stage_day_times"


def on_doctype_update():
	frappe.db.add_unique("Order Stage Time", ["customer", "stage", "day"], "customer_stage_day")
	# the analytics page sums a customer's rows (every stage and day of its history) from this index
	# alone, without reading one row of the table
	frappe.db.add_index("Order Stage Time", ["customer", "stage", "day", "moves", "seconds"], COVERING_INDEX)
