"""Paying an invoice online, over HTTP, with the official `stripe` SDK talking to a Checkout stub on
loopback and webhooks signed with Stripe's scheme: the checkout carries the outstanding amount, a paid
event settles the invoice once (a replay changes nothing), a bad, tampered or stale signature changes
nothing, and another customer's invoice is "not found"."""

import time
import unittest

import requests
from portal_client import (
	BASE_URL,
	PortalClient,
	make_portal_user,
	make_unpaid_invoice,
	observed,
	site_connection,
)
from stripe_stub import (
	SECRET_KEY,
	WEBHOOK_SECRET,
	StripeStub,
	disable_online_payments,
	enable_online_payments,
	signed,
)

PAY = "/api/method/customer_portal.api.payments.pay"
WEBHOOK = f"{BASE_URL}/api/method/customer_portal.api.payments.stripe_webhook"
JSON = {"Accept": "application/json"}


class OnlinePaymentTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.stub = StripeStub().__enter__()
		enable_online_payments(cls.stub)
		cls.alice = PortalClient("alice@acme.example.com")
		cls.admin = PortalClient("Administrator")
		cls.invoices = [make_unpaid_invoice(rate=rate) for rate in (1250, 480.5, 99)]

	@classmethod
	def tearDownClass(cls):
		disable_online_payments()
		cls.stub.__exit__(None, None, None)

	def invoice(self, name: str) -> dict:
		return self.admin.get(f"/api/resource/Invoice/{name}").json()["data"]

	def payment(self, session_id: str) -> dict:
		with site_connection() as frappe:
			return frappe.db.get_value(
				"Invoice Payment",
				{"provider_reference": session_id},
				["name", "status", "amount"],
				as_dict=True,
			)

	def start_checkout(self, invoice: str) -> str:
		answer = self.alice.post(PAY, data={"invoice": invoice}, headers=JSON)
		self.assertEqual(answer.status_code, 200, answer.text[:500])
		url = answer.json()["message"]["url"]
		self.assertTrue(url.startswith(f"{self.stub.url}/pay/cs_test_"), url)
		return url.rsplit("/", 1)[1]

	def send(self, payload: bytes, signature: str) -> requests.Response:
		return requests.post(
			WEBHOOK, data=payload, headers={"Stripe-Signature": signature, "Content-Type": "application/json"}
		)

	def test_a_paid_checkout_settles_the_invoice_once(self):
		invoice = self.invoices[0]
		before = self.invoice(invoice)
		session_id = self.start_checkout(invoice)
		request = self.stub.requests[-1]
		self.assertEqual(request["authorization"], f"Bearer {SECRET_KEY}")
		self.assertEqual(request["fields"]["mode"], "payment")
		self.assertEqual(
			int(request["fields"]["line_items[0][price_data][unit_amount]"]),
			round(before["outstanding_amount"] * 100),
		)
		self.assertEqual(request["fields"]["metadata[invoice]"], invoice)
		payment = self.payment(session_id)
		self.assertEqual((payment.status, request["idempotency_key"]), ("Pending", payment.name))
		# a second click reuses the open checkout
		sessions = len(self.stub.sessions)
		self.assertEqual(self.start_checkout(invoice), session_id)
		self.assertEqual(len(self.stub.sessions), sessions)

		payload, signature = signed(self.stub.completed_event(session_id), WEBHOOK_SECRET)
		answer = self.send(payload, signature)
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		self.assertEqual(answer.json()["message"]["outcome"], "paid")
		after = self.invoice(invoice)
		self.assertEqual((after["status"], after["outstanding_amount"]), ("Paid", 0))
		self.assertEqual(after["paid_amount"], before["total"])
		self.assertEqual(self.payment(session_id).status, "Paid")
		# Stripe retries and replays: the same event, and another event for the same checkout
		for replay, replay_signature in (
			(payload, signature),
			signed(self.stub.completed_event(session_id), WEBHOOK_SECRET),
		):
			answer = self.send(replay, replay_signature)
			self.assertEqual(answer.json()["message"]["outcome"], "already paid")
		self.assertEqual(self.invoice(invoice)["paid_amount"], before["total"])
		with site_connection() as frappe:
			self.assertEqual(frappe.db.count("Invoice Payment", {"invoice": invoice, "status": "Paid"}), 1)
		# the invoice page shows the payment and offers no more Pay now
		page = self.alice.get(f"/portal/invoices/{invoice}").text
		self.assertIn("Payments", page)
		self.assertNotIn("payments.pay", page)

	def test_a_bad_signature_changes_nothing(self):
		invoice = self.invoices[1]
		before = self.invoice(invoice)
		session_id = self.start_checkout(invoice)
		event = self.stub.completed_event(session_id)
		payload, signature = signed(event, WEBHOOK_SECRET)
		tampered = payload.replace(b'"paid"', b'"paid" ', 1)
		for label, body, header in (
			("another secret", *signed(event, "whsec_attacker")),
			("tampered body", tampered, signature),
			("stale timestamp", *signed(event, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600)),
			("no signature", payload, ""),
		):
			with self.subTest(label):
				answer = self.send(body, header)
				self.assertEqual(answer.status_code, 400, answer.text[:300])
		self.assertEqual(self.payment(session_id).status, "Pending")
		self.assertEqual(self.invoice(invoice)["paid_amount"], before["paid_amount"])

	def test_another_customers_invoice_is_not_found(self):
		stranger = PortalClient(make_portal_user("payments-globex", "Globex Manufacturing"))
		invoice = self.invoices[2]
		foreign = stranger.post(PAY, data={"invoice": invoice}, headers=JSON)
		missing = stranger.post(PAY, data={"invoice": "INV-2026-99999"}, headers=JSON)
		self.assertEqual(foreign.status_code, 404)
		self.assertEqual(observed(foreign, invoice), observed(missing, "INV-2026-99999"))
