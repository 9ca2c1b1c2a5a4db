import frappe
from frappe import _

from customer_portal.orders.workflow import customer_actions
from customer_portal.portal.context import load_record, portal_context
from customer_portal.portal.formatting import day, item_rows, money
from customer_portal.portal.listing import scoped_rows
from customer_portal.portal.locale import format_local
from customer_portal.portal.timeline import stage_timeline

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/orders")
	if not customer:
		return
	order = load_record("Order", frappe.form_dict.name)
	context.doc = order
	context.page_title = _("Order {0}").format(order.name)
	context.timeline = stage_timeline(order)
	# what the order's Workflow lets this user do now (orders/workflow.py)
	context.actions = customer_actions(order)
	context.items = item_rows(order)
	context.total = money(order.total)
	context.dates = {
		"ordered": day(order.order_date),
		"expected": day(order.expected_date),
		"delivered": day(order.actual_date),
	}
	context.invoices = scoped_rows(
		"Invoice",
		{"order": order.name},
		["name", "posting_date", "status", "total", "outstanding_amount"],
		"posting_date",
		descending=True,
	)
	for row in context.invoices:
		row.total_display, row.outstanding_display = money(row.total), money(row.outstanding_amount)
	context.documents = scoped_rows(
		"Document",
		{"order": order.name},
		["name", "title", "document_type", "modified"],
		"modified",
		descending=True,
	)
	context.format_datetime = format_local
