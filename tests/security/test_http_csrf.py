"""CSRF: every state-changing endpoint of the app, found from the code (so a new one cannot be forgotten),
refuses a logged-in POST without Frappe's CSRF token and with another session's token."""

import importlib
import pkgutil
import unittest

import requests
from portal_client import BASE_URL, PortalClient


def state_changing_methods() -> list[str]:
	"""Dotted paths of the app's whitelisted functions that accept POST (or any method)."""
	import frappe

	import customer_portal

	for module in pkgutil.walk_packages(customer_portal.__path__, "customer_portal."):
		if ".tests" in module.name or ".patches" in module.name or module.name.endswith("hooks"):
			continue
		importlib.import_module(module.name)  # every module: a whitelisted function anywhere is found
	methods = []
	for function in frappe.whitelisted:
		if not function.__module__.startswith("customer_portal."):
			continue
		allowed = frappe.allowed_http_methods_for_whitelisted_func.get(function) or [
			"GET",
			"POST",
			"PUT",
			"DELETE",
		]
		if "POST" in allowed:
			methods.append(f"{function.__module__}.{function.__name__}")
	return sorted(set(methods))


class CsrfTest(unittest.TestCase):
	def test_every_state_changing_endpoint_requires_the_sessions_token(self):
		methods = state_changing_methods()
		self.assertGreaterEqual(len(methods), 20, methods)
		# endpoints of every kind are among them (a narrower search would silently miss a package)
		for expected in (
			"customer_portal.api.users.invite",
			"customer_portal.accounts.password_reset.reset_password",
			"customer_portal.portal.web_forms.accept",
		):
			self.assertIn(expected, methods)
		alice, bob = PortalClient("alice@acme.example.com"), PortalClient("bob@acme.example.com")
		without = requests.Session()
		without.cookies.update(alice.session.cookies)
		foreign = requests.Session()
		foreign.cookies.update(alice.session.cookies)
		foreign.headers["X-Frappe-CSRF-Token"] = bob.session.headers["X-Frappe-CSRF-Token"]
		for method in methods:
			for case, session in (("no token", without), ("another session's token", foreign)):
				with self.subTest(method=method, case=case):
					response = session.post(f"{BASE_URL}/api/method/{method}", data={}, allow_redirects=False)
					self.assertEqual(
						response.status_code, 400, f"{method}: {response.status_code} {response.text[:200]}"
					)
					self.assertIn("CSRFTokenError", response.text)
		# the same session with its own token gets past the check (its answer is the endpoint's own)
		response = alice.post("/api/method/customer_portal.api.notifications.mark_read", data={"all": 1})
		self.assertNotIn("CSRFTokenError", response.text)
		print(
			f"\n    {len(methods)} state-changing endpoints refuse a missing or foreign CSRF token",
			flush=True,
		)
