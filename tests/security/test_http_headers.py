"""Security headers over HTTP: every portal route (found from the app's www/ folder, so a new page cannot be
forgotten) carries the CSP and the other headers; desk keeps working without the portal's CSP."""

import json
import re
import unittest
from pathlib import Path

from portal_client import PortalClient

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
WWW = Path(__file__).resolve().parents[2] / "customer_portal" / "www"
# detail pages reached through website_route_rules: page file -> (list route, doctype)
DETAIL_PAGES = {
	"order": ("/portal/orders", "Order"),
	"invoice": ("/portal/invoices", "Invoice"),
	"document": ("/portal/documents", "Document"),
	"ticket": ("/portal/tickets", "Support Ticket"),
}


def portal_routes(admin: PortalClient) -> list[str]:
	routes = []
	for page in sorted(WWW.rglob("*.py")):
		if page.name == "__init__.py":
			continue
		relative = page.relative_to(WWW).with_suffix("")
		parts = list(relative.parts)
		if parts[-1] == "index":
			parts = parts[:-1]
		if parts[-1] in DETAIL_PAGES:
			route, doctype = DETAIL_PAGES[parts[-1]]
			filters = {"customer": "Acme Logistics", **({"docstatus": 1} if doctype == "Invoice" else {})}
			name = admin.get(
				f"/api/resource/{doctype}", params={"filters": json.dumps(filters), "limit_page_length": 1}
			).json()["data"][0]["name"]
			routes.append(f"{route}/{name}")
		else:
			routes.append("/" + "/".join(parts))
	return routes


class SecurityHeadersTest(unittest.TestCase):
	def test_every_portal_route_carries_the_policy(self):
		admin = PortalClient("Administrator")
		alice = PortalClient("alice@acme.example.com")
		routes = portal_routes(admin)
		self.assertGreaterEqual(len(routes), 12, routes)
		strict = 0
		for route in [*routes, "/login"]:
			with self.subTest(route):
				response = alice.get(route) if route != "/login" else PortalClient().get(route)
				self.assertLess(response.status_code, 500, route)
				policy = response.headers.get("Content-Security-Policy", "")
				for directive in (
					"frame-ancestors 'none'",
					"object-src 'none'",
					"base-uri 'self'",
					"default-src 'self'",
				):
					self.assertIn(directive, policy, route)
				# the portal's own pages: no inline script, and a policy that runs none (Frappe's
				# login page and its not-found page keep 'unsafe-inline')
				script_src = next(d.strip() for d in policy.split(";") if d.strip().startswith("script-src"))
				if route != "/login" and response.status_code == 200:
					self.assertEqual(script_src, "script-src 'self'", route)
					self.assertEqual(INLINE_SCRIPT.findall(response.text), [], route)
					strict += 1
				self.assertEqual(response.headers.get("X-Content-Type-Options"), "nosniff", route)
				self.assertEqual(response.headers.get("X-Frame-Options"), "DENY", route)
				self.assertIn("strict-origin", response.headers.get("Referrer-Policy", ""), route)
				self.assertIn("camera=()", response.headers.get("Permissions-Policy", ""), route)
		self.assertGreaterEqual(strict, 12)
		print(
			f"\n    {len(routes) + 1} portal routes carry the policy, {strict} with script-src 'self'",
			flush=True,
		)

	def test_api_responses_are_not_sniffed_and_desk_keeps_working(self):
		staff = PortalClient("staff@portal.example.com")
		desk = staff.get("/app")
		self.assertEqual(desk.status_code, 200)
		self.assertNotIn("Content-Security-Policy", desk.headers)
		api = staff.get("/api/method/ping")
		self.assertEqual(api.headers.get("X-Content-Type-Options"), "nosniff")
		# a download keeps its own sandboxing policy
		alice = PortalClient("alice@acme.example.com")
		document = PortalClient("Administrator").first(
			"Document", [["customer", "=", "Acme Logistics"], ["file", "like", "/private/files/%"]]
		)
		link = alice.post(
			"/api/method/customer_portal.api.documents.request_download",
			data={"name": document},
			headers={"Accept": "application/json"},
		).json()["message"]["url"]
		self.assertIn("sandbox", alice.get(link).headers["Content-Security-Policy"])
