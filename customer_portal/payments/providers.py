"""Payment providers behind one small interface: start a hosted checkout for an amount, and read the
provider's signed notification of what happened to it. The portal and its endpoints only know this
interface (payments/checkout.py, api/payments.py); Stripe Checkout is the implementation, through the
official `stripe` package: its client creates the Checkout Session, its own signature check reads the
webhook.
"""

from dataclasses import dataclass
from typing import Protocol

import frappe
from frappe import _
from frappe.utils import cint, flt
from frappe.utils.password import get_decrypted_password

# ISO 4217 currencies Stripe counts in whole units (no cents)
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())


class InvalidNotification(Exception):
	"""A notification whose signature (or body) does not check out: nothing is done with it."""


@dataclass(frozen=True)
class Checkout:
	reference: str  # the provider's id of the checkout (Stripe: the Checkout Session id)
	url: str  # where the customer pays


@dataclass(frozen=True)
class PaymentNotice:
	event_id: str
	outcome: str  # "paid", "failed", "expired" or "other"
	reference: str | None
	amount: float | None
	currency: str | None


class PaymentProvider(Protocol):
	name: str

	def create_checkout(
		self,
		*,
		payment: str,
		invoice: str,
		amount: float,
		currency: str,
		description: str,
		success_url: str,
		cancel_url: str,
		email: str | None,
	) -> Checkout: ...

	def read_notification(self, payload: bytes, headers) -> PaymentNotice: ...


def to_minor_units(amount: float, currency: str) -> int:
	return cint(round(flt(amount) * (1 if currency.lower() in ZERO_DECIMAL else 100)))


def from_minor_units(amount: int | None, currency: str | None) -> float | None:
	if amount is None:
		return None
	return flt(amount) / (1 if (currency or "").lower() in ZERO_DECIMAL else 100)


class StripeCheckout:
	name = "Stripe"
	PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")

	def __init__(self, secret_key: str, webhook_secret: str, api_base: str | None = None):
		self.secret_key, self.webhook_secret, self.api_base = secret_key, webhook_secret, api_base

	def client(self):
		import stripe

		return stripe.StripeClient(
			self.secret_key,
			base_addresses={"api": self.api_base} if self.api_base else {},
			max_network_retries=2,
		)

	def create_checkout(
		self, *, payment, invoice, amount, currency, description, success_url, cancel_url, email
	) -> Checkout:
		params = {
			"mode": "payment",
			"line_items": [
				{
					"quantity": 1,
					"price_data": {
						"currency": currency.lower(),
						"unit_amount": to_minor_units(amount, currency),
						"product_data": {"name": description},
					},
				}
			],
			"client_reference_id": invoice,
			"metadata": {"invoice": invoice, "payment": payment, "site": frappe.local.site},
			"success_url": success_url,
			"cancel_url": cancel_url,
		}
		if email:
			params["customer_email"] = email
		# the same payment never opens two sessions, even when a request is retried
		session = self.client().checkout.sessions.create(params=params, options={"idempotency_key": payment})
		return Checkout(session.id, session.url)

	def read_notification(self, payload: bytes, headers) -> PaymentNotice:
		import stripe

		try:
			event = stripe.Webhook.construct_event(
				payload, headers.get("Stripe-Signature") or "", self.webhook_secret
			)
		except (ValueError, stripe.SignatureVerificationError) as e:
			raise InvalidNotification(str(e)) from e
		session = event.data.object if event.type.startswith("checkout.session.") else None
		outcome = "other"
		if event.type in self.PAID and session and session.get("payment_status") == "paid":
			outcome = "paid"
		elif event.type == "checkout.session.async_payment_failed":
			outcome = "failed"
		elif event.type == "checkout.session.expired":
			outcome = "expired"
		currency = session.get("currency") if session else None
		return PaymentNotice(
			event.id,
			outcome,
			session.get("id") if session else None,
			from_minor_units(session.get("amount_total"), currency) if session else None,
			currency.upper() if currency else None,
		)


def configured_provider() -> PaymentProvider | None:
	"""The provider online payments go through (None: online payment is off or not set up)."""
	settings = frappe.get_cached_doc("Customer Portal Settings")
	if not settings.get("online_payments"):
		return None
	doctype = "Customer Portal Settings"
	secret = get_decrypted_password(doctype, doctype, "stripe_secret_key", raise_exception=False)
	signing = get_decrypted_password(doctype, doctype, "stripe_webhook_secret", raise_exception=False)
	if not secret or not signing:
		return None
	# tests and self-hosted gateways point the SDK elsewhere from site config
	return StripeCheckout(secret, signing, frappe.conf.get("customer_portal_stripe_api_base"))


def require_provider() -> PaymentProvider:
	provider = configured_provider()
	if not provider:
		frappe.throw(
			_("Online payment is not available. Please pay by bank transfer."), title=_("Not Available")
		)
	return provider
