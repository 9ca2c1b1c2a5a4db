"""A customer's statement of account for a date range: the balance brought forward, every invoice
issued and every payment received in the range in date order with a running balance, and the balance
carried forward. Four aggregated queries, scoped like every other: invoices (submitted) and payments
(Paid Invoice Payments, which include paid amounts recorded on invoices: payments/ledger.py)."""

from dataclasses import dataclass, field
from datetime import date

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import add_days, flt, getdate

from customer_portal.permissions import Scope

MAX_DAYS = 3660


@dataclass
class Statement:
	customer: str
	start: date
	end: date
	opening: float = 0.0
	lines: list = field(default_factory=list)
	invoiced: float = 0.0
	received: float = 0.0

	@property
	def closing(self) -> float:
		return flt(self.opening + self.invoiced - self.received, 2)


def parse_range(start: str | None, end: str | None) -> tuple[date, date]:
	try:
		# getdate(None) would be today: an empty field is missing, not today
		start_date, end_date = (getdate(start) if start else None), (getdate(end) if end else None)
	except Exception:
		start_date = end_date = None
	if not start_date or not end_date:
		frappe.throw(_("Choose the first and last day of the statement."), title=_("Dates Missing"))
	if end_date < start_date:
		frappe.throw(_("The last day comes before the first."), title=_("Invalid Dates"))
	if (end_date - start_date).days > MAX_DAYS:
		frappe.throw(_("A statement covers at most ten years."), title=_("Range Too Long"))
	return start_date, end_date


def build(customer: str, start: date, end: date) -> Statement:
	"""The statement of `customer` (whose records the caller may see) from `start` to `end`, inclusive."""
	invoice, payment = frappe.qb.DocType("Invoice"), frappe.qb.DocType("Invoice Payment")
	invoices_in = Scope("Invoice", (customer,)).criterion(invoice) & (invoice.docstatus == 1)
	payments_in = Scope("Invoice Payment", (customer,)).criterion(payment) & (payment.status == "Paid")
	after_end = add_days(end, 1)
	statement = Statement(customer, start, end)
	(billed_before,) = (
		frappe.qb.from_(invoice)
		.select(Coalesce(Sum(invoice.total), 0))
		.where(invoices_in & (invoice.posting_date < start))
		.run()[0]
	)
	(paid_before,) = (
		frappe.qb.from_(payment)
		.select(Coalesce(Sum(payment.amount), 0))
		.where(payments_in & (payment.paid_on < start))
		.run()[0]
	)
	statement.opening = flt(flt(billed_before) - flt(paid_before), 2)
	lines = [
		{
			"date": row.posting_date,
			"kind": "invoice",
			"reference": row.name,
			"debit": flt(row.total),
			"credit": 0.0,
		}
		for row in frappe.qb.from_(invoice)
		.select(invoice.name, invoice.posting_date, invoice.total)
		.where(invoices_in & (invoice.posting_date >= start) & (invoice.posting_date <= end))
		.run(as_dict=True)
	] + [
		{
			"date": getdate(row.paid_on),
			"kind": "payment",
			"reference": row.invoice,
			"method": row.method,
			"debit": 0.0,
			"credit": flt(row.amount),
		}
		for row in frappe.qb.from_(payment)
		.select(payment.invoice, payment.paid_on, payment.amount, payment.method)
		.where(payments_in & (payment.paid_on >= start) & (payment.paid_on < after_end))
		.run(as_dict=True)
	]
	# invoices before the payments of the same day; then by reference for a stable order
	lines.sort(key=lambda line: (line["date"], line["kind"] != "invoice", line["reference"]))
	balance = statement.opening
	for line in lines:
		balance = flt(balance + line["debit"] - line["credit"], 2)
		line["balance"] = balance
	statement.lines = lines
	statement.invoiced = flt(sum(line["debit"] for line in lines), 2)
	statement.received = flt(sum(line["credit"] for line in lines), 2)
	return statement
