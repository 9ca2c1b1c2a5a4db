from collections import Counter, defaultdict
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, flt, getdate, now_datetime, today

from customer_portal.analytics import charts
from customer_portal.customer_portal.doctype.order_stage_time.order_stage_time import COVERING_INDEX
from customer_portal.tests.fixtures import (
	make_customer,
	make_invoice,
	make_order,
	make_stages,
	set_stage_history,
)
from customer_portal.tests.test_portal_pages import QueryCounter


def month(value) -> str:
	return getdate(value).strftime("%Y-%m")


class TestAnalytics(FrappeTestCase):
	"""Every chart's numbers against a direct count of the same records, one query per chart, and
	nothing of another customer."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Analytics")
		cls.customer = make_customer("Analytics Co")
		cls.other = make_customer("Analytics Other Co")
		day = getdate(today())
		for customer in (cls.customer, cls.other):
			for months_ago, stage, expected, actual in (
				(0, cls.stages[0], None, None),
				(1, cls.stages[1], 10, None),
				(1, cls.stages[2], 10, 8),  # on time
				(3, cls.stages[2], 10, 14),  # late
				(5, cls.stages[2], 10, 10),  # on time (on the day)
				(14, cls.stages[2], 10, 12),  # outside the twelve months
			):
				ordered = add_months(day, -months_ago)
				make_order(
					customer,
					"Analytics order",
					stage=stage,
					order_date=ordered,
					expected_date=add_days(ordered, expected) if expected else None,
					actual_date=add_days(ordered, actual) if actual else None,
				)
			for months_ago, rate in ((0, 100), (2, 250), (2, 50), (13, 999)):
				make_invoice(customer, rate=rate, posting_date=add_months(day, -months_ago))
		cls.timed_order = cls.order_with_history(cls.customer)
		# another customer's orders spend far longer in the first stage: none of it may reach the figures
		set_stage_history(
			make_order(cls.other, "Timed other", stage=cls.stages[1]),
			[
				(cls.stages[0], now_datetime() - timedelta(days=40)),
				(cls.stages[1], now_datetime() - timedelta(days=10)),
			],
		)
		for subject, status, category in (
			("A", "Open", None),
			("B", "Answered", None),
			("C", "Closed", None),
		):
			frappe.get_doc(
				{
					"doctype": "Support Ticket",
					"customer": cls.customer,
					"subject": subject,
					"status": status,
					"category": category,
				}
			).insert()

	@classmethod
	def order_with_history(cls, customer: str) -> str:
		"""Two orders whose stage history is known: 2 and 3 days recently, 4 days long ago."""
		now = now_datetime()
		recent = make_order(customer, "Timed recent", stage=cls.stages[2])
		old = make_order(customer, "Timed old", stage=cls.stages[1])
		for name, moves in (
			(
				recent,
				[
					(cls.stages[0], now - timedelta(days=5)),
					(cls.stages[1], now - timedelta(days=3)),
					(cls.stages[2], now),
				],
			),
			(
				old,
				[
					(cls.stages[0], now - timedelta(days=204)),
					(cls.stages[1], now - timedelta(days=200)),
				],
			),
		):
			set_stage_history(name, moves)
		return recent

	def one_query(self, chart):
		with QueryCounter() as counter:
			figures = chart(self.customer)
		self.assertEqual(counter.count, 1, chart.__name__)
		return figures

	def test_orders_per_month_by_stage(self):
		figures = self.one_query(charts.orders_by_month_and_stage)
		start, keys = charts.month_window()
		rows = frappe.get_all(
			"Order",
			filters={"customer": self.customer, "order_date": (">=", start)},
			fields=["order_date", "stage"],
		)
		expected = Counter((month(row.order_date), row.stage) for row in rows)
		drawn = Counter()
		for dataset in figures["datasets"]:
			for key, value in zip(keys, dataset["values"], strict=True):
				if value:
					drawn[(key, dataset["name"])] = value
		self.assertEqual(drawn, expected)
		self.assertEqual(figures["total"], len(rows))

	def test_spend_per_month(self):
		figures = self.one_query(charts.spend_by_month)
		start, keys = charts.month_window()
		expected = defaultdict(float)
		for row in frappe.get_all(
			"Invoice",
			filters={"customer": self.customer, "docstatus": 1, "posting_date": (">=", start)},
			fields=["posting_date", "total"],
		):
			expected[month(row.posting_date)] += flt(row.total)
		self.assertEqual(
			dict(zip(keys, figures["datasets"][0]["values"], strict=True)),
			{k: flt(expected.get(k), 2) for k in keys},
		)
		self.assertNotIn(999 * 1.0, figures["datasets"][0]["values"])  # thirteen months ago

	def test_days_in_each_stage_recent_against_all(self):
		figures = self.one_query(charts.stage_durations)
		by_stage = {row.stage: row for row in figures["rows"]}
		first, second = by_stage[self.stages[0]], by_stage[self.stages[1]]
		self.assertAlmostEqual(flt(first.recent_days), 2, places=2)
		self.assertAlmostEqual(flt(first.all_days), 3, places=2)  # (2 + 4) / 2
		self.assertAlmostEqual(flt(second.recent_days), 3, places=2)
		self.assertAlmostEqual(flt(second.all_days), 3, places=2)
		self.assertNotIn(self.stages[2], by_stage)  # the final stage is where orders end, not a step

	def test_stage_durations_read_only_the_index(self):
		"""The sum spans every day of the customer's history: read from the covering index, it touches no
		row of the table (the unique key alone made it read each row; the page's slowest part)."""
		query = charts.stage_durations_query(self.customer)
		plans = frappe.db.sql(f"explain {query.get_sql()}", as_dict=True)
		plan = next(p for p in plans if p.table == "tabOrder Stage Time")
		self.assertEqual(plan.key, COVERING_INDEX)
		self.assertIn("Using index", plan.Extra)

	def test_on_time_delivery(self):
		figures = self.one_query(charts.on_time_delivery)
		start, _keys = charts.month_window()
		rows = frappe.get_all(
			"Order",
			filters={"customer": self.customer, "actual_date": (">=", start), "expected_date": ("is", "set")},
			fields=["actual_date", "expected_date"],
		)
		punctual = sum(getdate(row.actual_date) <= getdate(row.expected_date) for row in rows)
		self.assertEqual((figures["delivered"], figures["on_time"]), (len(rows), punctual))
		self.assertEqual((figures["delivered"], figures["on_time"]), (3, 2))
		self.assertEqual(figures["rate"], round(100 * 2 / 3, 1))
		delivered, on_time = figures["datasets"]
		self.assertEqual((sum(delivered["values"]), sum(on_time["values"])), (3, 2))

	def test_open_tickets(self):
		figures = self.one_query(charts.open_tickets)
		counts = {d["name"]: sum(d["values"]) for d in figures["datasets"]}
		self.assertEqual(counts, {"Open": 1, "Answered": 1})
		self.assertEqual(figures["total"], 2)
