import json

from frappe import _

from customer_portal.portal import dashboard
from customer_portal.portal.context import portal_context
from customer_portal.portal.formatting import money
from customer_portal.portal.locale import format_local

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal")
	context.page_title = _("Dashboard")
	if not customer:
		return
	figures = dashboard.figures(customer)
	context.stages = figures["stages"]
	invoices = figures["invoices"]
	context.open_invoices = dict(
		invoices, outstanding=money(invoices["outstanding"]), overdue_amount=money(invoices["overdue_amount"])
	)
	context.documents = dashboard.newest_documents(customer)
	context.changes = dashboard.recent_changes(customer)
	activity = figures["activity"]
	context.chart_orders = json.dumps(
		{"labels": activity["labels"], "datasets": [{"name": _("Orders"), "values": activity["orders"]}]}
	)
	context.chart_spend = json.dumps(
		{"labels": activity["labels"], "datasets": [{"name": _("Spend"), "values": activity["spend"]}]}
	)
	context.has_activity = any(activity["orders"]) or any(activity["spend"])
	context.format_datetime = format_local
