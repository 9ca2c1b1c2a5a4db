import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, flt, getdate, today

from customer_portal.payments import statement
from customer_portal.payments.ledger import record_untracked_payments
from customer_portal.tests.fixtures import make_customer, make_invoice


class TestStatement(FrappeTestCase):
	"""The statement's numbers against the invoices and payments they come from."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_customer("Statement Co")
		cls.other = make_customer("Statement Other Co")
		day = getdate(today())
		cls.start, cls.end = add_days(day, -30), add_days(day, -1)
		for customer in (cls.customer, cls.other):
			before = make_invoice(
				customer, rate=1000, posting_date=add_days(day, -60), due_date=add_days(day, -30)
			)
			inside = make_invoice(
				customer, rate=400, posting_date=add_days(day, -20), due_date=add_days(day, 10)
			)
			make_invoice(customer, rate=250, posting_date=add_days(day, -10), due_date=add_days(day, 20))
			make_invoice(customer, rate=999, posting_date=day, due_date=add_days(day, 30))  # after the range
			make_invoice(
				customer, rate=77, submit=False, posting_date=add_days(day, -5)
			)  # a draft: not billed
			cls.pay(before, 600, add_days(day, -45))  # before the range
			cls.pay(before, 400, add_days(day, -15))
			cls.pay(inside, 100, add_days(day, -5))
			cls.pay(inside, 50, day)  # after the range
		cls.statement = statement.build(cls.customer, cls.start, cls.end)

	@classmethod
	def pay(cls, invoice, amount, on):
		frappe.get_doc(
			{
				"doctype": "Invoice Payment",
				"invoice": invoice.name,
				"amount": amount,
				"paid_on": f"{on} 10:00:00",
			}
		).insert()

	def test_balances(self):
		self.assertEqual(self.statement.opening, 1000 - 600)
		self.assertEqual(self.statement.invoiced, 400 + 250)
		self.assertEqual(self.statement.received, 400 + 100)
		self.assertEqual(self.statement.closing, 400 + 650 - 500)

	def test_lines_in_date_order_with_a_running_balance(self):
		lines = [
			(line["kind"], line["debit"], line["credit"], line["balance"]) for line in self.statement.lines
		]
		self.assertEqual(
			lines,
			[
				("invoice", 400, 0, 800),
				("payment", 0, 400, 400),
				("invoice", 250, 0, 650),
				("payment", 0, 100, 550),
			],
		)

	def test_the_closing_balance_matches_what_invoices_say_is_outstanding(self):
		# every invoice of the customer up to the end date, against the payments up to then
		invoices = frappe.get_all(
			"Invoice",
			filters={"customer": self.customer, "docstatus": 1, "posting_date": ("<=", self.end)},
			pluck="total",
		)
		payments = frappe.get_all(
			"Invoice Payment",
			filters={"customer": self.customer, "status": "Paid", "paid_on": ("<", add_days(self.end, 1))},
			pluck="amount",
		)
		self.assertEqual(self.statement.closing, flt(sum(invoices) - sum(payments), 2))

	def test_a_paid_amount_edited_on_the_invoice_becomes_a_payment(self):
		invoice = make_invoice(self.customer, rate=300)
		invoice.paid_amount = 120
		invoice.save()
		rows = frappe.get_all(
			"Invoice Payment", filters={"invoice": invoice.name}, fields=["amount", "status", "method"]
		)
		self.assertEqual([(r.amount, r.status, r.method) for r in rows], [(120, "Paid", "Other")])
		invoice.reload()
		self.assertEqual(invoice.paid_amount, 120)  # not applied twice
		self.assertEqual(record_untracked_payments([invoice.name]), 0)

	def test_bad_ranges_are_refused(self):
		for start, end in (
			(None, today()),
			(today(), add_days(today(), -1)),
			("2001-01-01", today()),
			("x", "y"),
		):
			with self.subTest(start=start, end=end):
				self.assertRaises(frappe.ValidationError, statement.parse_range, start, end)
