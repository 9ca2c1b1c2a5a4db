"""Document download links over HTTP: single use, bound to the session, scoped, served inert."""

import json
import unittest

from portal_client import PortalClient, observed

OWN, FOREIGN = "Acme Logistics", "Globex Manufacturing"
REQUEST = "customer_portal.api.documents.request_download"


class HttpDownloadTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		admin = PortalClient("Administrator")
		cls.own = admin.first("Document", {"customer": OWN})
		cls.foreign = admin.first("Document", {"customer": FOREIGN})
		cls.alice = PortalClient("alice@acme.example.com")
		cls.admin = admin

	def link(self, client, name=None):
		response = client.request(
			"POST",
			f"/api/method/{REQUEST}",
			data={"name": name or self.own},
			headers={"Accept": "application/json"},
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		return response.json()["message"]["url"]

	def test_link_downloads_once_as_an_inert_attachment(self):
		url = self.link(self.alice)
		response = self.alice.get(url)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"))
		self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
		self.assertNotIn("html", response.headers["Content-Type"])
		self.assertIn(OWN.encode(), response.content)
		again = self.alice.get(url)
		self.assertEqual(again.status_code, 404)
		self.assertNotIn(OWN.encode(), again.content)
		# both outcomes are in the access log; the refusal survived its request's rollback
		outcomes = {
			(row["outcome"], row["reason"])
			for row in self.admin.get(
				"/api/resource/Document Access Log",
				params={
					"filters": json.dumps({"user": "alice@acme.example.com", "event": "Download"}),
					"fields": json.dumps(["outcome", "reason"]),
					"limit_page_length": 0,
				},
			).json()["data"]
		}
		self.assertTrue({("Allowed", None), ("Refused", "already used")} <= outcomes, outcomes)

	def test_link_fails_from_another_session_and_for_a_colleague(self):
		url = self.link(self.alice)
		for other in (
			PortalClient("alice@acme.example.com"),
			PortalClient("bob@acme.example.com"),
			PortalClient(),
		):
			self.assertIn(other.get(url).status_code, (403, 404))
		# refused attempts did not use it up
		self.assertEqual(self.alice.get(url).status_code, 200)

	def test_another_customers_document_looks_missing(self):
		probe = lambda name: self.alice.request(
			"POST", f"/api/method/{REQUEST}", data={"name": name}, headers={"Accept": "application/json"}
		)
		foreign, missing = probe(self.foreign), probe("DOC-2099-99999")
		self.assertEqual(observed(foreign, self.foreign), observed(missing, "DOC-2099-99999"))
		self.assertEqual(foreign.status_code, 404)
		refused = self.admin.get(
			"/api/resource/Document Access Log",
			params={
				"filters": json.dumps(
					{"user": "alice@acme.example.com", "event": "Download Link", "outcome": "Refused"}
				),
				"limit_page_length": 0,
			},
		).json()["data"]
		self.assertGreaterEqual(len(refused), 2)

	def test_forged_token_is_not_found(self):
		response = self.alice.get(
			"/api/method/customer_portal.api.documents.fetch", params={"token": "x" * 43}
		)
		self.assertEqual(response.status_code, 404)
