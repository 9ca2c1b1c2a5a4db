"""Notifications end to end: staff change records over HTTP, real RQ workers fan the events out, Frappe's
Email Queue sends through a real SMTP server on loopback (aiosmtpd), and the suite reads what arrived.
Faults are real too: a worker SIGKILLed in the middle of a fan-out, a transaction rolled back.
"""

import json
import os
import re
import subprocess
import time
import unittest
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pymysql
import services
from portal_client import BASE_URL, PortalClient, site_connection
from received_mail import mails, require_mail_services, to, wait_for

ALICE, BOB, DAVE = "alice@acme.example.com", "bob@acme.example.com", "dave@globex.example.com"
ACME, GLOBEX = "Acme Logistics", "Globex Manufacturing"
STAGE = "Order Stage Changed"


class NotificationsTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		require_mail_services()
		with site_connection() as frappe:
			cls.stages = frappe.get_all("Order Stage", pluck="name", order_by="sequence asc")
		cls.staff = PortalClient("staff@portal.example.com")
		cls.admin = PortalClient("Administrator")
		cls.clients = {user: PortalClient(user) for user in (ALICE, BOB, DAVE)}

	def set_preference(self, user: str, event_type: str, email: str, in_portal: bool = True):
		with site_connection():
			from customer_portal.notifications.preferences import Preference, set_preferences

			set_preferences(user, {event_type: Preference(email, in_portal)})

	def order_of(self, customer: str, index: int = 0) -> str:
		return self.admin.get(
			"/api/resource/Order",
			params={
				# orders other suites leave alone (some give one an empty title on purpose)
				"filters": json.dumps([["customer", "=", customer], ["title", "like", "%:%"]]),
				"limit_page_length": index + 1,
				"order_by": "name asc",
			},
		).json()["data"][index]["name"]

	def move(self, order: str) -> str:
		"""Staff move the order to another stage over HTTP; returns the new stage."""
		current = self.admin.get(f"/api/resource/Order/{order}").json()["data"]["stage"]
		stage = next(stage for stage in self.stages if stage != current)
		response = self.staff.request("PUT", f"/api/resource/Order/{order}", json={"stage": stage})
		self.assertEqual(response.status_code, 200, response.text[:300])
		return stage

	def notifications(self, order: str) -> dict:
		"""The notifications of the order's latest event, by user."""
		with site_connection() as frappe:
			events = frappe.get_all(
				"Portal Event",
				filters={"reference_name": order},
				pluck="name",
				order_by="creation desc",
				limit=1,
			)
			return {
				row.user: row
				for row in frappe.get_all(
					"Portal Notification",
					filters={"event": events[0] if events else ""},
					fields=["user", "in_portal", "email_mode", "email_status", "event"],
				)
			}

	def test_a_stage_change_reaches_each_user_by_the_channel_they_chose(self):
		self.set_preference(ALICE, STAGE, "Immediately")
		self.set_preference(BOB, STAGE, "Off", in_portal=True)
		order = self.order_of(ACME)
		since = len(mails())
		stage = self.move(order)
		received = wait_for(lambda: to(ALICE, order, since))
		self.assertEqual(len(received), 1, received)
		message = received[0]
		self.assertIn(order, message["subject"])
		self.assertIn(stage, message["subject"])
		self.assertIn(f"{BASE_URL}/portal/orders/{order}", message["body"])
		self.assertIn("/portal/unsubscribe?", message["body"])
		self.assertNotIn(GLOBEX, message["body"])
		self.assertNotIn("token=", message["body"].split("/portal/orders/")[1].split('"')[0])
		# Bob chose the portal only; Globex's users hear nothing of Acme's order
		time.sleep(2)
		self.assertEqual(to(BOB, order, since), [])
		self.assertEqual(to(DAVE, order, since), [])
		rows = self.notifications(order)
		self.assertLessEqual({ALICE, BOB}, set(rows))
		self.assertNotIn(DAVE, rows)
		self.assertEqual(rows[BOB].email_status, "Not Needed")
		# the bell shows it and the list page links to the order
		page = self.clients[BOB].get("/portal/notifications").text
		self.assertIn(f"/portal/orders/{order}", page)
		self.assertRegex(self.clients[BOB].get("/portal").text, r'portal-bell-count">\d+')

	def backdate(self, user: str, orders: list[str], days: int) -> None:
		events = [self.notifications(order)[user].event for order in orders]
		with site_connection() as frappe:
			for event in events:
				frappe.db.sql(
					"""update `tabPortal Notification` set creation = creation - interval %s day
					where event = %s and user = %s""",
					(days, event, user),
				)
			frappe.db.commit()

	def test_digests_hold_the_right_events_once_even_when_run_twice(self):
		self.set_preference(BOB, STAGE, "Daily")
		self.set_preference(DAVE, STAGE, "Weekly")
		acme = [self.order_of(ACME, 1), self.order_of(ACME, 2)]
		globex = self.order_of(GLOBEX, 1)
		later = self.order_of(ACME, 6)
		for order in (*acme, globex, later):
			self.move(order)
		wait_for(lambda: all(BOB in self.notifications(order) for order in (*acme, later)))
		wait_for(lambda: DAVE in self.notifications(globex))
		# these happened before the latest digest moment (a day, a week ago); `later` happened just now,
		# after it, so it waits for the next digest
		self.backdate(BOB, acme, days=1)
		self.backdate(DAVE, [globex], days=8)
		since = len(mails())
		# two workers race on the same digest run
		with site_connection() as frappe:
			for method in ("send_daily_digests", "send_weekly_digests"):
				for _ in range(2):
					frappe.enqueue(f"customer_portal.notifications.digests.{method}", queue="short")
		wait_for(lambda: to(BOB, "daily portal summary", since) and to(DAVE, "weekly portal summary", since))
		time.sleep(3)  # let the second runs finish
		daily = to(BOB, "portal summary", since)
		weekly = to(DAVE, "portal summary", since)
		self.assertEqual(len(daily), 1, [m["subject"] for m in daily])
		self.assertEqual(len(weekly), 1, [m["subject"] for m in weekly])
		for order in acme:
			self.assertEqual(daily[0]["body"].count(f"/portal/orders/{order}"), 1)
		self.assertNotIn(globex, daily[0]["body"])
		self.assertNotIn(later, daily[0]["body"])
		self.assertEqual(self.notifications(later)[BOB].email_status, "Pending")
		self.assertNotIn(ACME, weekly[0]["body"])
		self.assertIn(GLOBEX, weekly[0]["body"])
		# nothing waits now: running it again sends nothing, not even an empty digest
		count = len(mails())
		with site_connection() as frappe:
			frappe.enqueue("customer_portal.notifications.digests.send_daily_digests", queue="short")
		time.sleep(3)
		self.assertEqual(len(mails()), count)

	def test_unsubscribe_works_once_per_user_and_type_without_login(self):
		self.set_preference(ALICE, STAGE, "Immediately")
		order = self.order_of(ACME, 3)
		since = len(mails())
		self.move(order)
		message = wait_for(lambda: to(ALICE, order, since))[0]
		link = (
			re.search(r'href="([^"]*/portal/unsubscribe\?[^"]*)"', message["body"])
			.group(1)
			.replace("&amp;", "&")
		)
		query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
		guest = PortalClient()
		page = guest.get(urlsplit(link).path + "?" + urlsplit(link).query)
		self.assertEqual(page.status_code, 200)
		self.assertIn("Unsubscribe", page.text)
		# the page's button posts the link's own user, type and token (Frappe's renderer once put the
		# signed-in user, "Guest", in place of the page's user)
		hidden = dict(re.findall(r'<input type="hidden" name="(user|type|token)" value="([^"]*)"', page.text))
		self.assertEqual(hidden, query)
		# the token is Alice's and this event type's: Bob's address or another type does not take it
		for forged in (
			{**query, "user": BOB},
			{**query, "type": "New Invoice"},
			{**query, "token": "0" * 64},
		):
			response = guest.post("/api/method/customer_portal.api.notifications.unsubscribe", data=forged)
			self.assertEqual(response.status_code, 400, response.text[:200])
		# the mail client's own button (RFC 8058): a POST of List-Unsubscribe=One-Click to the header's URL,
		# which carries the same user, type and token as the page's button
		self.assertEqual(message["list_unsubscribe_post"], "List-Unsubscribe=One-Click")
		one_click = message["list_unsubscribe"].strip("<>")
		self.assertEqual(
			urlsplit(one_click).path, "/api/method/customer_portal.api.notifications.unsubscribe"
		)
		self.assertEqual({k: v[0] for k, v in parse_qs(urlsplit(one_click).query).items()}, query)
		one_click = f"{urlsplit(one_click).path}?{urlsplit(one_click).query}"
		# a link checker's GET is refused and changes nothing
		self.assertEqual(guest.get(one_click).status_code, 403)
		with site_connection():
			from customer_portal.notifications.preferences import user_preferences

			self.assertEqual(user_preferences(ALICE)[STAGE].email, "Immediately")
		response = guest.post(one_click, data={"List-Unsubscribe": "One-Click"})
		self.assertEqual(response.status_code, 200, response.text[:300])
		with site_connection():
			from customer_portal.notifications.preferences import user_preferences

			self.assertEqual(user_preferences(ALICE)[STAGE].email, "Off")
			self.assertNotEqual(user_preferences(BOB)[STAGE].email, "Off")
		# and the next stage change sends Alice no email
		self.move(order)
		time.sleep(3)
		self.assertEqual(len(to(ALICE, order, since)), 1)

	def test_a_worker_killed_mid_fan_out_loses_and_duplicates_nothing(self):
		self.set_preference(ALICE, STAGE, "Immediately")
		self.set_preference(BOB, STAGE, "Immediately")
		order = self.order_of(ACME, 4)
		lock = self.raw_connection()
		with lock.cursor() as cursor:
			# the fan-out writes the notifications, then blocks queueing the first email
			since = len(mails())
			cursor.execute("LOCK TABLES `tabEmail Queue` WRITE")
			try:
				self.move(order)
				blocked = wait_for(lambda: self.waiting_insert(cursor), timeout=60)
				self.assertTrue(blocked, "the fan-out never reached the email queue")
				services.current.kill_workers()
			finally:
				cursor.execute("UNLOCK TABLES")
		lock.close()
		# the killed transaction rolled back: the event waits, nothing half-written remains
		with site_connection() as frappe:
			event = frappe.get_all(
				"Portal Event",
				filters={"reference_name": order},
				fields=["name", "status"],
				order_by="creation desc",
			)[0]
		self.assertEqual(event.status, "Pending")
		self.assertEqual(wait_for(lambda: not self.notifications(order), timeout=20), True)
		services.current.start_workers(2)
		with site_connection():
			from customer_portal.notifications.dispatch import requeue_pending_events

			self.assertGreaterEqual(requeue_pending_events(older_than_seconds=0), 1)
		wait_for(lambda: to(ALICE, order, since) and to(BOB, order, since))
		time.sleep(3)
		self.assertEqual(len(to(ALICE, order, since)), 1)
		self.assertEqual(len(to(BOB, order, since)), 1)
		rows = self.notifications(order)
		self.assertEqual({rows[ALICE].event, rows[BOB].event}, {event.name})
		with site_connection() as frappe:
			self.assertEqual(frappe.db.get_value("Portal Event", event.name, "status"), "Dispatched")

	def test_a_rolled_back_change_notifies_nobody(self):
		order = self.order_of(ACME, 5)
		since = len(mails())
		with site_connection() as frappe:
			doc = frappe.get_doc("Order", order)
			doc.stage = next(stage for stage in self.stages if stage != doc.stage)
			doc.save()
			self.assertTrue(frappe.db.exists("Portal Event", {"reference_name": order}))
			frappe.db.rollback()
		time.sleep(4)
		with site_connection() as frappe:
			self.assertFalse(frappe.db.exists("Portal Event", {"reference_name": order}))
		self.assertEqual(self.notifications(order), {})
		self.assertEqual([m for m in mails()[since:] if order in m["subject"] + m["body"]], [])

	def raw_connection(self):
		config = json.loads(
			(
				Path(os.environ["CP_E2E_SITES_PATH"]) / os.environ["CP_E2E_SITE"] / "site_config.json"
			).read_text()
		)
		common = json.loads((Path(os.environ["CP_E2E_SITES_PATH"]) / "common_site_config.json").read_text())
		return pymysql.connect(
			host=config.get("db_host") or common.get("db_host") or "127.0.0.1",
			port=int(config.get("db_port") or common.get("db_port") or 3306),
			user=config["db_name"],
			password=config["db_password"],
			database=config["db_name"],
			autocommit=True,
		)

	@staticmethod
	def waiting_insert(cursor) -> bool:
		cursor.execute("SHOW FULL PROCESSLIST")
		return any(
			"tabEmail Queue" in (row[7] or "") and "insert" in (row[7] or "").lower()
			for row in cursor.fetchall()
		)


class ActivityLogTest(unittest.TestCase):
	"""Each kind of customer action lands in the activity log; the log resists editing and tampering."""

	def test_actions_are_recorded_and_tampering_is_detected(self):
		admin = PortalClient("Administrator")
		wrong = PortalClient()
		wrong.session.post(f"{BASE_URL}/api/method/login", data={"usr": ALICE, "pwd": "not-the-password"})
		alice = PortalClient(ALICE)
		order = admin.get(
			"/api/resource/Order", params={"filters": json.dumps({"customer": ACME}), "limit_page_length": 1}
		).json()["data"][0]["name"]
		foreign = admin.get(
			"/api/resource/Order",
			params={"filters": json.dumps({"customer": GLOBEX}), "limit_page_length": 1},
		).json()["data"][0]["name"]
		self.assertEqual(alice.get(f"/portal/orders/{order}").status_code, 200)
		self.assertEqual(alice.get(f"/portal/orders/{foreign}").status_code, 404)
		alice.post(
			"/api/method/customer_portal.api.notifications.save_preferences",
			data={"email_1": "Weekly", "portal_1": "1"},
		)
		alice.post("/api/method/logout")
		with site_connection() as frappe:
			from customer_portal.activity.log import seal_entries

			seal_entries(settle_seconds=0)
			rows = frappe.get_all(
				"Portal Activity",
				filters={"user": ALICE},
				fields=[
					"name",
					"action",
					"reference_name",
					"ip_address",
					"user_agent",
					"customer",
					"entry_hash",
				],
				order_by="name asc",
			)
		actions = {row.action for row in rows}
		for expected in ("Failed Login", "Login", "View", "Access Denied", "Preference Change", "Logout"):
			self.assertIn(expected, actions)
		denied = [row for row in rows if row.action == "Access Denied"]
		self.assertTrue(any(row.reference_name == foreign for row in denied), denied)
		self.assertTrue(all(row.ip_address and row.entry_hash for row in rows if row.action == "View"))
		# Alice administers Acme: she sees it in the portal; staff see it in desk
		page = PortalClient(ALICE).get("/portal/activity?action=View")
		self.assertEqual(page.status_code, 200)
		self.assertIn(order, page.text)
		self.assertEqual(PortalClient(BOB).get("/portal/activity").status_code, 404)
		# nobody edits or deletes an entry, Administrator included
		entry = rows[-1].name
		self.assertNotEqual(
			admin.request(
				"PUT", f"/api/resource/Portal Activity/{entry}", json={"action": "View"}
			).status_code,
			200,
		)
		self.assertNotEqual(
			admin.request("DELETE", f"/api/resource/Portal Activity/{entry}").status_code, 202
		)
		# a change made directly in the database is reported by the verify command
		verify = lambda: subprocess.run(
			["bench", "--site", os.environ["CP_E2E_SITE"], "customer-portal-verify-activity"],
			cwd=Path(os.environ["CP_E2E_SITES_PATH"]).parent,
			capture_output=True,
			text=True,
			timeout=120,
		)
		self.assertEqual(verify().returncode, 0)
		with site_connection() as frappe:
			original = frappe.db.get_value("Portal Activity", entry, "ip_address")
			frappe.db.sql("update `tabPortal Activity` set ip_address = '10.6.6.6' where name = %s", entry)
		try:
			tampered = verify()
			self.assertNotEqual(tampered.returncode, 0)
			self.assertIn(f"entry {entry} was changed", tampered.stdout + tampered.stderr)
		finally:
			with site_connection() as frappe:
				frappe.db.sql(
					"update `tabPortal Activity` set ip_address = %s where name = %s", (original, entry)
				)
		self.assertEqual(verify().returncode, 0)
