"""Rules shared by the customer-owned records (Order, Invoice, Document)."""

import frappe
from frappe import _
from frappe.utils import flt, getdate, today


def calculate_item_totals(doc) -> None:
	"""Set each item's amount and the document's total (and total quantity where it has one)."""
	precision = doc.precision("total")
	for item in doc.items:
		if flt(item.qty) <= 0:
			frappe.throw(
				_("Row #{0}: quantity of {1} must be greater than zero.").format(item.idx, item.item_name),
				title=_("Invalid Quantity"),
			)
		if flt(item.rate) < 0:
			frappe.throw(
				_("Row #{0}: rate of {1} cannot be negative.").format(item.idx, item.item_name),
				title=_("Invalid Rate"),
			)
		item.amount = flt(flt(item.qty) * flt(item.rate), precision)
	doc.total = flt(sum(flt(item.amount) for item in doc.items), precision)
	if doc.meta.has_field("total_qty"):
		doc.total_qty = sum(flt(item.qty) for item in doc.items)


def validate_order_customer(doc) -> None:
	"""A record linked to an order must belong to that order's customer."""
	if not doc.order:
		return
	order_customer = frappe.db.get_value("Order", doc.order, "customer")
	if order_customer and order_customer != doc.customer:
		frappe.throw(
			_("Order {0} belongs to customer {1}, not {2}. Pick an order of {2}.").format(
				doc.order, order_customer, doc.customer
			),
			title=_("Order of Another Customer"),
		)


def validate_date_order(doc, earlier: str, later: str) -> None:
	"""`later` may not fall before `earlier` (both date fields of doc)."""
	if doc.get(earlier) and doc.get(later) and str(doc.get(later)) < str(doc.get(earlier)):
		frappe.throw(
			_("{0} ({1}) cannot be before {2} ({3}).").format(
				_(doc.meta.get_label(later)),
				frappe.format(doc.get(later), "Date"),
				_(doc.meta.get_label(earlier)),
				frappe.format(doc.get(earlier), "Date"),
			),
			title=_("Invalid Dates"),
		)


def reserve_names(series: str, count: int) -> list[str]:
	"""Take `count` names from a naming series (e.g. "PAY-.YYYY.-"), as Frappe's naming would, for rows
	inserted in bulk."""
	prefix = series.replace(".YYYY.", str(getdate(today()).year)).rstrip(".")
	current = frappe.db.get_value("Series", prefix, "current", order_by=None, for_update=True)
	if current is None:
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, 0)", prefix)
		current = 0
	frappe.db.sql("update `tabSeries` set `current` = %s where `name` = %s", (current + count, prefix))
	return [f"{prefix}{number:05d}" for number in range(current + 1, current + count + 1)]
