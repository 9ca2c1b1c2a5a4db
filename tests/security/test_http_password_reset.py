"""Password reset over HTTP: the same answer whether or not an address has an account, a key that works
once and expires, and a reset that ends the user's other sessions."""

import re
import unittest
import uuid

import requests
from portal_client import BASE_URL, DEMO_PASSWORD, make_portal_user, observed, signed_in_user, site_connection
from received_mail import require_mail_services, to, wait_for

RESET = f"{BASE_URL}/api/method/frappe.core.doctype.user.user.reset_password"
UPDATE = f"{BASE_URL}/api/method/frappe.core.doctype.user.user.update_password"
NEW_PASSWORD = "Correct-Horse-Battery-9!"


def ask_reset(user: str, client: str) -> requests.Response:
	# each request from its own address (the run trusts 127.0.0.1 as a proxy): Frappe allows 3 an hour each
	return requests.post(
		RESET, data={"user": user}, headers={"X-Forwarded-For": client, "Accept": "application/json"}
	)


class PasswordResetTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		require_mail_services()

	def reset_key(self, user: str, since: int = 0) -> str:
		message = wait_for(lambda: to(user, "/update-password?key=")[since:])
		self.assertTrue(message, f"no reset email for {user}")
		return re.search(r"/update-password\?key=([0-9a-zA-Z]+)", message[-1]["body"]).group(1)

	def test_the_answer_does_not_tell_who_has_an_account(self):
		user = make_portal_user("reset", customer=None)
		disabled = make_portal_user("off", customer=None, enabled=0)
		answers = {
			address: observed(ask_reset(address, f"198.51.100.{index + 10}"), address)
			for index, address in enumerate(
				(user, disabled, f"nobody-{uuid.uuid4().hex[:8]}@example.com", "Administrator")
			)
		}
		self.assertEqual(len(set(map(repr, answers.values()))), 1, answers)
		self.assertEqual(answers[user][0], 200)
		self.reset_key(user)
		self.assertEqual(to(disabled, "update-password"), [])

	def test_a_reset_key_works_once_expires_and_ends_other_sessions(self):
		user = make_portal_user("reset", customer=None)
		other_device = requests.Session()
		other_device.post(f"{BASE_URL}/api/method/login", data={"usr": user, "pwd": DEMO_PASSWORD})
		self.assertEqual(signed_in_user(other_device), user)

		ask_reset(user, "198.51.100.30")
		key = self.reset_key(user)
		browser = requests.Session()
		answer = browser.post(UPDATE, data={"new_password": NEW_PASSWORD, "key": key})
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		self.assertEqual(signed_in_user(browser), user)
		# the device that was signed in before is signed out
		self.assertEqual(signed_in_user(other_device), "Guest")
		# the key worked once
		again = requests.post(UPDATE, data={"new_password": "Another-Horse-Battery-7!", "key": key})
		self.assertEqual(again.status_code, 410)
		self.assertIn("used before or is invalid", again.text)

		# a new key, twenty minutes and a second old (Frappe's default lifetime), is refused
		count = len(to(user, "/update-password?key="))
		ask_reset(user, "198.51.100.31")
		key = self.reset_key(user, since=count)
		with site_connection() as frappe:
			frappe.db.sql(
				"""update tabUser set last_reset_password_key_generated_on =
				last_reset_password_key_generated_on - interval 1201 second where name = %s""",
				user,
			)
		expired = requests.post(UPDATE, data={"new_password": "Another-Horse-Battery-7!", "key": key})
		self.assertEqual(expired.status_code, 410)
		self.assertIn("expired", expired.text)
		signed_in = requests.post(f"{BASE_URL}/api/method/login", data={"usr": user, "pwd": NEW_PASSWORD})
		self.assertEqual(signed_in.status_code, 200)
