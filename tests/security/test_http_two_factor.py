"""Two-factor sign-in over HTTP: a customer admin requires it for the company, a member then needs the
authenticator app's code (a wrong one is refused), and a user can choose it for themselves."""

import re
import unittest
import uuid

import pyotp
import requests
from portal_client import (
	BASE_URL,
	DEMO_PASSWORD,
	PortalClient,
	csrf_token_in,
	signed_in_user,
	site_connection,
)
from received_mail import require_mail_services, to, wait_for

LOGIN = f"{BASE_URL}/api/method/login"


class TwoFactorTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		require_mail_services()
		suffix = uuid.uuid4().hex[:8]
		cls.admin_user, cls.member = f"tfa-admin-{suffix}@example.com", f"tfa-member-{suffix}@example.com"
		with site_connection() as frappe:
			for email in (cls.admin_user, cls.member):
				frappe.get_doc(
					{
						"doctype": "User",
						"email": email,
						"first_name": "Two Factor",
						"send_welcome_email": 0,
						"user_type": "Website User",
						"new_password": DEMO_PASSWORD,
					}
				).insert(ignore_permissions=True)
			cls.customer = (
				frappe.get_doc(
					{
						"doctype": "Customer",
						"customer_name": f"Two Factor {suffix}",
						"portal_users": [
							{"user": cls.admin_user, "portal_role": "Customer Admin"},
							{"user": cls.member, "portal_role": "Member"},
						],
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		cls.admin = PortalClient(cls.admin_user)

	def require(self, on: bool) -> None:
		response = self.admin.call("customer_portal.api.users.require_two_factor", "POST", required=int(on))
		self.assertEqual(response.status_code, 200, response.text[:300])

	def test_a_required_second_factor_is_asked_for_and_checked(self):
		self.require(True)
		session = requests.Session()
		first = session.post(LOGIN, data={"usr": self.member, "pwd": DEMO_PASSWORD})
		self.assertEqual(first.status_code, 200, first.text[:300])
		step = first.json()
		self.assertTrue(step["verification"] and step["tmp_id"], step)
		self.assertEqual(signed_in_user(session), "Guest")  # the password alone signs nobody in
		# the first time, Frappe emails the QR code for the authenticator app
		self.assertTrue(wait_for(lambda: to(self.member, "qrcode")), "no QR code email")
		wrong = session.post(LOGIN, data={"otp": "000000", "tmp_id": step["tmp_id"]})
		self.assertEqual(wrong.status_code, 401, wrong.text[:300])
		self.assertEqual(signed_in_user(session), "Guest")
		with site_connection():
			from frappe.twofactor import get_otpsecret_for_

			secret = get_otpsecret_for_(self.member)
		right = session.post(LOGIN, data={"otp": pyotp.TOTP(secret).now(), "tmp_id": step["tmp_id"]})
		self.assertEqual(right.status_code, 200, right.text[:300])
		self.assertEqual(signed_in_user(session), self.member)
		# while the company requires it, the member cannot turn it off
		member = PortalClient()
		member.session = session
		member.session.headers["X-Frappe-CSRF-Token"] = csrf_token_in(session.get(f"{BASE_URL}/portal").text)
		off = member.call("customer_portal.api.account.set_two_factor", "POST", on=0)
		self.assertEqual(off.status_code, 417, off.text[:300])
		# made optional again: the password is enough
		self.require(False)
		plain = requests.Session()
		plain.post(LOGIN, data={"usr": self.member, "pwd": DEMO_PASSWORD})
		self.assertEqual(signed_in_user(plain), self.member)

	def test_a_user_chooses_it_for_themselves(self):
		self.require(False)
		for on in (1, 0):
			response = self.admin.call("customer_portal.api.account.set_two_factor", "POST", on=on)
			self.assertEqual(response.status_code, 200, response.text[:300])
			# a password sign-in now asks for the code, or signs in straight away
			session = requests.Session()
			answer = session.post(LOGIN, data={"usr": self.admin_user, "pwd": DEMO_PASSWORD}).json()
			self.assertEqual("verification" in answer, bool(on), answer)
			self.assertEqual(signed_in_user(session), "Guest" if on else self.admin_user)
		# a member cannot set the company's rule
		member = PortalClient(self.member)
		response = member.call("customer_portal.api.users.require_two_factor", "POST", required=1)
		self.assertEqual(response.status_code, 404)

	def test_an_emailed_sign_in_link_does_not_skip_the_second_factor(self):
		self.require(True)
		with site_connection() as frappe:
			frappe.db.set_single_value("System Settings", "login_with_email_link", 1)
		try:
			response = requests.post(
				f"{BASE_URL}/api/method/frappe.www.login.send_login_link", data={"email": self.member}
			)
			self.assertEqual(response.status_code, 200, response.text[:300])
			message = wait_for(lambda: to(self.member, "login_via_key"))
			self.assertTrue(message, "no sign-in link email")
			link = re.search(r"https?://[^\"\s]*login_via_key\?key=\w+", message[-1]["body"]).group(0)
			session = requests.Session()
			answer = session.get(link, allow_redirects=False)
			self.assertGreaterEqual(answer.status_code, 400, answer.text[:300])
			self.assertEqual(signed_in_user(session), "Guest")
		finally:
			with site_connection() as frappe:
				frappe.db.set_single_value("System Settings", "login_with_email_link", 0)
			self.require(False)
