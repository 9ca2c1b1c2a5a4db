import hashlib
import hmac
import json
import time

import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.payments.providers import (
	InvalidNotification,
	StripeCheckout,
	from_minor_units,
	to_minor_units,
)
from customer_portal.permissions import portal_write
from customer_portal.tests.fixtures import make_customer, make_invoice, make_user


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
	timestamp = timestamp or int(time.time())
	digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
	return f"t={timestamp},v1={digest}"


class TestPaymentLedger(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("payments-user@example.com")
		cls.customer = make_customer("Payments Co", {cls.user: "Member"})

	def tearDown(self):
		frappe.set_user("Administrator")

	def pay(self, invoice, amount, **fields):
		return frappe.get_doc(
			{"doctype": "Invoice Payment", "invoice": invoice.name, "amount": amount, **fields}
		).insert()

	def test_a_staff_payment_settles_the_invoice_and_is_heard_of(self):
		invoice = make_invoice(self.customer, rate=300)
		self.pay(invoice, 100, method="Bank Transfer")
		invoice.reload()
		self.assertEqual(
			(invoice.paid_amount, invoice.outstanding_amount, invoice.status), (100, 200, "Partly Paid")
		)
		self.assertTrue(
			frappe.db.exists(
				"Portal Event", {"event_type": "Payment Recorded", "reference_name": invoice.name}
			)
		)
		self.pay(invoice, 200, method="Cash")
		invoice.reload()
		self.assertEqual((invoice.outstanding_amount, invoice.status), (0, "Paid"))

	def test_a_paid_payment_stays_as_it_is_and_overpayment_is_noted(self):
		invoice = make_invoice(self.customer, rate=100)
		payment = self.pay(invoice, 80)
		payment.amount = 90
		self.assertRaisesRegex(frappe.ValidationError, "cannot be changed", payment.save)
		payment.reload()
		payment.status = "Failed"
		self.assertRaisesRegex(frappe.ValidationError, "cannot be changed", payment.save)
		extra = self.pay(invoice, 50)
		invoice.reload()
		self.assertEqual(invoice.paid_amount, 100)  # capped at the total
		self.assertTrue(
			frappe.db.exists("Comment", {"reference_name": extra.name, "content": ("like", "%due back%")})
		)

	def test_customers_only_start_online_checkouts(self):
		invoice = make_invoice(self.customer, rate=100)
		frappe.set_user(self.user)
		doc = frappe.get_doc(
			{
				"doctype": "Invoice Payment",
				"invoice": invoice.name,
				"amount": 100,
				"status": "Pending",
				"method": "Online",
			}
		)
		self.assertRaises(frappe.PermissionError, doc.insert)  # outside the checkout's write window
		with portal_write("Invoice Payment"):
			paid = frappe.get_doc(
				{
					"doctype": "Invoice Payment",
					"invoice": invoice.name,
					"amount": 100,
					"status": "Paid",
					"method": "Cash",
				}
			)
			self.assertRaises(frappe.PermissionError, paid.insert)
		frappe.set_user("Administrator")
		invoice.reload()
		self.assertEqual(invoice.paid_amount, 0)


class TestStripeNotifications(FrappeTestCase):
	"""The Stripe SDK's own signature check, with Stripe's documented scheme."""

	secret = "whsec_unit"

	def provider(self):
		return StripeCheckout("sk_test_unit", self.secret)

	def event(self, kind="checkout.session.completed", payment_status="paid"):
		return json.dumps(
			{
				"id": "evt_1",
				"object": "event",
				"type": kind,
				"data": {
					"object": {
						"id": "cs_test_1",
						"object": "checkout.session",
						"payment_status": payment_status,
						"amount_total": 12345,
						"currency": "eur",
					}
				},
			}
		).encode()

	def test_a_signed_completion_reads_as_paid(self):
		payload = self.event()
		notice = self.provider().read_notification(
			payload, {"Stripe-Signature": stripe_signature(payload, self.secret)}
		)
		self.assertEqual(
			(notice.outcome, notice.reference, notice.amount, notice.currency),
			("paid", "cs_test_1", 123.45, "EUR"),
		)
		unpaid = self.event(payment_status="unpaid")
		notice = self.provider().read_notification(
			unpaid, {"Stripe-Signature": stripe_signature(unpaid, self.secret)}
		)
		self.assertEqual(notice.outcome, "other")  # completed, but the money has not arrived (async methods)

	def test_bad_signatures_are_refused(self):
		payload = self.event()
		for header in (
			stripe_signature(payload, "whsec_other"),
			stripe_signature(payload, self.secret, timestamp=int(time.time()) - 3600),
			"",
			"t=1,v1=00",
		):
			with self.subTest(header):
				self.assertRaises(
					InvalidNotification,
					self.provider().read_notification,
					payload,
					{"Stripe-Signature": header},
				)

	def test_minor_units(self):
		self.assertEqual(to_minor_units(123.45, "USD"), 12345)
		self.assertEqual(to_minor_units(1200, "JPY"), 1200)
		self.assertEqual(from_minor_units(12345, "usd"), 123.45)
		self.assertEqual(from_minor_units(1200, "jpy"), 1200)
