import json

from frappe import _

from customer_portal.analytics import charts
from customer_portal.portal.context import portal_context
from customer_portal.portal.formatting import money

no_cache = 1


def get_context(context):
	"""Live charts of the active customer's orders, spend, stage times, punctuality and open tickets
	(analytics/charts.py: one query each)."""
	customer = portal_context(context, "/portal/analytics")
	context.page_title = _("Analytics")
	if not customer:
		return
	context.orders = charts.orders_by_month_and_stage(customer)
	context.spend = charts.spend_by_month(customer)
	context.stages = charts.stage_durations(customer)
	context.on_time = charts.on_time_delivery(customer)
	context.tickets = charts.open_tickets(customer)
	for figures in (context.orders, context.spend, context.stages, context.on_time, context.tickets):
		figures["json"] = json.dumps({"labels": figures["labels"], "datasets": figures["datasets"]})
		figures["drawn"] = any(any(dataset["values"]) for dataset in figures["datasets"])
	context.spend_total = money(context.spend["total"])
	context.recent_days = charts.RECENT_DAYS
