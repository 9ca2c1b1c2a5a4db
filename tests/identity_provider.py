"""A company with single sign-on, for the suites: a second Frappe site of the bench is its OpenID Connect
provider (Frappe's own OAuth2/OIDC server), and a new customer on the test site signs in there.

`tests/run.py --idp-site` serves that site on its own port; it is reached as `localhost`, the portal as
`127.0.0.1`, so a browser keeps the two sites' cookies apart (cookies do not tell ports apart).
"""

import os
import uuid
from dataclasses import dataclass, field

import requests
from portal_client import BASE_URL, DEMO_PASSWORD, site_connection

CALLBACK = "/api/method/customer_portal.api.sso.callback"
START = "/api/method/customer_portal.api.sso.start"


def idp_url() -> str | None:
	url = os.environ.get("CP_E2E_IDP_URL")
	return url.replace("127.0.0.1", "localhost") if url else None


@dataclass
class Company:
	customer: str
	provider: str
	domain: str
	idp: str
	users: dict = field(default_factory=dict)

	def email(self, name: str) -> str:
		return f"{name}@{self.domain}"

	def add_idp_user(self, email: str) -> str:
		"""An account at the company's identity provider (password: the demo password)."""
		with site_connection(os.environ["CP_E2E_IDP_SITE"]) as frappe:
			frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": email.partition("@")[0].title(),
					"last_name": "Sso",
					"send_welcome_email": 0,
					"user_type": "Website User",
					"new_password": DEMO_PASSWORD,
				}
			).insert(ignore_permissions=True)
		return email

	def sign_in_at_provider(self, browser: requests.Session, email: str) -> None:
		answer = browser.post(f"{self.idp}/api/method/login", data={"usr": email, "pwd": DEMO_PASSWORD})
		answer.raise_for_status()

	def round_trip(self, browser: requests.Session, email: str, sign_in: bool = True) -> requests.Response:
		"""Start at the portal with `email`, (sign in at the provider as `email`,) follow the provider's
		redirects; the answer is the provider's last one: the redirect to the portal's callback."""
		start = browser.get(f"{BASE_URL}{START}", params={"email": email}, allow_redirects=False)
		assert start.status_code in (301, 302, 303), start.status_code
		location = start.headers["Location"]
		assert location.startswith(self.idp), location
		if sign_in:
			self.sign_in_at_provider(browser, email)
		answer = browser.get(location, allow_redirects=False)
		# the provider's authorize -> approve -> the portal's callback
		for _hop in range(3):
			location = answer.headers.get("Location", "")
			if answer.status_code not in (301, 302, 303) or location.startswith(BASE_URL):
				break
			answer = browser.get(
				location if location.startswith("http") else f"{self.idp}{location}", allow_redirects=False
			)
		assert answer.headers.get("Location", "").startswith(f"{BASE_URL}{CALLBACK}"), (
			answer.status_code,
			answer.headers.get("Location"),
			answer.text[:500],
		)
		return answer


def make_company() -> Company:
	"""A customer whose users (email domain sso-<random>.example) sign in at the identity provider site."""
	idp = idp_url()
	assert idp, "run the suites with tests/run.py --idp-site (./dev test does)"
	tag = uuid.uuid4().hex[:8]
	domain = f"sso-{tag}.example"
	with site_connection(os.environ["CP_E2E_IDP_SITE"]) as frappe:
		client = frappe.get_doc(
			{
				"doctype": "OAuth Client",
				"app_name": f"Customer portal {tag}",
				"scopes": "all openid",
				"redirect_uris": f"{BASE_URL}{CALLBACK}",
				"default_redirect_uri": f"{BASE_URL}{CALLBACK}",
				"grant_type": "Authorization Code",
				"response_type": "Code",
				"skip_authorization": 1,
				# the company's staff are website users of its provider site
				"allowed_roles": [{"role": "All"}],
			}
		).insert(ignore_permissions=True)
		client_id, client_secret = client.client_id, client.client_secret
	with site_connection() as frappe:
		key = frappe.get_doc(
			{
				"doctype": "Social Login Key",
				"provider_name": f"Company IdP {tag}",
				"social_login_provider": "Custom",
				"enable_social_login": 0,
				"custom_base_url": 1,
				"base_url": idp,
				"authorize_url": "/api/method/frappe.integrations.oauth2.authorize",
				"access_token_url": "/api/method/frappe.integrations.oauth2.get_token",
				"redirect_url": CALLBACK,
				"api_endpoint": "/api/method/frappe.integrations.oauth2.openid_profile",
				"auth_url_data": '{"response_type": "code", "scope": "openid all"}',
				"client_id": client_id,
				"client_secret": client_secret,
				"sign_ups": "Deny",
			}
		).insert(ignore_permissions=True)
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": f"SSO Corp {tag}",
				"sso_provider": key.name,
				"sso_domains": domain,
			}
		).insert(ignore_permissions=True)
	return Company(customer.name, key.name, domain, idp)


def link_portal_user(company: Company, email: str, role: str = "Member", user_type: str = "Website User"):
	"""A portal account for `email` on the test site, linked to the company's customer (or, for staff,
	not linked)."""
	with site_connection() as frappe:
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.partition("@")[0].title(),
				"send_welcome_email": 0,
				"user_type": user_type,
				"new_password": DEMO_PASSWORD,
				**({"roles": [{"role": "Customer Portal Staff"}]} if user_type == "System User" else {}),
			}
		).insert(ignore_permissions=True)
		if user_type == "Website User":
			doc = frappe.get_doc("Customer", company.customer)
			doc.append("portal_users", {"user": email, "portal_role": role})
			doc.save(ignore_permissions=True)
