import frappe
from frappe import _, form_dict

from customer_portal.portal.context import page_size, portal_context
from customer_portal.portal.dashboard import OPEN_STATUSES
from customer_portal.portal.formatting import day, money
from customer_portal.portal.listing import choice_arg, date_arg, fetch_page, like, list_args, page_start

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
	invoice = frappe.qb.DocType("Invoice")
	context.errors = []
	context.q = (form_dict.get("q") or "").strip()[:140]
	context.status = choice_arg("status", STATUSES)
	context.status_options = [(key, _(label)) for key, label in STATUSES.items()]
	context.date_from, context.date_to = date_arg("from", context.errors), date_arg("to", context.errors)
	context.sort = choice_arg("sort", SORTS, "posting_date")
	context.sort_options = [(key, _(label)) for key, label in SORTS.items()]

	conditions = []
	if context.q:
		conditions.append(invoice.name.like(like(context.q)) | invoice.order.like(like(context.q)))
	if context.status == "open":
		conditions.append(invoice.status.isin(OPEN_STATUSES))
	elif context.status:
		conditions.append(invoice.status == context.status)
	if context.date_from:
		conditions.append(invoice.posting_date >= context.date_from)
	if context.date_to:
		conditions.append(invoice.posting_date <= context.date_to)

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
