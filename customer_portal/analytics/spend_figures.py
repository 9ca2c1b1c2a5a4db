"""Submitted invoices counted and totalled per customer and month of posting, kept as invoices are
submitted and cancelled (the analytics page's spend chart).

Totalling them on the page means reading every invoice of the customer's last twelve months, linear in
their number even from a covering index. Instead submitting an invoice adds it to `Invoice Month Figure`
(one row per customer and month) and cancelling it takes it away, in the same transaction; merging two
customers adds their figures together (analytics/kept_figures.py). A submitted invoice's customer, date and total
cannot change. `rebuild` totals everything again from the invoices (the migration that introduced them).
"""

from collections.abc import Iterable

import frappe
from frappe.query_builder.functions import Count, DateFormat, Sum
from frappe.utils import flt, get_first_day, getdate

from customer_portal.analytics.kept_figures import INVOICE_MONTHS


def figures_of(invoice) -> dict[tuple, tuple]:
	"""One invoice's figures: (customer, month) -> (invoices, spend); nothing unless it is submitted."""
	if not invoice or invoice.get("docstatus") != 1 or not invoice.get("customer"):
		return {}
	return {(invoice.customer, get_first_day(invoice.posting_date)): (1, flt(invoice.total))}


def invoice_changed(doc, method=None):
	"""Doc event (Invoice on_submit and on_cancel): move the figures from the invoice as it was to the
	invoice as it is."""
	INVOICE_MONTHS.move(figures_of(doc), figures_of(doc.get_doc_before_save()))


def rebuild(customers: Iterable[str] | None = None, progress=None) -> None:
	"""Total the figures of `customers` (all by default) again from their submitted invoices."""
	customers = list(customers) if customers is not None else frappe.get_all("Customer", pluck="name")
	invoice = frappe.qb.DocType("Invoice")
	month = DateFormat(invoice.posting_date, "%Y-%m-01")
	for number, customer in enumerate(customers, start=1):
		frappe.db.delete("Invoice Month Figure", {"customer": customer})
		rows = (
			frappe.qb.from_(invoice)
			.select(month, Count("*"), Sum(invoice.total))
			.where((invoice.customer == customer) & (invoice.docstatus == 1))
			.groupby(month)
			.run()
		)
		INVOICE_MONTHS.add({(customer, getdate(row[0])): (row[1], row[2]) for row in rows})
		if progress:
			progress(number, len(customers), customer)
