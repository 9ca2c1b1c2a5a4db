"""The dashboard's figures for one customer: a fixed handful of indexed, aggregated queries."""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.query_builder.functions import Count, DateFormat, Sum
from frappe.utils import add_months, flt, get_first_day, getdate, today

from customer_portal.customer_portal.doctype.order_stage.order_stage import get_stages
from customer_portal.permissions import Scope

OPEN_STATUSES = ("Unpaid", "Partly Paid", "Overdue")
RECENT = 8


CACHE_KEY = "customer_portal:dashboard:"
CACHE_SECONDS = 300


def figures(customer: str) -> dict:
	"""The dashboard's aggregates for `customer`, cached until one of its orders or invoices changes
	(or five minutes pass). The caller has already established that the user may see `customer`."""
	key = CACHE_KEY + customer
	cached = frappe.cache.get_value(key)
	if cached is None:
		cached = {
			"stages": orders_by_stage(customer),
			"invoices": open_invoices(customer),
			"activity": monthly_activity(customer),
		}
		frappe.cache.set_value(key, cached, expires_in_sec=CACHE_SECONDS)
	return cached


def forget_customer(doc, method=None) -> None:
	"""doc_events: an order or invoice changed, so its customer's dashboard is recomputed."""
	if doc.get("customer"):
		frappe.cache.delete_value(CACHE_KEY + doc.customer)


def forget_all(doc=None, method=None) -> None:
	"""doc_events: stages changed (or data was bulk-loaded), so every dashboard is recomputed."""
	frappe.cache.delete_keys(CACHE_KEY)


def _where(table, doctype: str, customer: str):
	# a customer's own scope, the same for each of its users, so the figures can be cached per customer
	return Scope(doctype, (customer,)).criterion(table)


def orders_by_stage(customer: str) -> list[dict]:
	order = frappe.qb.DocType("Order")
	counts = dict(
		frappe.qb.from_(order)
		.select(order.stage, Count("*"))
		.where(_where(order, "Order", customer))
		.groupby(order.stage)
		.run()
	)
	return [
		{"stage": stage.name, "count": counts.get(stage.name, 0), "is_final": stage.is_final}
		for stage in get_stages()
		if not stage.retired or counts.get(stage.name)
	]


def open_invoices(customer: str) -> dict:
	invoice = frappe.qb.DocType("Invoice")
	rows = (
		frappe.qb.from_(invoice)
		.select(invoice.status, Count("*"), Sum(invoice.outstanding_amount))
		.where(_where(invoice, "Invoice", customer) & invoice.status.isin(OPEN_STATUSES))
		.groupby(invoice.status)
		.run()
	)
	by_status = {status: (count, flt(amount)) for status, count, amount in rows}
	return {
		"count": sum(count for count, _amount in by_status.values()),
		"outstanding": sum(amount for _count, amount in by_status.values()),
		"overdue_count": by_status.get("Overdue", (0, 0))[0],
		"overdue_amount": by_status.get("Overdue", (0, 0.0))[1],
	}


def newest_documents(customer: str, limit: int = 5) -> list[dict]:
	document = frappe.qb.DocType("Document")
	return (
		frappe.qb.from_(document)
		.select(document.name, document.title, document.document_type, document.modified)
		.where(_where(document, "Document", customer))
		.orderby(document.modified, order=Order.desc)
		.limit(limit)
		.run(as_dict=True)
	)


def recent_changes(customer: str) -> list[dict]:
	"""The latest changed orders, invoices and documents, newest first."""
	sources = {
		"Order": ("title", "stage", "/portal/orders/"),
		"Invoice": ("name", "status", "/portal/invoices/"),
		"Document": ("title", "document_type", "/portal/documents?q="),
	}
	changes = []
	for doctype, (label_field, state_field, route) in sources.items():
		table = frappe.qb.DocType(doctype)
		rows = (
			frappe.qb.from_(table)
			.select(
				table.name, table[label_field].as_("label"), table[state_field].as_("state"), table.modified
			)
			.where(_where(table, doctype, customer))
			.orderby(table.modified, order=Order.desc)
			.limit(RECENT)
			.run(as_dict=True)
		)
		changes += [
			frappe._dict(row, doctype=doctype, kind=_(doctype), route=route + row.name) for row in rows
		]
	return sorted(changes, key=lambda row: row.modified, reverse=True)[:RECENT]


def monthly_activity(customer: str, months: int = 12) -> dict:
	"""Orders placed and invoiced spend per month, for the last `months` months."""
	start = get_first_day(add_months(getdate(today()), -(months - 1)))
	labels = [add_months(start, i).strftime("%Y-%m") for i in range(months)]
	order, invoice = frappe.qb.DocType("Order"), frappe.qb.DocType("Invoice")
	order_month = DateFormat(order.order_date, "%Y-%m")
	orders = dict(
		frappe.qb.from_(order)
		.select(order_month, Count("*"))
		.where(_where(order, "Order", customer) & (order.order_date >= start))
		.groupby(order_month)
		.run()
	)
	invoice_month = DateFormat(invoice.posting_date, "%Y-%m")
	spend = dict(
		frappe.qb.from_(invoice)
		.select(invoice_month, Sum(invoice.total))
		.where(
			_where(invoice, "Invoice", customer) & (invoice.posting_date >= start) & (invoice.docstatus == 1)
		)
		.groupby(invoice_month)
		.run()
	)
	return {
		"labels": [date.fromisoformat(label + "-01").strftime("%b %Y") for label in labels],
		"orders": [orders.get(label, 0) for label in labels],
		"spend": [flt(spend.get(label), 2) for label in labels],
	}
