"""Staff's outgoing webhooks on portal events: a Frappe Webhook on *Portal Event* with a signing secret
receives each event the run's RQ workers fan out, signed (X-Frappe-Webhook-Signature: base64 of the
HMAC-SHA256 of the body with the secret)."""

import base64
import hashlib
import hmac
import json
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portal_client import PortalClient, site_connection
from received_mail import require_mail_services

SECRET = "outgoing-webhook-secret"


class Receiver:
	def __init__(self):
		self.received = []
		receiver = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def do_POST(self):
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				receiver.received.append((dict(self.headers), body))
				self.send_response(200)
				self.send_header("Content-Length", "0")
				self.end_headers()

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/portal-events"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


class OutgoingWebhookTest(unittest.TestCase):
	def setUp(self):
		require_mail_services()  # the run's RQ workers deliver webhooks
		self.receiver = Receiver()
		self.name = f"Portal events {uuid.uuid4().hex[:6]}"
		with site_connection() as frappe:
			frappe.get_doc(
				{
					"doctype": "Webhook",
					"__newname": self.name,
					"webhook_doctype": "Portal Event",
					"webhook_docevent": "after_insert",
					"request_url": self.receiver.url,
					"request_method": "POST",
					"request_structure": "JSON",
					"webhook_json": (
						'{"event": "{{ doc.event_type }}", "customer": "{{ doc.customer }}", '
						'"record": "{{ doc.reference_name }}", "subject": {{ doc.subject | tojson }}}'
					),
					"enable_security": 1,
					"webhook_secret": SECRET,
					"enabled": 1,
				}
			).insert(ignore_permissions=True)

	def tearDown(self):
		with site_connection() as frappe:
			for name in frappe.get_all("Webhook", filters={"request_url": self.receiver.url}, pluck="name"):
				frappe.delete_doc("Webhook", name, ignore_permissions=True, force=True)
		self.receiver.close()

	def test_a_stage_change_reaches_the_webhook_signed(self):
		admin, staff = PortalClient("Administrator"), PortalClient("staff@portal.example.com")
		order = admin.first("Order", {"customer": "Acme Logistics", "stage": "Received"})
		answer = staff.call(
			"frappe.client.set_value",
			http="POST",
			doctype="Order",
			name=order,
			fieldname="stage",
			value="Confirmed",
		)
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		deadline = time.monotonic() + 90
		mine = []
		while time.monotonic() < deadline and not mine:
			mine = [(h, b) for h, b in self.receiver.received if json.loads(b).get("record") == order]
			time.sleep(0.5)
		self.assertTrue(mine, f"no webhook for {order}: {self.receiver.received}")
		headers, body = mine[0]
		data = json.loads(body)
		self.assertEqual((data["event"], data["customer"]), ("Order Stage Changed", "Acme Logistics"))
		expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
		self.assertEqual(headers.get("X-Frappe-Webhook-Signature"), expected)
		self.assertEqual(len(mine), 1, "one delivery per event")
