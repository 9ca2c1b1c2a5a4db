"""Bulk invoice exports over HTTP, built by the run's RQ workers: a ZIP of the ticked invoices' PDFs and
the filtered list as CSV, with their contents checked; another customer's invoice in the selection is
"not found"; a colleague cannot download someone else's export."""

import csv
import io
import json
import time
import unittest
import zipfile

from portal_client import PortalClient, make_portal_user, observed

START = "/api/method/customer_portal.api.exports.start"
JSON = {"Accept": "application/json"}


class ExportsTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.alice = PortalClient("alice@acme.example.com")
		cls.admin = PortalClient("Administrator")

	def invoices(self, customer: str, **filters) -> list[dict]:
		return self.admin.get(
			"/api/resource/Invoice",
			params={
				"filters": json.dumps({"customer": customer, "docstatus": 1, **filters}),
				"fields": json.dumps(["name", "total", "status"]),
				"limit_page_length": 0,
			},
		).json()["data"]

	def finished(self, client, name: str) -> bytes:
		deadline = time.monotonic() + 120
		while time.monotonic() < deadline:
			state = client.call("customer_portal.api.exports.status", name=name).json()["message"]
			if state["status"] in ("Done", "Failed"):
				break
			time.sleep(0.5)
		self.assertEqual(state["status"], "Done", state)
		answer = client.get("/api/method/customer_portal.api.exports.download", params={"name": name})
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		self.assertIn("attachment", answer.headers["Content-Disposition"])
		return answer.content

	def test_a_zip_of_the_ticked_invoices(self):
		names = [row["name"] for row in self.invoices("Acme Logistics")[:3]]
		answer = self.alice.post(START, data={"kind": "Invoice PDFs (ZIP)", "names": names}, headers=JSON)
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		export = answer.json()["message"]["name"]
		archive = zipfile.ZipFile(io.BytesIO(self.finished(self.alice, export)))
		self.assertEqual(sorted(archive.namelist()), sorted(f"{name}.pdf" for name in names))
		self.assertTrue(all(archive.read(name).startswith(b"%PDF") for name in archive.namelist()))
		# a colleague at the same customer cannot fetch it
		colleague = PortalClient(make_portal_user("exports-colleague"))
		theirs = colleague.get("/api/method/customer_portal.api.exports.download", params={"name": export})
		missing = colleague.get(
			"/api/method/customer_portal.api.exports.download", params={"name": "0000000000"}
		)
		self.assertEqual(observed(theirs, export), observed(missing, "0000000000"))

	def test_the_filtered_list_as_csv(self):
		answer = self.alice.post(START, data={"kind": "Invoice List (CSV)", "status": "Paid"}, headers=JSON)
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		content = self.finished(self.alice, answer.json()["message"]["name"]).decode("utf-8-sig")
		rows = list(csv.reader(io.StringIO(content)))[1:]
		expected = {row["name"]: row["total"] for row in self.invoices("Acme Logistics", status="Paid")}
		self.assertEqual({row[0]: float(row[5]) for row in rows}, expected)

	def test_another_customers_invoice_in_the_selection_is_not_found(self):
		own = self.invoices("Acme Logistics")[0]["name"]
		foreign = self.invoices("Globex Manufacturing")[0]["name"]
		refused, missing = (
			self.alice.post(START, data={"kind": "Invoice PDFs (ZIP)", "names": [own, name]}, headers=JSON)
			for name in (foreign, "INV-2026-99999")
		)
		self.assertEqual(refused.status_code, 404)
		self.assertEqual(observed(refused, foreign), observed(missing, "INV-2026-99999"))
