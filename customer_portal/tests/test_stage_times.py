from datetime import datetime, time, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from customer_portal.analytics import stage_times
from customer_portal.tests.fixtures import make_customer, make_order, make_stages, set_stage_history


def from_history(customers: tuple[str, ...]) -> dict:
	"""The figures worked out directly from the stage history with a window query (what the analytics page
	ran before orders kept them): (customer, stage, day) -> (moves, seconds)."""
	rows = frappe.db.sql(
		"""
		select customer, stage, day, count(*) as moves, sum(seconds) as seconds
		from (
			select `tabOrder`.customer, history.stage, date(history.reached_on) as day,
				timestampdiff(microsecond, history.reached_on, lead(history.reached_on) over (
					partition by history.parent order by history.reached_on, history.idx
				)) / 1e6 as seconds
			from `tabOrder Stage History` history
			join `tabOrder` on `tabOrder`.name = history.parent
			where history.parenttype = 'Order' and history.parentfield = 'stage_history'
				and `tabOrder`.customer in %(customers)s
		) timeline
		where seconds is not null
		group by customer, stage, day
		""",
		{"customers": customers},
		as_dict=True,
	)
	return {(row.customer, row.stage, row.day): (row.moves, round(float(row.seconds), 3)) for row in rows}


def kept(customers: tuple[str, ...]) -> dict:
	rows = frappe.get_all(
		"Order Stage Time",
		filters={"customer": ("in", customers)},
		fields=["customer", "stage", "day", "moves", "seconds"],
	)
	return {(row.customer, row.stage, row.day): (row.moves, round(float(row.seconds), 3)) for row in rows}


class TestStageTimes(FrappeTestCase):
	"""The figures orders keep as they move always equal the ones worked out from the history."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Stage Times")
		cls.customers = (make_customer("Stage Times Co"), make_customer("Stage Times Other Co"))

	def assertKeptAsHistory(self, expected_rows: int | None = None):
		expected = from_history(self.customers)
		self.assertEqual(kept(self.customers), expected)
		if expected_rows is not None:
			self.assertEqual(len(expected), expected_rows)

	def test_moves_edits_customer_changes_and_deletions(self):
		first, second = self.customers
		received, production, delivered = self.stages
		now = now_datetime().replace(microsecond=0)
		order = make_order(first, "Moving", stage=received)
		self.assertKeptAsHistory(expected_rows=0)  # one history row: no time in a stage yet

		# moves through the stages, as staff save them
		doc = frappe.get_doc("Order", order)
		doc.stage = production
		doc.save()
		doc.stage = delivered
		doc.save()
		self.assertKeptAsHistory(expected_rows=2)

		# history edited by hand (reached a day apart, over two days), then another order on the same days
		set_stage_history(
			order,
			[(received, now - timedelta(days=3)), (production, now - timedelta(days=2)), (delivered, now)],
		)
		other = make_order(first, "Alongside", stage=production)
		set_stage_history(
			other, [(received, now - timedelta(days=3, hours=6)), (production, now - timedelta(hours=1))]
		)
		self.assertKeptAsHistory()
		self.assertEqual(
			kept(self.customers)[(first, production, (now - timedelta(days=2)).date())],
			(1, 2 * 86400.0),
		)

		# history rows out of order are taken in the order they were reached
		set_stage_history(
			other, [(production, now - timedelta(hours=1)), (received, now - timedelta(days=3, hours=6))]
		)
		self.assertKeptAsHistory()

		# the order moves to another customer: its times go with it
		doc = frappe.get_doc("Order", order)
		doc.customer = second
		doc.save()
		self.assertKeptAsHistory()
		self.assertIn(second, {key[0] for key in kept(self.customers)})

		# deleted orders take their times away, and leave no row naming the customer behind
		frappe.delete_doc("Order", order)
		self.assertKeptAsHistory()
		self.assertNotIn(second, {key[0] for key in kept(self.customers)})
		frappe.delete_doc("Order", other)
		self.assertKeptAsHistory(expected_rows=0)
		self.assertFalse(frappe.db.exists("Order Stage Time", {"customer": ("in", self.customers)}))

	def test_figures_are_written_in_the_saves_transaction(self):
		"""A save rolled back (a later hook failing, the request failing) takes its figures with it."""
		first = self.customers[0]
		received, production, _delivered = self.stages
		order = make_order(first, "Rolled back", stage=received)
		before = kept(self.customers)
		frappe.db.savepoint("stage_move")
		doc = frappe.get_doc("Order", order)
		doc.stage = production
		doc.save()
		self.assertNotEqual(kept(self.customers), before)
		frappe.db.rollback(save_point="stage_move")
		self.assertEqual(kept(self.customers), before)
		self.assertKeptAsHistory()

	def test_rebuild_works_out_the_same_figures(self):
		first, second = self.customers
		received, production, delivered = self.stages
		now = now_datetime()
		for customer, hours in ((first, 5), (first, 30), (second, 50)):
			order = make_order(customer, "Rebuilt", stage=received)
			set_stage_history(
				order,
				[
					(received, now - timedelta(hours=hours * 2)),
					(production, now - timedelta(hours=hours)),
					(delivered, now),
				],
			)
		expected = kept(self.customers)
		self.assertEqual(expected, from_history(self.customers))
		frappe.db.delete("Order Stage Time", {"customer": ("in", self.customers)})
		progress = []
		stage_times.rebuild(self.customers, progress=lambda *args: progress.append(args[:2]))
		self.assertEqual(kept(self.customers), expected)
		self.assertEqual(progress, [(1, 2), (2, 2)])

	def test_merging_customers_or_stages_adds_their_figures(self):
		"""Merging a customer (or a stage) into another whose figures share a stage and day with it: the
		rename succeeds and the figures are the sum, as the history now says."""
		run = frappe.generate_hash(length=6)
		away, into = make_customer(f"Merged Away {run}"), make_customer(f"Merged Into {run}")
		received, production, delivered = make_stages(f"Merge {run}")
		day = datetime.combine(now_datetime().date() - timedelta(days=3), time(1))
		for customer, hours in ((away, 5), (into, 7), (into, 9)):
			order = make_order(customer, "Merging", stage=received)
			reached = [day, day + timedelta(hours=hours), day + timedelta(hours=2 * hours)]
			set_stage_history(order, list(zip((received, production, delivered), reached, strict=True)))
		self.assertEqual(kept((away, into)), from_history((away, into)))
		self.assertEqual(kept((into,))[(into, received, day.date())][0], 2)

		frappe.rename_doc("Customer", away, into, merge=True)
		self.assertFalse(frappe.db.exists("Customer", away))
		self.assertEqual(kept((away, into)), from_history((away, into)))
		self.assertEqual(kept((into,))[(into, received, day.date())], (3, (5 + 7 + 9) * 3600.0))

		# the orders' time in production and in the stage it is merged into, on the same day, add up too
		frappe.rename_doc("Order Stage", production, received, merge=True)
		self.assertEqual(kept((into,)), from_history((into,)))
		self.assertEqual(kept((into,))[(into, received, day.date())], (6, 2 * (5 + 7 + 9) * 3600.0))
