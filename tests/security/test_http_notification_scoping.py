"""Notifications and activity over HTTP: a user's notifications are theirs alone, a customer's activity is
for its admins alone; anything else answers like a record that does not exist."""

import json
import time
import unittest

from portal_client import PortalClient, observed

ALICE, BOB, CAROL = "alice@acme.example.com", "bob@acme.example.com", "carol@globex.example.com"


class NotificationScopingTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.admin = PortalClient("Administrator")
		cls.alice, cls.bob, cls.carol = PortalClient(ALICE), PortalClient(BOB), PortalClient(CAROL)
		# a fresh event for Acme, fanned out by the run's workers
		order = cls.admin.get(
			"/api/resource/Order",
			params={
				"filters": json.dumps([["customer", "=", "Acme Logistics"], ["title", "like", "%:%"]]),
				"fields": json.dumps(["name", "stage"]),
				"limit_page_length": 1,
				"order_by": "name desc",
			},
		).json()["data"][0]
		stages = [
			row["name"]
			for row in cls.admin.get("/api/resource/Order Stage", params={"limit_page_length": 0}).json()[
				"data"
			]
		]
		stage = next(name for name in stages if name != order["stage"])
		staff = PortalClient("staff@portal.example.com")
		assert staff.request("PUT", f"/api/resource/Order/{order['name']}", json={"stage": stage}).ok
		cls.mine = cls.bobs = None
		for _ in range(120):
			rows = cls.admin.get(
				"/api/resource/Portal Notification",
				params={
					"filters": json.dumps({"reference_name": order["name"]}),
					"fields": json.dumps(["name", "user"]),
					"limit_page_length": 0,
				},
			).json()["data"]
			by_user = {row["user"]: row["name"] for row in rows}
			if ALICE in by_user and BOB in by_user:
				cls.mine, cls.bobs = by_user[ALICE], by_user[BOB]
				break
			time.sleep(0.5)
		assert cls.mine and cls.bobs, "the fan-out did not run"

	def test_another_users_notification_looks_missing(self):
		probe = lambda name: self.alice.get(f"/api/resource/Portal Notification/{name}")
		self.assertEqual(probe(self.mine).status_code, 200)
		colleague, missing = probe(self.bobs), probe("nonexistent1")
		self.assertEqual(colleague.status_code, 404)
		self.assertEqual(observed(colleague, self.bobs), observed(missing, "nonexistent1"))
		listed = self.alice.get(
			"/api/resource/Portal Notification",
			params={"fields": json.dumps(["user"]), "limit_page_length": 0},
		).json()["data"]
		self.assertEqual({row["user"] for row in listed}, {ALICE})
		self.assertEqual(self.carol.get(f"/api/resource/Portal Notification/{self.mine}").status_code, 404)

	def test_marking_read_reaches_only_ones_own(self):
		response = self.alice.post(
			"/api/method/customer_portal.api.notifications.mark_read",
			data={"names": json.dumps([self.bobs])},
			headers={"Accept": "application/json"},
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(
			self.admin.get(f"/api/resource/Portal Notification/{self.bobs}").json()["data"]["is_read"], 0
		)
		for client in (self.alice, self.bob):
			edit = client.request(
				"PUT", f"/api/resource/Portal Notification/{self.bobs}", json={"is_read": 1}
			)
			self.assertIn(edit.status_code, (403, 404))
		self.assertEqual(
			self.admin.get(f"/api/resource/Portal Notification/{self.bobs}").json()["data"]["is_read"], 0
		)

	def test_activity_is_for_the_customers_admins(self):
		# Alice administers Acme: she reads Acme's activity and nothing else
		rows = self.alice.get(
			"/api/resource/Portal Activity",
			params={"fields": json.dumps(["customer"]), "limit_page_length": 0},
		).json()["data"]
		self.assertTrue(rows)
		self.assertEqual({row["customer"] for row in rows}, {"Acme Logistics"})
		# Bob is a member: no activity, not even his own, over REST or in the portal
		self.assertIn(self.bob.get("/api/resource/Portal Activity").status_code, (403, 404))
		self.assertEqual(self.bob.get("/portal/activity").status_code, 404)
		foreign = self.admin.get(
			"/api/resource/Portal Activity",
			params={"filters": json.dumps({"customer": "Globex Manufacturing"}), "limit_page_length": 1},
		).json()["data"]
		if foreign:
			self.assertEqual(
				self.alice.get(f"/api/resource/Portal Activity/{foreign[0]['name']}").status_code, 404
			)
		# staff-only helpers refuse customers
		response = self.alice.get(
			"/api/method/customer_portal.api.activity.customer_activity",
			params={"customer": "Acme Logistics"},
		)
		self.assertEqual(response.status_code, 403)
