import frappe
from frappe import _

from customer_portal.payments.providers import configured_provider
from customer_portal.portal.context import load_record, portal_context
from customer_portal.portal.formatting import day, item_rows, money
from customer_portal.portal.listing import scoped_rows
from customer_portal.portal.locale import format_local

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
	# online payment (payments/): Pay now while something is outstanding, and the payments so far
	context.can_pay = (
		invoice.docstatus == 1 and invoice.outstanding_amount > 0 and configured_provider() is not None
	)
	context.payment_state = (
		frappe.form_dict.get("payment") if frappe.form_dict.get("payment") in ("done", "cancelled") else None
	)
	context.payments = scoped_rows(
		"Invoice Payment",
		{"invoice": invoice.name, "status": "Paid"},
		["name", "paid_on", "method", "amount"],
		"paid_on",
	)
	for row in context.payments:
		row.amount_display, row.paid_on_display = money(row.amount), format_local(row.paid_on)
	context.order_title = (
		[row.title for row in scoped_rows("Order", {"name": invoice.order}, ["title"], "name")]
		if invoice.order
		else []
	)
