import frappe
from frappe import _, form_dict
from frappe.utils import getdate, today

from customer_portal.portal.context import page_size, portal_context
from customer_portal.portal.dashboard import OPEN_STATUSES
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
SORTS = {"posting_date": "Invoice date", "due_date": "Due date", "modified": "Last updated"}
STATUSES = {
	"open": "Open (unpaid, partly paid or overdue)",
	"Overdue": "Overdue",
	"Unpaid": "Unpaid",
	"Partly Paid": "Partly Paid",
	"Paid": "Paid",
	"Cancelled": "Cancelled",
}


def get_context(context):
	customer = portal_context(context, "/portal/invoices")
	context.page_title = _("Invoices")
	if not customer:
		return
	# the statement form proposes this year so far
	context.statement_from = getdate(today()).replace(month=1, day=1).isoformat()
	context.statement_to = today()
	invoice = frappe.qb.DocType("Invoice")
	conditions = read_filters(context, invoice, "posting_date")
	read_sort(context, SORTS, "posting_date")
	context.status = choice_arg("status", STATUSES)
	context.status_options = [(key, _(label)) for key, label in STATUSES.items()]
	if context.q:
		conditions.append(invoice.name.like(like(context.q)) | invoice.order.like(like(context.q)))
	if context.status == "open":
		conditions.append(invoice.status.isin(OPEN_STATUSES))
	elif context.status:
		conditions.append(invoice.status == context.status)

	page = fetch_page(
		"Invoice",
		customer,
		["posting_date", "due_date", "status", "order", "total", "outstanding_amount"],
		conditions,
		context.sort,
		form_dict.get("after"),
		page_size(),
		page_start(),
	)
	for row in page.rows:
		row.total_display, row.outstanding_display = money(row.total), money(row.outstanding_amount)
		row.posting_display, row.due_display = day(row.posting_date), day(row.due_date)
	context.page = page
	context.base_args = list_args("q", "status", "from", "to", "sort")
