"""Self sign-up over HTTP: closed by default; once admins open it, one answer for every address, email
verification, and a new account that sees nothing until staff link it to a customer."""

import re
import unittest
import uuid

import requests
from portal_client import BASE_URL, observed, site_connection
from received_mail import require_mail_services, to, wait_for

SIGN_UP = f"{BASE_URL}/api/method/frappe.core.doctype.user.user.sign_up"


def sign_up(email: str, client: str) -> requests.Response:
	return requests.post(
		SIGN_UP,
		data={"email": email, "full_name": "Self Starter", "redirect_to": ""},
		headers={"X-Forwarded-For": client, "Accept": "application/json"},
	)


def allow_sign_up(on: bool) -> None:
	with site_connection() as frappe:
		settings = frappe.get_doc("Customer Portal Settings")
		settings.allow_sign_up = int(on)
		settings.save(ignore_permissions=True)


class SignUpTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		require_mail_services()

	def tearDown(self):
		allow_sign_up(False)

	def test_sign_up_is_closed_by_default(self):
		email = f"closed-{uuid.uuid4().hex[:8]}@example.com"
		response = sign_up(email, "198.51.100.61")
		self.assertEqual(response.status_code, 417, response.text[:300])
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("User", email))
			self.assertEqual(frappe.db.get_single_value("Website Settings", "disable_signup"), 1)
		self.assertNotIn('href="#signup"', requests.get(f"{BASE_URL}/login").text)

	def test_an_open_sign_up_verifies_the_address_and_grants_nothing(self):
		allow_sign_up(True)
		self.assertIn('href="#signup"', requests.get(f"{BASE_URL}/login").text)
		email = f"self-{uuid.uuid4().hex[:8]}@example.com"
		new = sign_up(email, "198.51.100.62")
		known = sign_up("alice@acme.example.com", "198.51.100.63")
		self.assertEqual(new.status_code, 200, new.text[:300])
		self.assertEqual(observed(new, email), observed(known, "alice@acme.example.com"))
		# the welcome email's link is the verification: the account has no usable password before it
		message = wait_for(lambda: to(email, "/update-password?key="))
		self.assertTrue(message, "no verification email")
		key = re.search(r"/update-password\?key=([0-9a-zA-Z]+)", message[0]["body"]).group(1)
		session = requests.Session()
		response = session.post(
			f"{BASE_URL}/api/method/frappe.core.doctype.user.user.update_password",
			data={"new_password": "Quiet-Harbour-Lantern-42", "key": key},
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		# signed in, and nothing to see: no customer was made or guessed for the address
		orders = session.get(f"{BASE_URL}/api/resource/Order", params={"limit_page_length": 5})
		self.assertIn(orders.status_code, (200, 403))
		if orders.status_code == 200:
			self.assertEqual(orders.json()["data"], [])
		self.assertNotIn("Acme Logistics", session.get(f"{BASE_URL}/portal").text)
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("Customer Portal User", {"user": email}))
			self.assertNotIn("Customer Portal User", frappe.get_roles(email))
		# and the endpoint is rate-limited per address
		answers = [
			sign_up(f"burst-{i}-{uuid.uuid4().hex[:6]}@example.com", "198.51.100.64") for i in range(7)
		]
		self.assertEqual(answers[-1].status_code, 429)
