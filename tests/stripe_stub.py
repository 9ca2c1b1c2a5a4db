"""A small HTTP server on loopback that answers the Checkout Session calls the official `stripe` SDK
makes, so the portal's real Stripe code runs against it (site config `customer_portal_stripe_api_base`),
and Stripe's documented webhook signing scheme, so the portal's real verification runs too.

Only what Checkout needs: `POST /v1/checkout/sessions` (form-encoded, as the SDK sends it) answers a
session object with an id and a hosted-checkout URL on this server; `GET /pay/<id>` is that page.
Every request is kept in `requests` for the tests to inspect.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class StripeStub:
	def __init__(self):
		self.requests: list[dict] = []
		self.sessions: dict[str, dict] = {}
		stub = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def do_POST(self):
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
				fields = dict(parse_qsl(body, keep_blank_values=True))
				stub.requests.append(
					{
						"path": self.path,
						"fields": fields,
						"authorization": self.headers.get("Authorization"),
						"idempotency_key": self.headers.get("Idempotency-Key"),
					}
				)
				if self.path != "/v1/checkout/sessions":
					return self.answer(
						404, {"error": {"type": "invalid_request_error", "message": "Unknown path"}}
					)
				key = self.headers.get("Idempotency-Key")
				for session in stub.sessions.values():
					if key and session["_idempotency_key"] == key:
						return self.answer(200, session)
				session_id = "cs_test_" + secrets.token_hex(12)
				quantity = int(fields.get("line_items[0][quantity]", "1"))
				session = {
					"id": session_id,
					"object": "checkout.session",
					"mode": fields.get("mode"),
					"status": "open",
					"payment_status": "unpaid",
					"amount_total": int(fields["line_items[0][price_data][unit_amount]"]) * quantity,
					"currency": fields["line_items[0][price_data][currency]"],
					"client_reference_id": fields.get("client_reference_id"),
					"customer_email": fields.get("customer_email"),
					"metadata": {k[9:-1]: v for k, v in fields.items() if k.startswith("metadata[")},
					"success_url": fields.get("success_url"),
					"cancel_url": fields.get("cancel_url"),
					"url": f"{stub.url}/pay/{session_id}",
					"_idempotency_key": key,
				}
				stub.sessions[session_id] = session
				self.answer(200, session)

			def do_GET(self):
				if self.path.startswith("/pay/") and self.path[5:] in stub.sessions:
					page = b"<!doctype html><title>Checkout</title><h1>Stub checkout</h1>"
					self.send_response(200)
					self.send_header("Content-Type", "text/html")
					self.send_header("Content-Length", str(len(page)))
					self.end_headers()
					self.wfile.write(page)
					return
				self.answer(404, {"error": {"message": "not found"}})

			def answer(self, status: int, data: dict):
				body = json.dumps({k: v for k, v in data.items() if not k.startswith("_")}).encode()
				self.send_response(status)
				self.send_header("Content-Type", "application/json")
				self.send_header("Content-Length", str(len(body)))
				self.send_header("Request-Id", "req_" + secrets.token_hex(6))
				self.end_headers()
				self.wfile.write(body)

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

	def __enter__(self):
		self.thread.start()
		return self

	def __exit__(self, *exc):
		self.server.shutdown()
		self.server.server_close()

	def completed_event(self, session_id: str, paid: bool = True) -> dict:
		"""The `checkout.session.completed` event Stripe sends when the customer has paid."""
		session = {k: v for k, v in self.sessions[session_id].items() if not k.startswith("_")}
		session.update(status="complete", payment_status="paid" if paid else "unpaid")
		return {
			"id": "evt_" + secrets.token_hex(12),
			"object": "event",
			"type": "checkout.session.completed",
			"created": int(time.time()),
			"livemode": False,
			"data": {"object": session},
		}


def signed(event: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
	"""The body and `Stripe-Signature` header Stripe sends: HMAC-SHA256 of "<timestamp>.<body>"."""
	payload = json.dumps(event).encode()
	timestamp = timestamp or int(time.time())
	signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
	return payload, f"t={timestamp},v1={signature}"


SECRET_KEY = "sk_test_customer_portal"
WEBHOOK_SECRET = "whsec_customer_portal_tests"


def enable_online_payments(stub: StripeStub) -> None:
	"""Point the test site's Stripe SDK at the stub and turn online payments on with test keys."""
	from portal_client import site_connection

	with site_connection() as frappe:
		from frappe.installer import update_site_config

		update_site_config("customer_portal_stripe_api_base", stub.url)
		settings = frappe.get_doc("Customer Portal Settings")
		settings.online_payments = 1
		settings.stripe_secret_key = SECRET_KEY
		settings.stripe_webhook_secret = WEBHOOK_SECRET
		settings.save()


def disable_online_payments() -> None:
	from portal_client import site_connection

	with site_connection() as frappe:
		from frappe.installer import update_site_config

		update_site_config("customer_portal_stripe_api_base", "None")
		frappe.db.set_single_value("Customer Portal Settings", "online_payments", 0)
