from collections import Counter

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, flt, get_first_day, getdate, today

from customer_portal.analytics import month_figures, spend_figures
from customer_portal.analytics.kept_figures import ORDER_MONTHS
from customer_portal.tests.fixtures import (
	make_customer,
	make_invoice,
	make_order,
	make_stages,
	site_connection,
)


def from_orders(customers: tuple[str, ...]) -> dict:
	"""The counts worked out directly from the orders (what the analytics page ran before orders kept
	them): (customer, month, stage) -> (placed, delivered, on time)."""
	counts = Counter()
	for row in frappe.get_all(
		"Order",
		filters={"customer": ("in", customers)},
		fields=["customer", "stage", "order_date", "expected_date", "actual_date"],
	):
		stage = row.stage or ""
		if row.order_date:
			counts[(row.customer, get_first_day(row.order_date), stage, "placed")] += 1
		if row.actual_date and row.expected_date:
			key = (row.customer, get_first_day(row.actual_date), stage)
			counts[(*key, "delivered")] += 1
			counts[(*key, "on_time")] += int(getdate(row.actual_date) <= getdate(row.expected_date))
	keys = {key[:3] for key in counts}
	return {key: tuple(counts[(*key, name)] for name in ("placed", "delivered", "on_time")) for key in keys}


def kept(customers: tuple[str, ...]) -> dict:
	rows = frappe.get_all(
		"Order Month Figure",
		filters={"customer": ("in", customers)},
		fields=["customer", "month", "stage", "placed", "delivered", "on_time"],
	)
	return {
		(row.customer, getdate(row.month), row.stage or ""): (row.placed, row.delivered, row.on_time)
		for row in rows
	}


class TestMonthFigures(FrappeTestCase):
	"""The counts orders keep as they change always equal the ones counted from the orders."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Month Figures")

	def setUp(self):
		run = frappe.generate_hash(length=6)  # customers of each test's own: the counts are exact
		self.customers = (make_customer(f"Month Figures {run}"), make_customer(f"Month Figures Other {run}"))

	def assertKeptAsOrders(self, expected_rows: int | None = None):
		expected = from_orders(self.customers)
		self.assertEqual(kept(self.customers), expected)
		if expected_rows is not None:
			self.assertEqual(len(expected), expected_rows)

	def test_new_orders_moves_date_edits_customer_changes_and_deletions(self):
		first, second = self.customers
		received, production, delivered = self.stages
		day = getdate(today())
		order = make_order(first, "Counted", stage=received, order_date=add_months(day, -2))
		self.assertKeptAsOrders(expected_rows=1)
		self.assertEqual(
			kept(self.customers)[(first, get_first_day(add_months(day, -2)), received)], (1, 0, 0)
		)

		# moves to another stage: the count moves with it
		doc = frappe.get_doc("Order", order)
		doc.stage = production
		doc.save()
		self.assertKeptAsOrders(expected_rows=1)

		# delivered late, then the expected date moved: on time after all
		doc.expected_date = add_days(doc.order_date, 10)
		doc.actual_date = add_days(doc.order_date, 20)
		doc.stage = delivered
		doc.save()
		self.assertKeptAsOrders()
		key = (first, get_first_day(doc.actual_date), delivered)
		self.assertEqual(kept(self.customers)[key][1:], (1, 0))
		doc.expected_date = add_days(doc.order_date, 25)
		doc.save()
		self.assertKeptAsOrders()
		self.assertEqual(kept(self.customers)[key][1:], (1, 1))

		# the order date edited into another month, and another order alongside
		doc.order_date = add_months(day, -3)
		doc.save()
		make_order(first, "Alongside", stage=delivered, order_date=add_months(day, -3))
		make_order(first, "No stage", order_date=day)
		self.assertKeptAsOrders()

		# the order moves to another customer: its counts go with it
		doc.customer = second
		doc.save()
		self.assertKeptAsOrders()
		self.assertIn(second, {key[0] for key in kept(self.customers)})

		# deleted orders take their counts away, and leave no row naming the customer behind
		frappe.delete_doc("Order", order)
		self.assertKeptAsOrders()
		self.assertNotIn(second, {key[0] for key in kept(self.customers)})
		for name in frappe.get_all("Order", filters={"customer": ("in", self.customers)}, pluck="name"):
			frappe.delete_doc("Order", name)
		self.assertKeptAsOrders(expected_rows=0)
		self.assertFalse(frappe.db.exists("Order Month Figure", {"customer": ("in", self.customers)}))

	def test_counts_are_written_in_the_saves_transaction(self):
		"""A save rolled back (a later hook failing, the request failing) takes its counts with it."""
		received, production, _delivered = self.stages
		order = make_order(self.customers[0], "Rolled back", stage=received)
		before = kept(self.customers)
		frappe.db.savepoint("month_move")
		doc = frappe.get_doc("Order", order)
		doc.stage = production
		doc.save()
		self.assertNotEqual(kept(self.customers), before)
		frappe.db.rollback(save_point="month_move")
		self.assertEqual(kept(self.customers), before)
		self.assertKeptAsOrders()

	def test_rebuild_counts_the_same_figures(self):
		first, second = self.customers
		received, _production, delivered = self.stages
		day = getdate(today())
		for customer, months_ago, late in ((first, 1, False), (first, 1, True), (second, 4, False)):
			ordered = add_months(day, -months_ago)
			make_order(
				customer,
				"Rebuilt",
				stage=delivered,
				order_date=ordered,
				expected_date=add_days(ordered, 10),
				actual_date=add_days(ordered, 15 if late else 5),
			)
		make_order(first, "Rebuilt, no stage", order_date=day)
		make_order(second, "Rebuilt, received", stage=received, order_date=day)
		expected = kept(self.customers)
		self.assertEqual(expected, from_orders(self.customers))
		frappe.db.delete("Order Month Figure", {"customer": ("in", self.customers)})
		progress = []
		month_figures.rebuild(self.customers, progress=lambda *args: progress.append(args[:2]))
		self.assertEqual(kept(self.customers), expected)
		self.assertEqual(progress, [(1, 2), (2, 2)])

	def test_merging_customers_or_stages_adds_their_counts(self):
		"""Merging a customer (or a stage) into another whose counts share a month and stage with it: the
		rename succeeds and the counts are the sum, as the orders now say."""
		run = frappe.generate_hash(length=6)
		away, into = make_customer(f"Counted Away {run}"), make_customer(f"Counted Into {run}")
		received, production, _delivered = make_stages(f"Count Merge {run}")
		day = getdate(today())
		for customer, stage in ((away, received), (into, received), (into, production)):
			make_order(customer, "Merging", stage=stage, order_date=day)
		self.assertEqual(kept((away, into)), from_orders((away, into)))

		frappe.rename_doc("Customer", away, into, merge=True)
		self.assertEqual(kept((away, into)), from_orders((away, into)))
		self.assertEqual(kept((into,))[(into, get_first_day(day), received)], (2, 0, 0))

		frappe.rename_doc("Order Stage", production, received, merge=True)
		self.assertEqual(kept((into,)), from_orders((into,)))
		self.assertEqual(kept((into,))[(into, get_first_day(day), received)], (3, 0, 0))


def spend_from_invoices(customers: tuple[str, ...]) -> dict:
	"""(customer, month) -> (submitted invoices, their total), counted from the invoices."""
	figures = {}
	for row in frappe.get_all(
		"Invoice",
		filters={"customer": ("in", customers), "docstatus": 1},
		fields=["customer", "posting_date", "total"],
	):
		invoices, spend = figures.get((row.customer, get_first_day(row.posting_date)), (0, 0))
		figures[(row.customer, get_first_day(row.posting_date))] = (invoices + 1, flt(spend + row.total, 2))
	return figures


def kept_spend(customers: tuple[str, ...]) -> dict:
	rows = frappe.get_all(
		"Invoice Month Figure",
		filters={"customer": ("in", customers)},
		fields=["customer", "month", "invoices", "spend"],
	)
	return {(row.customer, getdate(row.month)): (row.invoices, flt(row.spend, 2)) for row in rows}


class TestSpendFigures(FrappeTestCase):
	"""The monthly spend invoices keep as they are submitted and cancelled always equals the invoices'."""

	def setUp(self):
		run = frappe.generate_hash(length=6)
		self.customers = (make_customer(f"Spend {run}"), make_customer(f"Spend Other {run}"))

	def assertKeptAsInvoices(self):
		self.assertEqual(kept_spend(self.customers), spend_from_invoices(self.customers))

	def test_submitted_and_cancelled_invoices_and_merges(self):
		first, second = self.customers
		day = getdate(today())
		draft = make_invoice(first, submit=False, rate=40, posting_date=add_months(day, -1))
		self.assertEqual(kept_spend(self.customers), {})  # a draft is not spend
		draft.submit()
		make_invoice(first, rate=60, posting_date=add_months(day, -1))
		cancelled = make_invoice(first, rate=500, posting_date=day)
		make_invoice(second, rate=7, posting_date=day)
		self.assertKeptAsInvoices()
		self.assertEqual(kept_spend(self.customers)[(first, get_first_day(add_months(day, -1)))][0], 2)

		cancelled.cancel()
		self.assertKeptAsInvoices()
		self.assertNotIn((first, get_first_day(day)), kept_spend(self.customers))  # nothing left: no row

		frappe.rename_doc("Customer", second, first, merge=True)
		self.assertEqual(kept_spend(self.customers), spend_from_invoices(self.customers))
		self.assertEqual(kept_spend((first,))[(first, get_first_day(day))][0], 1)

	def test_rebuild_totals_the_same_figures(self):
		day = getdate(today())
		for customer, months_ago, rate in (
			(self.customers[0], 0, 10),
			(self.customers[0], 3, 20),
			(self.customers[1], 0, 30),
		):
			make_invoice(customer, rate=rate, posting_date=add_months(day, -months_ago))
		make_invoice(self.customers[0], submit=False, rate=99)
		expected = kept_spend(self.customers)
		self.assertEqual(expected, spend_from_invoices(self.customers))
		frappe.db.delete("Invoice Month Figure", {"customer": ("in", self.customers)})
		spend_figures.rebuild(self.customers)
		self.assertEqual(kept_spend(self.customers), expected)


class TestConcurrentFigures(FrappeTestCase):
	"""Two saves of one customer's records at once, on two connections of their own: a save that empties
	a row must lock only the rows it wrote (its cleanup scanned the table and locked every row, and
	concurrent stage changes deadlocked: a load run at 16 users)."""

	def setUp(self):
		self.customer = f"Concurrent Figures {frappe.generate_hash(length=6)}"
		self.first, self.second = getdate("2026-01-01"), getdate("2026-02-01")
		self.addCleanup(self.remove_rows)
		self.on(
			self.connection(),
			lambda: self.add_and_commit(
				{
					(self.customer, self.first, "Received"): (1, 0, 0),
					(self.customer, self.second, "Shipped"): (1, 0, 0),
				}
			),
		)

	def connection(self, lock_wait_seconds: int = 50):
		connection = site_connection()
		connection.sql("set session innodb_lock_wait_timeout = %s", lock_wait_seconds)
		return connection

	def on(self, connection, work):
		kept = frappe.local.db
		frappe.local.db = connection
		try:
			return work()
		finally:
			frappe.local.db = kept

	def add_and_commit(self, changes):
		ORDER_MONTHS.add(changes)
		frappe.db.commit()

	def remove_rows(self):
		cleaner = self.connection()
		cleaner.sql("delete from `tabOrder Month Figure` where customer = %s", self.customer)
		cleaner.commit()
		cleaner.close()

	def test_emptying_a_row_does_not_hold_the_customers_other_rows(self):
		emptying, other = self.connection(), self.connection(lock_wait_seconds=1)
		self.on(emptying, lambda: ORDER_MONTHS.add({(self.customer, self.first, "Received"): (-1, 0, 0)}))
		# the other save, while the first has not committed: a lock wait here is what deadlocked
		self.on(other, lambda: self.add_and_commit({(self.customer, self.second, "Shipped"): (1, 0, 0)}))
		emptying.commit()
		reader = self.connection()
		rows = reader.sql(
			"select month, stage, placed from `tabOrder Month Figure` where customer = %s",
			self.customer,
			as_dict=True,
		)
		self.assertEqual(
			[(getdate(row.month), row.stage, row.placed) for row in rows], [(self.second, "Shipped", 2)]
		)
