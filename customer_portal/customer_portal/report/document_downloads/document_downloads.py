# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt
"""Who downloaded which document, when, from where: "did Client X download their Q3 report?"."""

import frappe
from frappe import _
from frappe.utils import add_days


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return columns(), rows(filters)


def columns():
	return [
		{"fieldname": "creation", "label": _("When"), "fieldtype": "Datetime", "width": 170},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 160,
		},
		{
			"fieldname": "document",
			"label": _("Document"),
			"fieldtype": "Link",
			"options": "Document",
			"width": 140,
		},
		{"fieldname": "title", "label": _("Title"), "fieldtype": "Data", "width": 200},
		{"fieldname": "version", "label": _("Version"), "fieldtype": "Int", "width": 70},
		{"fieldname": "user", "label": _("User"), "fieldtype": "Link", "options": "User", "width": 200},
		{"fieldname": "event", "label": _("Event"), "fieldtype": "Data", "width": 110},
		{"fieldname": "outcome", "label": _("Outcome"), "fieldtype": "Data", "width": 90},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 150},
		{"fieldname": "ip_address", "label": _("IP Address"), "fieldtype": "Data", "width": 120},
	]


def rows(filters) -> list[dict]:
	conditions = {"event": filters.event or "Download"}
	for field in ("customer", "document", "user", "outcome"):
		if filters.get(field):
			conditions[field] = filters[field]
	if filters.from_date:
		conditions["creation"] = (">=", filters.from_date)
	if filters.to_date:
		conditions.setdefault("creation", ("<", add_days(filters.to_date, 1)))
		if filters.from_date:
			conditions["creation"] = ("between", [filters.from_date, add_days(filters.to_date, 1)])
	data = frappe.get_list(
		"Document Access Log",
		filters=conditions,
		fields=[
			"creation",
			"customer",
			"document",
			"version",
			"user",
			"event",
			"outcome",
			"reason",
			"ip_address",
		],
		order_by="creation desc",
		limit_page_length=5000,
	)
	names = {row.document for row in data if row.document}
	titles = (
		dict(
			frappe.get_all(
				"Document", filters={"name": ("in", list(names))}, fields=["name", "title"], as_list=True
			)
		)
		if names
		else {}
	)
	for row in data:
		row.title = titles.get(row.document)
	return data
