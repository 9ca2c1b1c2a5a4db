"""The analytics page's figures for one customer: one scoped, index-backed, aggregated query per chart;
orders, deliveries and stage durations are summed from figures orders keep as they change.

Each function returns what its chart draws (labels and datasets) plus the figures the page prints next
to it. Months are the last `MONTHS` calendar months, this one included. Scoping is the same criterion
every other query of the app uses (`permissions.Scope`): the caller has established that the user may
see `customer`.
"""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, DateFormat, IfNull, Max, Sum
from frappe.utils import add_months, flt, get_first_day, getdate, today

from customer_portal.permissions import Scope

MONTHS = 12
RECENT_DAYS = 90


def month_window(months: int = MONTHS) -> tuple[date, list[str]]:
	start = get_first_day(add_months(getdate(today()), -(months - 1)))
	return start, [add_months(start, i).strftime("%Y-%m") for i in range(months)]


def month_labels(keys: list[str]) -> list[str]:
	return [date.fromisoformat(key + "-01").strftime("%b %Y") for key in keys]


def _scope(table, doctype: str, customer: str):
	return Scope(doctype, (customer,)).criterion(table)


def orders_by_month_and_stage(customer: str) -> dict:
	"""Orders placed per month, split by the stage each is at now (stacked, stages in their order). Summed
	from the counts orders keep as they change (analytics/month_figures.py), never from the orders."""
	start, keys = month_window()
	figures, stage = frappe.qb.DocType("Order Month Figure"), frappe.qb.DocType("Order Stage")
	month = DateFormat(figures.month, "%Y-%m")
	rows = (
		frappe.qb.from_(figures)
		.left_join(stage)
		.on(stage.name == figures.stage)
		.select(month.as_("month"), figures.stage, stage.sequence, Sum(figures.placed).as_("orders"))
		.where(
			_scope(figures, "Order Month Figure", customer) & (figures.month >= start) & (figures.placed > 0)
		)
		.groupby(figures.month, figures.stage, stage.sequence)
		.run(as_dict=True)
	)
	stages = sorted({(row.sequence or 0, row.stage or "") for row in rows})
	counts = {(row.month, row.stage or ""): int(row.orders) for row in rows}
	return {
		"labels": month_labels(keys),
		"datasets": [
			{
				"name": _(name) if name else _("No stage"),
				"values": [counts.get((key, name), 0) for key in keys],
			}
			for _sequence, name in stages
		],
		"total": sum(int(row.orders) for row in rows),
	}


def spend_by_month(customer: str) -> dict:
	"""Invoiced (submitted) totals per month of posting, from the figures invoices keep as they are
	submitted and cancelled (analytics/spend_figures.py)."""
	start, keys = month_window()
	figures = frappe.qb.DocType("Invoice Month Figure")
	month = DateFormat(figures.month, "%Y-%m")
	spend = dict(
		frappe.qb.from_(figures)
		.select(month, figures.spend)
		.where(
			_scope(figures, "Invoice Month Figure", customer)
			& (figures.month >= start)
			& (figures.invoices > 0)
		)
		.run()
	)
	values = [flt(spend.get(key), 2) for key in keys]
	return {
		"labels": month_labels(keys),
		"datasets": [{"name": _("Spend"), "values": values}],
		"total": sum(values),
	}


def stage_durations(customer: str) -> dict:
	"""Average days an order of this customer spends in each stage (time from reaching it to reaching the
	next one): for the stages reached in the last RECENT_DAYS days against all of the customer's history.
	Summed from the figures orders keep as they move (analytics/stage_times.py), never from the history."""
	rows = stage_durations_query(customer).run(as_dict=True)
	for row in rows:
		row.recent_days = flt(row.recent_seconds) / row.recent_moves / 86400 if row.recent_moves else 0
		row.all_days = flt(row.seconds) / row.moves / 86400 if row.moves else 0
	return {
		"labels": [_(row.stage) for row in rows],
		"datasets": [
			{
				"name": _("Last {0} days").format(RECENT_DAYS),
				"values": [round(row.recent_days, 1) for row in rows],
			},
			{"name": _("All time"), "values": [round(row.all_days, 1) for row in rows]},
		],
		"rows": rows,
	}


def stage_durations_query(customer: str):
	"""Stage durations' sums per stage, read from the covering index of `Order Stage Time` alone."""
	times, stage = frappe.qb.DocType("Order Stage Time"), frappe.qb.DocType("Order Stage")
	recent = times.day >= frappe.utils.add_days(frappe.utils.today(), -RECENT_DAYS)
	recent_moves = Sum(Case().when(recent, times.moves).else_(0))
	recent_seconds = Sum(Case().when(recent, times.seconds).else_(0))
	return (
		frappe.qb.from_(times)
		.left_join(stage)
		.on(stage.name == times.stage)
		.select(
			times.stage,
			Max(stage.sequence).as_("sequence"),
			recent_moves.as_("recent_moves"),
			recent_seconds.as_("recent_seconds"),
			Sum(times.moves).as_("moves"),
			Sum(times.seconds).as_("seconds"),
		)
		.where(
			_scope(times, "Order Stage Time", customer) & (times.moves > 0) & (IfNull(stage.is_final, 0) == 0)
		)
		.groupby(times.stage)
		.orderby(Max(stage.sequence))
		.orderby(times.stage)
	)


def on_time_delivery(customer: str) -> dict:
	"""Orders delivered each month that had an expected date, and how many of them by that date (from the
	kept counts, as orders by month)."""
	start, keys = month_window()
	figures = frappe.qb.DocType("Order Month Figure")
	month = DateFormat(figures.month, "%Y-%m")
	rows = {
		row.month: row
		for row in frappe.qb.from_(figures)
		.select(
			month.as_("month"),
			Sum(figures.delivered).as_("delivered"),
			Sum(figures.on_time).as_("on_time"),
		)
		.where(
			_scope(figures, "Order Month Figure", customer)
			& (figures.month >= start)
			& (figures.delivered > 0)
		)
		.groupby(figures.month)
		.run(as_dict=True)
	}
	delivered = sum(int(row.delivered) for row in rows.values())
	punctual = sum(int(row.on_time or 0) for row in rows.values())
	return {
		"labels": month_labels(keys),
		"datasets": [
			{
				"name": _("Delivered"),
				"values": [int(rows[key].delivered) if key in rows else 0 for key in keys],
			},
			{
				"name": _("On time"),
				"values": [int(rows[key].on_time or 0) if key in rows else 0 for key in keys],
			},
		],
		"delivered": delivered,
		"on_time": punctual,
		"rate": round(100 * punctual / delivered, 1) if delivered else None,
	}


def open_tickets(customer: str) -> dict:
	"""Tickets not closed, by category, split into waiting for support (Open) and for you (Answered)."""
	ticket = frappe.qb.DocType("Support Ticket")
	rows = (
		frappe.qb.from_(ticket)
		.select(ticket.category, ticket.status, Count("*").as_("tickets"))
		.where(_scope(ticket, "Support Ticket", customer) & (ticket.status != "Closed"))
		.groupby(ticket.category, ticket.status)
		.run(as_dict=True)
	)
	categories = sorted({row.category or "" for row in rows})
	counts = {(row.category or "", row.status): row.tickets for row in rows}
	return {
		"labels": [_(category) if category else _("No category") for category in categories],
		"datasets": [
			{"name": _(status), "values": [counts.get((category, status), 0) for category in categories]}
			for status in ("Open", "Answered")
		],
		"total": sum(row.tickets for row in rows),
	}


CHARTS = (orders_by_month_and_stage, spend_by_month, stage_durations, on_time_delivery, open_tickets)
