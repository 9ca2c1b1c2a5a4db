"""Single sign-on against a real OpenID Connect provider (a second Frappe site of the bench): the happy
path, an invited newcomer, and the attacks: an email the provider vouches for that is nobody's portal
account here, a staff account's email, a sign-in finished in another browser (login CSRF), a replayed
callback, a changed subject id, and Frappe's own social login callback."""

import unittest

import requests
from identity_provider import CALLBACK, START, Company, idp_url, link_portal_user, make_company
from portal_client import BASE_URL, observed, signed_in_user, site_connection
from received_mail import use_test_mail_server


@unittest.skipUnless(idp_url(), "no identity provider site (tests/run.py --idp-site)")
class SingleSignOnTest(unittest.TestCase):
	company: Company

	@classmethod
	def setUpClass(cls):
		use_test_mail_server()  # invitations are emailed
		cls.company = make_company()

	def user_for_test(self, name: str, linked: bool = True, **kwargs) -> str:
		email = self.company.add_idp_user(self.company.email(name))
		if linked:
			link_portal_user(self.company, email, **kwargs)
		return email

	def finish(self, browser: requests.Session, callback: requests.Response) -> requests.Response:
		return browser.get(callback.headers["Location"], allow_redirects=False)

	def test_a_linked_user_signs_in_and_lands_on_the_portal(self):
		email = self.user_for_test("dana")
		browser = requests.Session()
		answer = self.finish(browser, self.company.round_trip(browser, email))
		self.assertIn(answer.status_code, (301, 302, 303), answer.text[:300])
		self.assertEqual(answer.headers["Location"], "/portal")
		self.assertEqual(signed_in_user(browser), email)
		self.assertEqual(browser.get(f"{BASE_URL}/portal").status_code, 200)
		with site_connection() as frappe:
			subject = frappe.db.get_value(
				"User Social Login", {"parent": email, "provider": self.company.provider}, "userid"
			)
			self.assertTrue(subject, "the provider's subject id is kept on the user")
			logged = frappe.get_all(
				"Portal Activity", filters={"user": email, "action": "Login"}, pluck="details"
			)
			self.assertTrue(any("single sign-on" in (details or "") for details in logged), logged)
			# the portal's session limits (idle timeout, lifetime) hold for this session too
			sessions = frappe.db.sql_list("select sessiondata from tabSessions where user = %s", email)
			self.assertTrue(sessions and all("portal_session" in data for data in sessions), sessions)

	def test_an_invited_newcomer_gets_an_account_with_the_invited_role(self):
		email = self.user_for_test("erin", linked=False)
		with site_connection() as frappe:
			frappe.get_doc(
				{
					"doctype": "Portal Invitation",
					"customer": self.company.customer,
					"email": email,
					"portal_role": "Customer Admin",
				}
			).insert(ignore_permissions=True)
			self.assertFalse(frappe.db.exists("User", email))
		browser = requests.Session()
		answer = self.finish(browser, self.company.round_trip(browser, email))
		self.assertIn(answer.status_code, (301, 302, 303), answer.text[:300])
		self.assertEqual(signed_in_user(browser), email)
		with site_connection() as frappe:
			self.assertEqual(
				frappe.db.get_value(
					"Customer Portal User", {"parent": self.company.customer, "user": email}, "portal_role"
				),
				"Customer Admin",
			)
			self.assertEqual(frappe.db.get_value("Portal Invitation", {"email": email}, "status"), "Accepted")

	def test_an_email_that_is_nobodys_account_here_is_refused(self):
		stranger = self.user_for_test("frank", linked=False)
		browser = requests.Session()
		answer = self.finish(browser, self.company.round_trip(browser, stranger))
		self.assertEqual(answer.status_code, 403)
		self.assertIn("cannot sign in to the portal with single sign-on", answer.text)
		self.assertEqual(signed_in_user(browser), "Guest")
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("User", stranger), "single sign-on created an account")
			self.assertTrue(
				frappe.db.exists("Activity Log", {"user": stranger, "status": "Failed", "operation": "Login"})
			)
		# a staff account with an email in the company's domain: the same answer, still a guest
		staff = self.user_for_test("gina", user_type="System User")
		other = requests.Session()
		refused = self.finish(other, self.company.round_trip(other, staff))
		self.assertEqual(observed(refused, staff), observed(answer, stranger))
		self.assertEqual(signed_in_user(other), "Guest")

	def test_a_sign_in_finished_in_another_browser_is_refused(self):
		"""Login CSRF: the attacker's own code and state, fed to the victim's browser, sign nobody in."""
		attacker_email = self.user_for_test("hank")
		attacker = requests.Session()
		callback = self.company.round_trip(attacker, attacker_email)
		victim = requests.Session()
		answer = victim.get(callback.headers["Location"], allow_redirects=False)
		self.assertEqual(answer.status_code, 403)
		self.assertEqual(signed_in_user(victim), "Guest")
		# the state was spent by that attempt: the attacker's browser cannot use it either
		self.assertEqual(self.finish(attacker, callback).status_code, 403)
		self.assertEqual(signed_in_user(attacker), "Guest")

	def test_a_replayed_or_forged_callback_signs_nobody_in(self):
		email = self.user_for_test("ivy")
		browser = requests.Session()
		callback = self.company.round_trip(browser, email)
		self.assertIn(self.finish(browser, callback).status_code, (301, 302, 303))
		self.assertEqual(self.finish(browser, callback).status_code, 403)
		fresh = requests.Session()
		forged = fresh.get(
			f"{BASE_URL}{CALLBACK}", params={"code": "x" * 30, "state": "y" * 43}, allow_redirects=False
		)
		self.assertEqual(forged.status_code, 403)
		self.assertEqual(signed_in_user(fresh), "Guest")

	def test_a_changed_subject_id_is_refused(self):
		"""The company gave the email to someone else: the provider's id for it changed."""
		email = self.user_for_test("jack")
		first = requests.Session()
		self.finish(first, self.company.round_trip(first, email))
		self.assertEqual(signed_in_user(first), email)
		with site_connection() as frappe:
			frappe.db.set_value(
				"User Social Login",
				{"parent": email, "provider": self.company.provider},
				"userid",
				"an-earlier-holder",
			)
		second = requests.Session()
		self.assertEqual(self.finish(second, self.company.round_trip(second, email)).status_code, 403)
		self.assertEqual(signed_in_user(second), "Guest")

	def test_frappes_own_callback_refuses_a_customer_provider(self):
		email = self.user_for_test("kate")
		browser = requests.Session()
		callback = self.company.round_trip(browser, email)
		frappe_callback = callback.headers["Location"].replace(
			CALLBACK, f"/api/method/frappe.integrations.oauth2_logins.custom/{self.company.provider}"
		)
		answer = browser.get(frappe_callback, allow_redirects=False)
		self.assertEqual(answer.status_code, 403)
		self.assertEqual(signed_in_user(browser), "Guest")

	def test_a_domain_without_single_sign_on_goes_back_to_the_page(self):
		answer = requests.get(
			f"{BASE_URL}{START}", params={"email": "someone@no-sso.example"}, allow_redirects=False
		)
		self.assertEqual(answer.headers.get("Location"), "/portal/sso?unknown=1")
		page = requests.get(f"{BASE_URL}/portal/sso?unknown=1")
		self.assertEqual(page.status_code, 200)
		self.assertIn("not set up for that email", page.text)
		self.assertIn(self.company.idp, page.headers.get("Content-Security-Policy", ""))
