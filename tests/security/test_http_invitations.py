"""Invitations and user management over HTTP: a customer admin invites, the invitee sets a password that
meets the policy and is signed in; the link works once, expires, is revoked by a newer invitation; members
get the not-found answer for every user-management page and action; the last admin stays."""

import re
import unittest
import uuid

import requests
from portal_client import BASE_URL, PortalClient, observed, site_connection
from received_mail import require_mail_services, to, wait_for

ALICE, BOB = "alice@acme.example.com", "bob@acme.example.com"  # Acme's admin and a member
ACCEPT = "/api/method/customer_portal.api.users.accept_invitation"
STRONG = "Quiet-Harbour-Lantern-42"


class InvitationsTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		require_mail_services()
		cls.alice, cls.bob = PortalClient(ALICE), PortalClient(BOB)

	def invite(self, email: str, role: str = "Member") -> str:
		"""Alice invites `email` from /portal/users; returns the token from the email that arrives."""
		count = len(to(email, "/portal/invitation?token="))
		response = self.alice.call("customer_portal.api.users.invite", "POST", email=email, portal_role=role)
		self.assertEqual(response.status_code, 200, response.text[:300])
		messages = wait_for(lambda: to(email, "/portal/invitation?token=")[count:])
		self.assertTrue(messages, f"no invitation email for {email}")
		return re.search(r"/portal/invitation\?token=([\w-]+)", messages[-1]["body"]).group(1)

	def accept(self, token: str, password: str = STRONG, session: requests.Session | None = None):
		"""A guest accepts, from an address of its own (the endpoint allows 10 tries per address in 10
		minutes; the run trusts 127.0.0.1 as a proxy)."""
		return (session or requests.Session()).post(
			f"{BASE_URL}{ACCEPT}",
			data={"token": token, "full_name": "New Colleague", "new_password": password},
			headers={"X-Forwarded-For": f"192.0.2.{uuid.uuid4().int % 250 + 1}"},
		)

	def test_an_invitee_joins_once_with_a_password_that_meets_the_policy(self):
		email = f"joiner-{uuid.uuid4().hex[:8]}@example.com"
		token = self.invite(email)
		page = requests.get(f"{BASE_URL}/portal/invitation", params={"token": token})
		self.assertEqual(page.status_code, 200)
		self.assertIn("Choose a password", page.text)
		# a weak password is refused and creates nothing
		weak = self.accept(token, "password1")
		self.assertEqual(weak.status_code, 417, weak.text[:300])
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("User", email))
		guest = requests.Session()
		joined = self.accept(token, session=guest)
		self.assertEqual(joined.status_code, 200, joined.text[:300])
		# signed in, and inside Acme's portal
		self.assertIn("Acme Logistics", guest.get(f"{BASE_URL}/portal").text)
		# the link worked once
		self.assertEqual(self.accept(token).status_code, 410)
		self.assertIn("not valid any more", requests.get(f"{BASE_URL}/portal/invitation?token={token}").text)

	def test_a_new_invitation_revokes_the_old_link_and_links_expire(self):
		email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
		old = self.invite(email)
		new = self.invite(email, "Customer Admin")
		self.assertEqual(self.accept(old).status_code, 410)
		with site_connection() as frappe:
			frappe.db.sql(
				"update `tabPortal Invitation` set expires_on = now() - interval 1 minute "
				"where email = %s and status = 'Pending'",
				email,
			)
		self.assertEqual(self.accept(new).status_code, 410)
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("User", email))

	def test_a_revoked_invitation_does_not_work(self):
		email = f"revoked-{uuid.uuid4().hex[:8]}@example.com"
		token = self.invite(email)
		page = self.alice.get("/portal/users").text
		name = re.search(r'name="name" value="([0-9a-z]+)"', page).group(1)
		response = self.alice.call("customer_portal.api.users.revoke_invitation", "POST", name=name)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(self.accept(token).status_code, 410)

	def test_another_customers_invitation_is_not_found(self):
		self.invite(f"foreign-{uuid.uuid4().hex[:8]}@example.com")
		name = re.search(r'name="name" value="([0-9a-z]+)"', self.alice.get("/portal/users").text).group(1)
		dave = PortalClient("carol@globex.example.com")  # Globex's admin (the demo's first user of Globex)
		for probe in (
			lambda n: dave.get(f"/api/resource/Portal Invitation/{n}"),
			lambda n: dave.call("customer_portal.api.users.revoke_invitation", "POST", name=n),
		):
			foreign, missing = probe(name), probe("0123456789")
			self.assertEqual(foreign.status_code, 404, foreign.text[:200])
			self.assertEqual(observed(foreign, name), observed(missing, "0123456789"))
		with site_connection() as frappe:
			self.assertEqual(frappe.db.get_value("Portal Invitation", name, "status"), "Pending")

	def test_members_get_not_found_for_user_management(self):
		missing = self.bob.get("/portal/no-such-page")
		users = self.bob.get("/portal/users")
		self.assertEqual(users.status_code, 404)
		self.assertEqual(observed(users, "users")[:2], observed(missing, "no-such-page")[:2])
		for method, params in (
			("invite", {"email": "x@example.com"}),
			("set_role", {"user": BOB, "portal_role": "Customer Admin"}),
			("remove_user", {"user": ALICE}),
		):
			response = self.bob.call(f"customer_portal.api.users.{method}", "POST", **params)
			self.assertEqual(response.status_code, 404, (method, response.text[:200]))
		# nor can anyone change portal users through REST
		customer = self.alice.get("/api/resource/Customer/Acme Logistics").json()["data"]
		customer["portal_users"].append({"user": "intruder@example.com", "portal_role": "Customer Admin"})
		response = self.alice.request("PUT", "/api/resource/Customer/Acme Logistics", json=customer)
		self.assertEqual(response.status_code, 403, response.text[:200])
		with site_connection() as frappe:
			self.assertFalse(
				frappe.db.exists(
					"Customer Portal User", {"parent": "Acme Logistics", "user": "intruder@example.com"}
				)
			)

	def test_the_last_admin_cannot_leave(self):
		with site_connection() as frappe:
			admins = frappe.get_all(
				"Customer Portal User",
				filters={"parent": "Acme Logistics", "portal_role": "Customer Admin"},
				pluck="user",
			)
		if admins != [ALICE]:
			self.skipTest(f"Acme has admins {admins}; the demo data gives it one")
		response = self.alice.call(
			"customer_portal.api.users.set_role", "POST", user=ALICE, portal_role="Member"
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("at least one customer admin", response.text)
		response = self.alice.call("customer_portal.api.users.remove_user", "POST", user=ALICE)
		self.assertEqual(response.status_code, 417)
