import json
from pathlib import Path

from frappe.tests.utils import FrappeTestCase

from customer_portal import openapi

COMMITTED = Path(openapi.APP).parent / "docs" / "openapi.json"


class TestOpenApi(FrappeTestCase):
	def test_the_committed_document_is_current(self):
		self.assertTrue(COMMITTED.exists(), "docs/openapi.json is missing")
		self.assertEqual(
			json.loads(COMMITTED.read_text()),
			openapi.build(),
			"docs/openapi.json is out of date: ./dev bench --site SITE customer-portal-openapi > docs/openapi.json",
		)

	def test_every_app_endpoint_is_documented_with_its_methods(self):
		document = openapi.build()
		for path, function in openapi.whitelisted_methods():
			with self.subTest(path):
				operations = document["paths"][f"/api/method/{path}"]
				self.assertEqual(sorted(operations), sorted(openapi.http_methods(function)))
		self.assertIn("/api/resource/Support Ticket/{name}", document["paths"])
		self.assertIn("stage", document["components"]["schemas"]["Order"]["properties"])
