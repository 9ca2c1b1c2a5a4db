# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from customer_portal.tests.fixtures import make_customer, make_order, make_stages, make_user


class TestOrder(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Order Test")
		cls.customer = make_customer("Order Test Customer")
		cls.staff = make_user("order-test-staff@example.com")
		frappe.get_doc("User", cls.staff).add_roles("Customer Portal Staff")

	def test_new_order_starts_at_first_stage_with_history(self):
		order = frappe.get_doc("Order", make_order(self.customer))
		self.assertEqual(order.stage, self.stages[0])
		self.assertEqual([row.stage for row in order.stage_history], [self.stages[0]])
		self.assertEqual(order.stage_history[0].reached_by, "Administrator")
		self.assertIsNotNone(order.stage_history[0].reached_on)

	def test_stage_change_is_recorded_once_with_who_and_when(self):
		order = frappe.get_doc("Order", make_order(self.customer))
		frappe.set_user(self.staff)
		try:
			order.stage = self.stages[1]
			order.save()
			order.title = "Renamed, same stage"
			order.save()
		finally:
			frappe.set_user("Administrator")
		order.reload()
		self.assertEqual([row.stage for row in order.stage_history], self.stages[:2])
		self.assertEqual(order.stage_history[1].reached_by, self.staff)
		self.assertGreaterEqual(order.stage_history[1].reached_on, order.stage_history[0].reached_on)

	def test_final_stage_sets_actual_date(self):
		order = frappe.get_doc("Order", make_order(self.customer))
		self.assertFalse(order.actual_date)
		order.stage = self.stages[-1]
		order.save()
		self.assertEqual(getdate(order.actual_date), getdate(today()))

	def test_totals_are_computed_server_side(self):
		order = frappe.get_doc(
			"Order",
			make_order(
				self.customer,
				items=[
					{"item_name": "A", "qty": 3, "rate": 10, "amount": 999},
					{"item_name": "B", "qty": 1.5, "rate": 4},
				],
			),
		)
		self.assertEqual([item.amount for item in order.items], [30, 6])
		self.assertEqual(order.total, 36)
		self.assertEqual(order.total_qty, 4.5)

	def test_invalid_quantity_is_refused_with_a_clear_message(self):
		with self.assertRaisesRegex(frappe.ValidationError, "quantity of Broken must be greater than zero"):
			make_order(self.customer, items=[{"item_name": "Broken", "qty": 0, "rate": 1}])

	def test_expected_date_before_order_date_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "cannot be before"):
			make_order(self.customer, order_date=today(), expected_date=add_days(today(), -1))

	def test_order_without_configured_stages_explains_what_to_do(self):
		frappe.db.savepoint("without_stages")
		try:
			frappe.db.delete("Order Stage")
			with self.assertRaisesRegex(frappe.ValidationError, "No Order Stage is configured yet"):
				make_order(self.customer)
		finally:
			frappe.db.rollback(save_point="without_stages")
