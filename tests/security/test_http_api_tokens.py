"""Portal API tokens over HTTP: shown once and stored hashed, the same scoping as the user's browser,
read-only really read-only, and a revoked or expired token signs nobody in."""

import json
import unittest

import requests
from portal_client import BASE_URL, PortalClient, observed, site_connection

ALICE, BOB = "alice@acme.example.com", "bob@acme.example.com"
MARK_READ = "/api/method/customer_portal.api.notifications.mark_read"


def bearer(token: str) -> requests.Session:
	session = requests.Session()
	session.headers["Authorization"] = f"Bearer {token}"
	return session


class ApiTokenTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.alice, cls.bob, cls.admin = PortalClient(ALICE), PortalClient(BOB), PortalClient("Administrator")

	def create(self, access: str = "Read Only", client: PortalClient | None = None) -> tuple[str, str]:
		response = (client or self.alice).call(
			"customer_portal.api.account.create_api_token", "POST", label=f"ERP {access}", access=access
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		message = response.json()["message"]
		return message["name"], message["reveal"]

	def test_a_token_sees_what_its_user_sees_and_nothing_else(self):
		name, token = self.create()
		with site_connection() as frappe:
			stored = frappe.db.get_value(
				"Portal API Token", name, ["token_hash", "prefix", "user"], as_dict=True
			)
		self.assertNotIn(token, json.dumps(stored))
		self.assertEqual(stored.user, ALICE)
		# the account page lists it for its user (by name and first characters, never whole), not for a colleague
		revoke = f'name="name" value="{name}"'
		own_page, colleague_page = (
			self.alice.get("/portal/account").text,
			self.bob.get("/portal/account").text,
		)
		self.assertIn(revoke, own_page)
		self.assertIn(f"<code>{stored.prefix}…</code>", own_page)
		self.assertNotIn(token, own_page)
		self.assertNotIn(revoke, colleague_page)
		client = bearer(token)
		orders = client.get(
			f"{BASE_URL}/api/resource/Order",
			params={"fields": json.dumps(["name", "customer"]), "limit_page_length": 0},
		)
		self.assertEqual(orders.status_code, 200, orders.text[:300])
		self.assertEqual({row["customer"] for row in orders.json()["data"]}, {"Acme Logistics"})
		foreign = self.admin.first("Order", {"customer": "Globex Manufacturing"})
		self.assertEqual(
			observed(client.get(f"{BASE_URL}/api/resource/Order/{foreign}"), foreign)[:2],
			observed(client.get(f"{BASE_URL}/api/resource/Order/ORD-2099-99999"), "ORD-2099-99999")[:2],
		)
		self.assertEqual(client.get(f"{BASE_URL}/api/resource/Order/{foreign}").status_code, 404)
		with site_connection() as frappe:
			self.assertTrue(frappe.db.get_value("Portal API Token", name, "last_used_on"))

	def test_read_only_means_read_only(self):
		_name, read_only = self.create()
		_name, read_write = self.create("Read and Write")
		self.assertEqual(bearer(read_only).post(f"{BASE_URL}{MARK_READ}", data={"all": 1}).status_code, 403)
		self.assertEqual(bearer(read_write).post(f"{BASE_URL}{MARK_READ}", data={"all": 1}).status_code, 200)
		# nor can a GET write: a document save refused as a permission, whatever the HTTP method
		response = bearer(read_only).get(
			f"{BASE_URL}/api/method/frappe.client.set_value",
			params={"doctype": "Customer", "name": "Acme Logistics", "fieldname": "tax_id", "value": "X"},
		)
		self.assertIn(response.status_code, (403, 405))
		with site_connection() as frappe:
			self.assertNotEqual(frappe.db.get_value("Customer", "Acme Logistics", "tax_id"), "X")

	def test_revoked_and_expired_tokens_sign_nobody_in(self):
		name, token = self.create()
		whoami = f"{BASE_URL}/api/method/frappe.auth.get_logged_user"
		self.assertEqual(bearer(token).get(whoami).json()["message"], ALICE)
		# another user cannot read or revoke it: for them it does not exist
		response = self.bob.call("customer_portal.api.account.revoke_api_token", "POST", name=name)
		self.assertEqual(response.status_code, 404)
		read = lambda n: self.bob.get(f"/api/resource/Portal API Token/{n}")
		self.assertEqual(read(name).status_code, 404)
		self.assertEqual(observed(read(name), name), observed(read("0123456789"), "0123456789"))
		self.assertEqual(bearer(token).get(whoami).status_code, 200)
		response = self.alice.call("customer_portal.api.account.revoke_api_token", "POST", name=name)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(bearer(token).get(whoami).status_code, 401)
		name, token = self.create()
		with site_connection() as frappe:
			frappe.db.set_value(
				"Portal API Token", name, "expires_on", frappe.utils.add_days(frappe.utils.today(), -1)
			)
		self.assertEqual(bearer(token).get(whoami).status_code, 401)
		self.assertEqual(bearer(token[:-1] + "x").get(whoami).status_code, 401)
