from unittest.mock import MagicMock, patch

import frappe
import redis
from frappe.tests.utils import FrappeTestCase

from customer_portal.api.account import set_language_and_time_zone
from customer_portal.infra import transactions
from customer_portal.tests.fixtures import (
	make_customer,
	make_invoice,
	make_outgoing_email_account,
	make_user,
	site_connection,
)


class TestAccountDetails(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_outgoing_email_account()
		cls.admin = make_user("details-admin@example.com")
		cls.manager = make_user("details-manager@example.com")
		frappe.get_doc("User", cls.manager).add_roles("Customer Portal Staff")
		cls.invoiced = make_customer("Details Invoiced", {cls.admin: "Customer Admin"})
		cls.fresh = make_customer("Details Fresh", {cls.admin: "Customer Admin"})
		frappe.db.set_value("Customer", cls.invoiced, "account_manager", cls.manager)
		make_invoice(cls.invoiced)

	def tearDown(self):
		frappe.set_user("Administrator")

	def save_as_admin(self, customer: str, **values):
		frappe.set_user(self.admin)
		doc = frappe.get_doc("Customer", customer)
		doc.update(values)
		doc.save()

	def test_invoice_details_lock_once_an_invoice_is_issued(self):
		self.assertRaises(frappe.ValidationError, self.save_as_admin, self.invoiced, tax_id="NEW-1")
		self.assertRaises(
			frappe.ValidationError, self.save_as_admin, self.invoiced, billing_address="1 New Street"
		)
		frappe.set_user("Administrator")
		self.assertNotEqual(frappe.db.get_value("Customer", self.invoiced, "tax_id"), "NEW-1")
		# no invoice yet: free to change; and staff may always change them
		self.save_as_admin(self.fresh, tax_id="FRESH-1")
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Customer", self.invoiced)
		doc.tax_id = "STAFF-1"
		doc.save()

	def test_the_account_manager_hears_of_changes_with_before_and_after(self):
		before = frappe.db.get_value("Customer", self.invoiced, "contact_phone") or ""
		self.save_as_admin(self.invoiced, contact_phone="+1 555 0199")
		frappe.set_user("Administrator")
		mail = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Customer", "reference_name": self.invoiced},
			fields=["name", "message"],
			order_by="creation desc",
			limit=1,
		)
		self.assertTrue(mail, "no email to the account manager")
		recipients = frappe.get_all(
			"Email Queue Recipient", filters={"parent": mail[0].name}, pluck="recipient"
		)
		self.assertEqual(recipients, [self.manager])
		self.assertIn("+1 555 0199", mail[0].message)
		if before:
			self.assertIn(before, mail[0].message)

	def test_a_settings_change_waits_for_another_user_save_and_gives_up_cleanly(self):
		"""Portal user saves take turns (concurrent User saves deadlocked on Frappe's defaults): while
		another session holds the turn, the change waits, then says so and changes nothing."""
		frappe.set_user("Administrator")
		before = frappe.db.get_value("User", self.admin, ["language", "time_zone"])
		other = site_connection()
		try:
			self.assertEqual(other.sql("select get_lock(%s, 0)", transactions.USER_SAVE_LOCK)[0][0], 1)
			frappe.set_user(self.admin)
			with (
				patch.object(transactions, "USER_SAVE_WAIT_SECONDS", 1),
				self.assertRaises(transactions.Busy),
			):
				set_language_and_time_zone("de", "Europe/Berlin")
		finally:
			other.sql("select release_lock(%s)", transactions.USER_SAVE_LOCK)
			other.close()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("User", self.admin, ["language", "time_zone"]), before)
		self.assertEqual(transactions.Busy.http_status_code, 503)

	def test_a_redis_outage_after_the_commit_does_not_fail_saved_settings(self):
		"""Frappe queues a saved User's contact and avatar updates after the commit; with Redis down it
		raised from the request's own commit, answering a stored change with a bare 500."""
		queue = MagicMock()
		queue.enqueue_call.side_effect = redis.exceptions.ConnectionError("Connection refused.")
		frappe.set_user(self.admin)
		with (
			# jobs are queued for real (tests run them in place), into a Redis that refuses them
			patch.dict(frappe.flags, {"in_test": False}),
			patch("frappe.utils.background_jobs.get_queue", return_value=queue),
			# the commit runs its after-commit callbacks; the test's transaction stays open
			patch.object(frappe.db, "commit", side_effect=lambda: frappe.db.after_commit.run()),
			patch.object(frappe, "logger") as logger,
		):
			answer = set_language_and_time_zone("de", "Europe/Berlin")
		self.assertEqual(answer, {"url": "/portal/account#locale"})
		self.assertTrue(queue.enqueue_call.called)  # Frappe did try to queue its follow-ups
		logger.return_value.warning.assert_any_call(
			"Frappe's contact and avatar updates of a saved user not queued: Redis cannot be reached"
		)
		self.assertFalse(frappe.db.after_commit._functions)  # nothing left to fail at the request's end
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.get_value("User", self.admin, ["language", "time_zone"]), ("de", "Europe/Berlin")
		)
