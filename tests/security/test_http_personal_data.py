"""A portal user's own data over HTTP: a JSON download by signed email link, and a deactivation request
that the user confirms by email and staff then approve (Frappe's personal data requests)."""

import re
import time
import unittest

import requests
from portal_client import PortalClient, make_portal_user, site_connection
from received_mail import require_mail_services, to


def mail_to(user: str, containing: str, timeout: float = 60) -> list:
	"""Wait for a message, sending Frappe's Email Queue as its scheduler would every minute."""
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		found = to(user, containing)
		if found:
			return found
		with site_connection() as frappe:
			frappe.enqueue("customer_portal.notifications.dispatch.send_queued_emails", queue="short")
		time.sleep(1)
	return to(user, containing)


def link_in(message: dict, pattern: str) -> str:
	return re.search(pattern, message["body"]).group(0).replace("&amp;", "&")


class PersonalDataTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		require_mail_services()

	def test_a_user_downloads_their_data(self):
		user = make_portal_user("data")
		client = PortalClient(user)
		# a choice of theirs, so the export has a row to hold (the first event type, weekly)
		saved = client.call(
			"customer_portal.api.notifications.save_preferences", "POST", email_0="Weekly", portal_0=1
		)
		self.assertLess(saved.status_code, 400, saved.text[:300])
		response = client.call("customer_portal.api.account.download_my_data", "POST")
		self.assertEqual(response.status_code, 200, response.text[:300])
		message = mail_to(user, "download_file")
		self.assertTrue(message, "no download email")
		link = link_in(message[0], r'https?://[^"\s]*download_file\?[^"\s]*')
		data = client.session.get(link)
		self.assertEqual(data.status_code, 200, data.text[:300])
		self.assertIn("Portal Notification Preference", data.text)
		self.assertIn(user, data.text)
		self.assertNotIn("alice@acme.example.com", data.text)

	def test_a_user_asks_for_deactivation_and_staff_approve_it(self):
		user = make_portal_user("data")
		client = PortalClient(user)
		response = client.call("customer_portal.api.account.request_deactivation", "POST")
		self.assertEqual(response.status_code, 200, response.text[:300])
		again = client.call("customer_portal.api.account.request_deactivation", "POST")
		self.assertEqual(again.status_code, 417)
		message = mail_to(user, "confirm_deletion")
		self.assertTrue(message, "no confirmation email")
		link = link_in(message[0], r'https?://[^"\s]*confirm_deletion\?[^"\s]*')
		self.assertEqual(requests.get(link).status_code, 200)
		with site_connection() as frappe:
			request = frappe.get_all(
				"Personal Data Deletion Request", filters={"email": user}, fields=["name", "status"]
			)[0]
			self.assertEqual(request.status, "Pending Approval")  # for staff to approve in desk
			self.assertEqual(frappe.db.get_value("User", user, "enabled"), 1)
