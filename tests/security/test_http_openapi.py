"""docs/openapi.json against the live site: every documented resource answers a customer user with
records whose fields the document describes, and every documented method accepts exactly the HTTP methods
it lists (another is refused)."""

import json
import unittest
from pathlib import Path

from portal_client import PortalClient

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())


class OpenApiTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.alice = PortalClient("alice@acme.example.com")

	def test_resources_answer_with_the_documented_fields(self):
		checked = 0
		for path, operations in DOCUMENT["paths"].items():
			if not path.startswith("/api/resource/") or "{name}" in path:
				continue
			schema_name = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
			schema_name = schema_name["properties"]["data"]["items"]["$ref"].rsplit("/", 1)[1]
			properties = DOCUMENT["components"]["schemas"][schema_name]["properties"]
			with self.subTest(path):
				answer = self.alice.get(path, params={"fields": json.dumps(["*"]), "limit_page_length": 3})
				self.assertEqual(answer.status_code, 200, answer.text[:300])
				rows = answer.json()["data"]
				for row in rows:
					undocumented = {key for key in row if not key.startswith("_")} - set(properties)
					self.assertEqual(undocumented, set(), path)
					checked += 1
				if rows:
					one = self.alice.get(f"{path}/{rows[0]['name']}")
					self.assertEqual(one.status_code, 200, one.text[:300])
		self.assertGreater(checked, 10)

	def test_methods_accept_exactly_the_documented_http_methods(self):
		for path, operations in DOCUMENT["paths"].items():
			if not path.startswith("/api/method/") or set(operations) == {"get", "post"}:
				continue
			other = "post" if "get" in operations else "get"
			with self.subTest(path=path, method=other):
				answer = self.alice.request(other.upper(), path)
				self.assertIn(answer.status_code, (403, 405), answer.text[:300])
