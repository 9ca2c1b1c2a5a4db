import frappe
from frappe import _

from customer_portal.portal.context import load_record, portal_context
from customer_portal.portal.formatting import day, item_rows, money

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/invoices")
	if not customer:
		return
	invoice = load_record("Invoice", frappe.form_dict.name)
	context.doc = invoice
	context.page_title = _("Invoice {0}").format(invoice.name)
	context.items = item_rows(invoice)
	context.amounts = {
		"total": money(invoice.total),
		"paid": money(invoice.paid_amount),
		"outstanding": money(invoice.outstanding_amount),
	}
	context.dates = {"posting": day(invoice.posting_date), "due": day(invoice.due_date)}
	context.order_title = (
		frappe.get_list("Order", filters={"name": invoice.order}, pluck="title")[:1] if invoice.order else []
	)
