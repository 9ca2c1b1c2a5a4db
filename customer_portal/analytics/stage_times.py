"""Time orders spend in each stage, kept per customer as orders move (the analytics page's stage durations).

An order's time in a stage is the time from the history row that reached it to the next row, rows taken
in the order they were reached. Working that out on the page means a window over every history row of
the customer's orders: 132 s for a customer with 282,763 orders. Instead each save of an order adds what
it changed to `Order Stage Time`, one row per customer, stage and day the stage was reached (moves and
seconds together), so the page sums a few hundred rows per stage.

A save adds the order's times after it and takes away its times before it (under the customer it had then):
a move adds one time, an edited history or a changed customer moves the figures with it, a deleted order
takes its times away; merging two customers or two stages adds their figures together. The additions are
one upsert in the save's transaction, so a failed save changes nothing (analytics/kept_figures.py). `rebuild`
works every figure out again from the history (the migration that introduced them).
"""

from collections import Counter
from collections.abc import Iterable
from itertools import groupby, pairwise

import frappe
from frappe.utils import get_datetime

from customer_portal.analytics.kept_figures import STAGE_TIMES

CHUNK = 1_000


def times_of(customer: str | None, history: Iterable) -> tuple[Counter, Counter]:
	"""One order's moves and seconds per (customer, stage, day reached): each history row but the last, up
	to the row after it."""
	moves, seconds = Counter(), Counter()
	if not customer:
		return moves, seconds
	rows = sorted(
		((get_datetime(row.reached_on), row.idx or 0, row.stage) for row in history if row.reached_on),
		key=lambda row: row[:2],
	)
	for (reached, _idx, stage), (left, _next_idx, _next_stage) in pairwise(rows):
		key = (customer, stage, reached.date())
		moves[key] += 1
		seconds[key] += (left - reached).total_seconds()
	return moves, seconds


def add(moves: Counter, seconds: Counter, sign: int = 1) -> None:
	"""Add (or with sign -1 take away) per-key moves and seconds to the stored figures."""
	STAGE_TIMES.add({key: (sign * moves[key], sign * seconds[key]) for key in moves.keys() | seconds.keys()})


def order_saved(doc, method=None):
	"""Doc event (Order on_update): move the figures from the order as it was to the order as it is."""
	before = doc.get_doc_before_save()
	after_moves, after_seconds = times_of(doc.customer, doc.stage_history)
	before_moves, before_seconds = (
		times_of(before.customer, before.stage_history) if before else (Counter(), Counter())
	)
	if (after_moves, after_seconds) == (before_moves, before_seconds):
		return
	after_moves.subtract(before_moves)
	after_seconds.subtract(before_seconds)
	add(after_moves, after_seconds)


def order_deleted(doc, method=None):
	"""Doc event (Order on_trash): the order's times leave the figures."""
	add(*times_of(doc.customer, doc.stage_history), sign=-1)


def rebuild(customers: Iterable[str] | None = None, progress=None) -> None:
	"""Work the figures of `customers` (all by default) out again from the orders' history, a few thousand
	orders at a time."""
	customers = list(customers) if customers is not None else frappe.get_all("Customer", pluck="name")
	for number, customer in enumerate(customers, start=1):
		frappe.db.delete("Order Stage Time", {"customer": customer})
		moves, seconds = Counter(), Counter()
		last = ""
		while orders := frappe.get_all(
			"Order",
			filters={"customer": customer, "name": (">", last)},
			order_by="name asc",
			limit=CHUNK * 5,
			pluck="name",
		):
			last = orders[-1]
			history = frappe.get_all(
				"Order Stage History",
				filters={"parenttype": "Order", "parentfield": "stage_history", "parent": ("in", orders)},
				fields=["parent", "idx", "stage", "reached_on"],
				order_by="parent asc",
			)
			for _parent, rows in groupby(history, key=lambda row: row.parent):
				order_moves, order_seconds = times_of(customer, rows)
				moves.update(order_moves)
				seconds.update(order_seconds)
		add(moves, seconds)
		if progress:
			progress(number, len(customers), customer)
