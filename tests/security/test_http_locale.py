"""A user's own language and time zone over HTTP: set on /portal/account (bad values refused, nothing
changed), then portal pages speak the language and show times in the zone."""

import unittest

from portal_client import PortalClient, make_portal_user, site_connection

SET = "customer_portal.api.account.set_language_and_time_zone"


class LocaleTest(unittest.TestCase):
	def test_pages_follow_the_users_language_and_time_zone(self):
		email = make_portal_user("locale")
		with site_connection() as frappe:
			system_zone = frappe.utils.get_system_timezone()
			before = frappe.db.get_value("User", email, ["language", "time_zone"])
		client = PortalClient(email)
		self.assertIn("Language", client.get("/portal/account").text)
		for language, zone in (("xx-nope", "Asia/Tokyo"), ("de", "Mars/Olympus_Mons")):
			response = client.call(SET, "POST", language=language, time_zone=zone)
			self.assertEqual(response.status_code, 417, response.text[:200])
		with site_connection() as frappe:
			self.assertEqual(frappe.db.get_value("User", email, ["language", "time_zone"]), before)
		zone = "Pacific/Kiritimati" if system_zone != "Pacific/Kiritimati" else "Pacific/Pago_Pago"
		response = client.call(SET, "POST", language="de", time_zone=zone)
		self.assertEqual(response.status_code, 200, response.text[:300])
		page = client.get("/portal/account").text
		# Frappe's own German for the page's labels
		self.assertIn("Sprache", page)
		self.assertIn("Speichern", page)
		# the form shows the saved choices, each chosen once
		self.assertIn(f'<option value="{zone}" selected>', page)
		self.assertIn('<option value="de" selected>', page)
		self.assertEqual(page.count(" selected>"), 2)
		# the session list shows this session's last activity in the user's zone (UTC+14 here)
		with site_connection() as frappe:
			from zoneinfo import ZoneInfo

			from customer_portal.portal.locale import local_time

			last = frappe.db.sql(
				"select max(lastupdate) from tabSessions where user = %s", email, as_list=True
			)[0][0]
			wall_clock = local_time(last, ZoneInfo(zone)).strftime("%H:%M:%S")
			system_clock = frappe.utils.get_datetime(last).strftime("%H:%M:%S")
		self.assertNotEqual(wall_clock, system_clock)
		self.assertIn(wall_clock, page, "the user's local time is not on the page")
