import time

import frappe
from frappe.tests.utils import FrappeTestCase
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from customer_portal.accounts import login_throttle
from customer_portal.accounts.login_throttle import Counter, unlock_token, verify_unlock
from customer_portal.api.sign_in import sign_in_status, staff_unlock
from customer_portal.tests.fixtures import make_customer, make_user
from customer_portal.web.client_ip import client_ip


def request(peer: str, forwarded: str | None = None) -> Request:
	headers = {"X-Forwarded-For": forwarded} if forwarded else {}
	return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


class TestClientIp(FrappeTestCase):
	def tearDown(self):
		frappe.conf.pop("customer_portal_trusted_proxies", None)

	def test_without_trusted_proxies_the_header_is_ignored(self):
		self.assertEqual(client_ip(request("203.0.113.9", "1.2.3.4")), "203.0.113.9")
		self.assertEqual(client_ip(request("127.0.0.1", "1.2.3.4, 5.6.7.8")), "127.0.0.1")

	def test_behind_a_trusted_proxy_the_address_it_appended_counts(self):
		frappe.conf.customer_portal_trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
		# the client wrote "1.2.3.4"; the proxy appended the address it saw
		self.assertEqual(client_ip(request("127.0.0.1", "1.2.3.4, 203.0.113.9")), "203.0.113.9")
		# two trusted hops: the right-most untrusted address
		self.assertEqual(client_ip(request("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.7")), "203.0.113.9")
		# garbage to the left of a trusted hop stops the walk at the last reliable address
		self.assertEqual(client_ip(request("127.0.0.1", "not-an-ip, 10.0.0.7")), "10.0.0.7")
		# a peer that is not a trusted proxy cannot choose its address
		self.assertEqual(client_ip(request("203.0.113.50", "127.0.0.1")), "203.0.113.50")
		self.assertEqual(client_ip(request("127.0.0.1")), "127.0.0.1")


class TestSignInThrottle(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("throttle-unit@example.com")
		make_customer("Throttle Unit", {cls.user: "Member"})

	def setUp(self):
		self.account = Counter("account", self.user)
		self.account.clear()

	def tearDown(self):
		self.account.clear()
		frappe.set_user("Administrator")

	def test_the_wait_doubles_after_the_free_attempts(self):
		now = time.time()
		for _ in range(5):
			self.account.fail(now)
		self.assertEqual(self.account.wait(5, now), 0)
		waits = []
		for _ in range(5):
			self.account.fail(now)
			waits.append(self.account.wait(5, now))
		self.assertEqual(waits, [1, 2, 4, 8, 16])
		# and runs out
		self.assertEqual(self.account.wait(5, now + 16), 0)

	def test_a_lockout_holds_until_unlocked_and_its_link_works_once(self):
		now = time.time()
		self.assertFalse(verify_unlock(self.user, unlock_token(self.user)))  # not locked: no link works
		self.assertTrue(self.account.lock(now, now + 1800))
		self.assertFalse(self.account.lock(now, now + 1800))  # the same lockout, no second email
		self.assertGreater(self.account.wait(5, now), 1790)
		token = unlock_token(self.user)
		self.assertTrue(verify_unlock(self.user, token))
		self.assertFalse(verify_unlock("someone-else@example.com", token))
		login_throttle.unlock(self.user)
		self.assertEqual(self.account.wait(5, time.time()), 0)
		self.assertFalse(verify_unlock(self.user, token))

	def test_only_staff_see_and_lift_a_lock(self):
		now = time.time()
		self.account.lock(now, now + 1800)
		frappe.set_user(self.user)
		self.assertRaises(frappe.PermissionError, staff_unlock, self.user)
		self.assertRaises(frappe.PermissionError, sign_in_status, self.user)
		frappe.set_user("Administrator")
		self.assertTrue(sign_in_status(self.user)["locked"])
		self.assertFalse(staff_unlock(self.user)["locked"])

	def test_settings_refuse_a_lock_threshold_below_the_free_attempts(self):
		settings = frappe.get_doc("Customer Portal Settings")
		settings.login_free_attempts = 10
		settings.login_lock_after = 5
		self.assertRaises(frappe.ValidationError, settings.save)
