# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.utils import flt, getdate, now_datetime, today

from customer_portal.infra.records import calculate_item_totals, validate_date_order, validate_order_customer
from customer_portal.notifications.events import invoices_became_overdue
from customer_portal.permissions import ScopedDocument
from customer_portal.portal.dashboard import forget_all


class Invoice(ScopedDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from customer_portal.customer_portal.doctype.invoice_item.invoice_item import InvoiceItem

		amended_from: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		due_date: DF.Date
		items: DF.Table[InvoiceItem]
		naming_series: DF.Literal["INV-.YYYY.-"]
		order: DF.Link | None
		outstanding_amount: DF.Currency
		paid_amount: DF.Currency
		posting_date: DF.Date
		status: DF.Literal["Draft", "Unpaid", "Partly Paid", "Paid", "Overdue", "Cancelled"]
		total: DF.Currency

	# end: auto-generated types
	def validate(self):
		validate_order_customer(self)
		calculate_item_totals(self)
		validate_date_order(self, "posting_date", "due_date")
		self.validate_paid_amount()
		self.set_status()

	def before_update_after_submit(self):
		self.validate_paid_amount()
		self.set_status()

	def before_cancel(self):
		self.status = "Cancelled"

	def validate_paid_amount(self):
		if flt(self.paid_amount) < 0:
			frappe.throw(_("Paid amount cannot be negative."), title=_("Invalid Payment"))
		if flt(self.paid_amount) > flt(self.total):
			frappe.throw(
				_("Paid amount {0} exceeds the invoice total {1}.").format(
					frappe.format(self.paid_amount, "Currency"), frappe.format(self.total, "Currency")
				),
				title=_("Invalid Payment"),
			)

	def set_status(self):
		self.outstanding_amount = flt(flt(self.total) - flt(self.paid_amount), self.precision("total"))
		self.status = get_invoice_status(
			self.docstatus, self.total, self.outstanding_amount, self.due_date, getdate(today())
		)


def get_invoice_status(docstatus, total, outstanding, due_date, on_date) -> str:
	"""The status an invoice has on `on_date`; the daily overdue job applies the same rule."""
	if docstatus == 0:
		return "Draft"
	if docstatus == 2:
		return "Cancelled"
	if flt(outstanding) <= 0:
		return "Paid"
	if getdate(due_date) < on_date:
		return "Overdue"
	if flt(outstanding) < flt(total):
		return "Partly Paid"
	return "Unpaid"


def mark_overdue_invoices() -> None:
	"""Daily: submitted invoices with an outstanding balance past their due date become Overdue."""
	invoice = frappe.qb.DocType("Invoice")
	becoming = (
		(invoice.docstatus == 1)
		& (invoice.outstanding_amount > 0)
		& (invoice.due_date < today())
		& invoice.status.isin(["Unpaid", "Partly Paid"])
	)
	rows = (
		frappe.qb.from_(invoice)
		.select(invoice.name, invoice.customer, invoice.due_date, invoice.outstanding_amount)
		.where(becoming)
		.for_update()
		.run(as_dict=True)
	)
	if not rows:
		return
	(
		frappe.qb.update(invoice)
		.set(invoice.status, "Overdue")
		.set(invoice.modified, now_datetime())
		.where(invoice.name.isin([row.name for row in rows]))
		.run()
	)
	invoices_became_overdue(rows)
	forget_all()  # the bulk update bypasses the events that keep dashboards current


def on_doctype_update():
	# the portal lists a customer's invoices by each of these, newest first, without sorting them
	frappe.db.add_index("Invoice", ["customer", "modified"])
	frappe.db.add_index("Invoice", ["customer", "posting_date"])
	frappe.db.add_index("Invoice", ["customer", "due_date"])
	# covering indexes for the portal dashboard: open balances by status, spend per month
	frappe.db.add_index("Invoice", ["customer", "status", "docstatus", "outstanding_amount"])
	frappe.db.add_index("Invoice", ["customer", "posting_date", "docstatus", "total"])
