# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from customer_portal.customer_portal.doctype.invoice.invoice import (
	get_invoice_status,
	mark_overdue_invoices,
)
from customer_portal.tests.fixtures import make_customer, make_invoice, make_order, make_stages


class TestInvoice(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_stages("Invoice Test")
		cls.customer = make_customer("Invoice Test Customer")
		cls.other_customer = make_customer("Invoice Test Other Customer")

	def test_draft_then_unpaid_on_submit(self):
		invoice = make_invoice(self.customer, submit=False, rate=120)
		self.assertEqual(invoice.status, "Draft")
		invoice.submit()
		self.assertEqual((invoice.status, invoice.total, invoice.outstanding_amount), ("Unpaid", 120, 120))

	def test_payments_move_status_through_partly_paid_to_paid(self):
		invoice = make_invoice(self.customer, rate=100)
		invoice.paid_amount = 40
		invoice.save()
		self.assertEqual((invoice.status, invoice.outstanding_amount), ("Partly Paid", 60))
		invoice.paid_amount = 100
		invoice.save()
		self.assertEqual((invoice.status, invoice.outstanding_amount), ("Paid", 0))

	def test_overpayment_is_refused_and_changes_nothing(self):
		invoice = make_invoice(self.customer, rate=100)
		invoice.paid_amount = 150
		with self.assertRaisesRegex(frappe.ValidationError, "exceeds the invoice total"):
			invoice.save()
		stored = frappe.db.get_value("Invoice", invoice.name, ["paid_amount", "status"], as_dict=True)
		self.assertEqual((stored.paid_amount, stored.status), (0, "Unpaid"))

	def test_past_due_invoice_is_overdue_and_cancel_wins(self):
		invoice = make_invoice(
			self.customer, posting_date=add_days(today(), -40), due_date=add_days(today(), -10)
		)
		self.assertEqual(invoice.status, "Overdue")
		invoice.cancel()
		self.assertEqual(frappe.db.get_value("Invoice", invoice.name, "status"), "Cancelled")

	def test_daily_job_marks_only_unpaid_past_due_invoices_overdue(self):
		due = make_invoice(self.customer)
		paid = make_invoice(self.customer)
		paid.paid_amount = paid.total
		paid.save()
		future = make_invoice(self.customer)
		frappe.db.set_value("Invoice", [due.name, paid.name], "due_date", add_days(today(), -1))
		mark_overdue_invoices()
		status = dict(
			frappe.get_all(
				"Invoice",
				filters={"name": ("in", [due.name, paid.name, future.name])},
				fields=["name", "status"],
				as_list=True,
			)
		)
		self.assertEqual(status, {due.name: "Overdue", paid.name: "Paid", future.name: "Unpaid"})

	def test_status_rule(self):
		on = getdate("2026-06-15")
		cases = [
			((0, 100, 100, "2026-07-01"), "Draft"),
			((2, 100, 100, "2026-07-01"), "Cancelled"),
			((1, 100, 0, "2026-01-01"), "Paid"),
			((1, 100, 100, "2026-06-14"), "Overdue"),
			((1, 100, 30, "2026-06-14"), "Overdue"),
			((1, 100, 30, "2026-06-15"), "Partly Paid"),
			((1, 100, 100, "2026-06-15"), "Unpaid"),
		]
		for args, expected in cases:
			self.assertEqual(get_invoice_status(*args, on), expected, args)

	def test_due_date_before_invoice_date_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "cannot be before"):
			make_invoice(self.customer, posting_date=today(), due_date=add_days(today(), -1))

	def test_order_of_another_customer_is_refused(self):
		order = make_order(self.other_customer)
		with self.assertRaisesRegex(frappe.ValidationError, "belongs to customer"):
			make_invoice(self.customer, order=order)
