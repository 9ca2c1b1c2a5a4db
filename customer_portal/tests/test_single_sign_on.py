import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.accounts import single_sign_on
from customer_portal.accounts.single_sign_on import parse_domains, route_for, safe_redirect
from customer_portal.tests.fixtures import make_customer


def make_provider(name: str, kind: str = "Custom", shown: int = 0) -> str:
	if frappe.db.exists("Social Login Key", frappe.scrub(name)):
		return frappe.scrub(name)
	return (
		frappe.get_doc(
			{
				"doctype": "Social Login Key",
				"provider_name": name,
				"social_login_provider": kind,
				"enable_social_login": shown,
				"custom_base_url": 1,
				"base_url": "https://idp.example.com",
				"authorize_url": "/authorize",
				"access_token_url": "/token",
				"redirect_url": single_sign_on.CALLBACK,
				"api_endpoint": "/userinfo",
				"client_id": "portal",
				"client_secret": "secret",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class TestSingleSignOnSettings(FrappeTestCase):
	"""What staff may configure on a Customer, and how an email finds its customer's provider."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.provider = make_provider("Unit IdP")
		cls.customer = make_customer("SSO Unit A", {})
		cls.other = make_customer("SSO Unit B", {})

	def configure(self, customer: str, domains: str, provider: str | None = None):
		doc = frappe.get_doc("Customer", customer)
		doc.sso_provider = provider or self.provider
		doc.sso_domains = domains
		doc.save(ignore_permissions=True)
		return doc

	def test_domains_are_normalised_and_route_emails(self):
		doc = self.configure(self.customer, " Unit-A.example, @sub.unit-a.example;unit-a.example ")
		self.assertEqual(doc.sso_domains, "unit-a.example\nsub.unit-a.example")
		self.assertEqual(route_for("Jo@UNIT-A.example"), [self.customer, self.provider])
		self.assertEqual(route_for("jo@sub.unit-a.example"), [self.customer, self.provider])
		self.assertIsNone(route_for("jo@other.example"))
		self.assertIsNone(route_for("unit-a.example"))

	def test_a_domain_belongs_to_one_customer(self):
		self.configure(self.customer, "shared-unit.example")
		with self.assertRaisesRegex(frappe.ValidationError, "signs in through the customer"):
			self.configure(self.other, "b-unit.example\nshared-unit.example")
		self.assertEqual(route_for("x@shared-unit.example")[0], self.customer)

	def test_malformed_domains_and_missing_halves_are_refused(self):
		for domains in ("not a domain", "exa mple.com", "http://unit.example", "unit"):
			with self.subTest(domains), self.assertRaisesRegex(frappe.ValidationError, "Not an email domain"):
				self.configure(self.customer, domains)
		doc = frappe.get_doc("Customer", self.other)
		doc.sso_provider, doc.sso_domains = None, "lonely.example"
		self.assertRaisesRegex(frappe.ValidationError, "Choose the identity provider", doc.save)
		doc = frappe.get_doc("Customer", self.other)
		doc.sso_provider, doc.sso_domains = self.provider, ""
		self.assertRaisesRegex(frappe.ValidationError, "Enter the email domains", doc.save)

	def test_only_a_hidden_custom_provider_will_do(self):
		shown = make_provider("Unit Shown IdP", shown=1)
		with self.assertRaisesRegex(frappe.ValidationError, "Turn off Enable Social Login"):
			self.configure(self.customer, "unit-a.example", shown)
		github = make_provider("Unit GitHub", kind="GitHub")
		with self.assertRaisesRegex(frappe.ValidationError, "not a Custom provider"):
			self.configure(self.customer, "unit-a.example", github)

	def test_routes_follow_changes_at_once(self):
		self.configure(self.customer, "moving-unit.example")
		self.assertTrue(route_for("a@moving-unit.example"))
		self.configure(self.customer, "moved-unit.example")
		self.assertIsNone(route_for("a@moving-unit.example"))
		self.assertTrue(route_for("a@moved-unit.example"))

	def test_parse_domains_keeps_order_and_drops_repeats(self):
		self.assertEqual(parse_domains("b.example a.example\nB.example."), ["b.example", "a.example"])

	def test_landing_after_sign_in_stays_on_this_site(self):
		self.assertEqual(safe_redirect("/portal/orders?page=2"), "/portal/orders?page=2")
		for hostile in ("https://evil.example", "//evil.example", "/\\evil.example", "portal", "", None):
			with self.subTest(hostile):
				self.assertEqual(safe_redirect(hostile), "/portal")
