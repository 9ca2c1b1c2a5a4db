import frappe
from frappe import _, form_dict

from customer_portal.customer_portal.doctype.order_stage.order_stage import get_stages
from customer_portal.portal.context import page_size, portal_context
from customer_portal.portal.formatting import day, money
from customer_portal.portal.listing import (
	choice_arg,
	fetch_page,
	like,
	list_args,
	page_start,
	read_filters,
	read_sort,
)

no_cache = 1
SORTS = {"modified": "Last updated", "order_date": "Order date", "total": "Total"}


def get_context(context):
	customer = portal_context(context, "/portal/orders")
	context.page_title = _("Orders")
	if not customer:
		return
	order = frappe.qb.DocType("Order")
	conditions = read_filters(context, order, "order_date")
	read_sort(context, SORTS, "modified")
	context.stages = get_stages()
	context.stage = choice_arg("stage", {stage.name for stage in context.stages})
	if context.q:
		conditions.append(order.title.like(like(context.q)) | order.name.like(like(context.q)))
	if context.stage:
		conditions.append(order.stage == context.stage)

	page = fetch_page(
		"Order",
		customer,
		["title", "stage", "order_date", "expected_date", "actual_date", "total"],
		conditions,
		context.sort,
		form_dict.get("after"),
		page_size(),
		page_start(),
	)
	for row in page.rows:
		row.total_display, row.order_date_display = money(row.total), day(row.order_date)
		row.expected_display = day(row.actual_date or row.expected_date)
	context.page = page
	context.base_args = list_args("q", "stage", "from", "to", "sort")
