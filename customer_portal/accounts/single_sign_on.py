"""Single sign-on for a customer's users through their company's OpenID Connect provider.

Staff give a Customer an identity provider (a *Social Login Key* of the Custom kind: the provider's
authorize, token and userinfo URLs, and this site's client id and secret there) and the email domains it
speaks for. On the login page a user follows *Sign in with single sign-on*, gives their work email, and
is sent to the provider of the customer that owns the email's domain; the provider sends them back to
`CALLBACK` with a code, which the server exchanges for the user's claims.

Frappe's own social login callback is not used for customer providers (it refuses them, see
`api/sso.py`): it never checks the `state` it issues, so an attacker's code could finish a sign-in in a
victim's browser, and it signs in whichever account has the email the provider asserts, staff included.
Here:
- the state is random, single use, lives `STATE_SECONDS` and is bound to the browser that started (a
  cookie that only that browser has); PKCE (S256) binds the code to the same start;
- the provider must assert an email in one of its customer's domains (and not `email_verified: false`);
- that email must be an enabled website user already linked to that customer, or hold an open
  invitation to it (accepted now, on the inviter's authority); anyone else is refused, with one answer
  whatever the reason (the reason goes to the authentication log);
- the provider's subject id is kept on the user (Frappe's User Social Login) and must not change after.
SSO never links anyone to a customer on its own. The company's provider is trusted for the second
factor: portal 2FA and the password throttle apply to password sign-ins.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
from urllib.parse import quote, urlencode, urljoin

import frappe
import requests
from frappe import _
from frappe.core.doctype.activity_log.activity_log import add_authentication_log
from frappe.utils.oauth import get_oauth2_providers, get_oauth_keys

from customer_portal.accounts.invitations import create_user, link_invited_user, pending_for

STATE_SECONDS = 600
STATE_COOKIE = "cp_sso"
CALLBACK = "/api/method/customer_portal.api.sso.callback"
DEFAULT_AUTHORIZE_PARAMS = {"response_type": "code", "scope": "openid email profile"}
PROVIDER_TIMEOUT = 10
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ROUTES_KEY = "customer_portal_sso_routes"
_STATE_KEY = "customer_portal_sso_state:"


class Refused(Exception):
	"""The sign-in is refused; `reason` is for the log, never for the answer."""

	def __init__(self, reason: str, email: str | None = None, unavailable: bool = False):
		super().__init__(reason)
		self.reason, self.email, self.unavailable = reason, email, unavailable


# ---------------------------------------------------------------------------------------------------
# Configuration: which customer (and provider) an email domain belongs to
# ---------------------------------------------------------------------------------------------------
def parse_domains(text: str | None) -> list[str]:
	seen = []
	for domain in re.split(r"[\s,;]+", (text or "").lower()):
		domain = domain.strip().lstrip("@").rstrip(".")
		if domain and domain not in seen:
			seen.append(domain)
	return seen


def routes() -> dict[str, list[str]]:
	"""{email domain: [customer, provider]} for every customer with single sign-on (cached)."""
	cached = frappe.cache.get_value(_ROUTES_KEY)
	if cached is None:
		cached = {}
		# configuration read to route a sign-in; no record reaches the (guest) requester
		for row in frappe.get_all(
			"Customer",
			filters={"sso_provider": ("is", "set"), "status": ("!=", "Inactive")},
			fields=["name", "sso_provider", "sso_domains"],
			order_by="name",
		):
			for domain in parse_domains(row.sso_domains):
				cached.setdefault(domain, [row.name, row.sso_provider])
		frappe.cache.set_value(_ROUTES_KEY, cached)
	return cached


def forget_routes(doc=None, method=None) -> None:
	"""`on_update`/`on_trash` of Customer and Social Login Key."""
	frappe.cache.delete_value(_ROUTES_KEY)


def domain_of(email: str | None) -> str:
	return (email or "").strip().lower().rpartition("@")[2]


def route_for(email: str | None) -> list[str] | None:
	"""[customer, provider] for a work email whose domain uses single sign-on."""
	email = (email or "").strip()
	if "@" not in email or len(email) > 254:
		return None
	return routes().get(domain_of(email))


def is_available() -> bool:
	return bool(routes())


def validate_customer(doc) -> None:
	"""Customer.validate: a provider needs domains (and the reverse), the domains are well formed and no
	other customer claims them, and the provider is one only the portal's flow may use."""
	domains = parse_domains(doc.get("sso_domains"))
	doc.sso_domains = "\n".join(domains) or None
	if not doc.get("sso_provider"):
		if domains:
			frappe.throw(
				_("Choose the identity provider for these email domains."), title=_("Single Sign-On")
			)
		return
	if not domains:
		frappe.throw(
			_("Enter the email domains whose users sign in with {0}.").format(doc.sso_provider),
			title=_("Single Sign-On"),
		)
	malformed = [domain for domain in domains if not DOMAIN.match(domain)]
	if malformed:
		frappe.throw(_("Not an email domain: {0}").format(", ".join(malformed)), title=_("Single Sign-On"))
	taken = frappe.get_all(
		"Customer",
		filters={"name": ("!=", doc.name), "sso_domains": ("is", "set")},
		fields=["name", "sso_domains"],
	)
	for other in taken:
		clash = set(domains) & set(parse_domains(other.sso_domains))
		if clash:
			frappe.throw(
				_("{0} signs in through the customer {1} already.").format(
					", ".join(sorted(clash)), other.name
				),
				title=_("Single Sign-On"),
			)
	kind, shown = frappe.db.get_value(
		"Social Login Key", doc.sso_provider, ["social_login_provider", "enable_social_login"]
	)
	if kind != "Custom":
		frappe.throw(
			_("{0} is not a Custom provider: a customer's identity provider must be.").format(
				doc.sso_provider
			),
			title=_("Single Sign-On"),
		)
	if shown:
		frappe.throw(
			_(
				"Turn off Enable Social Login on {0}: its users sign in from the portal's single sign-on page, "
				"not from a login page button."
			).format(doc.sso_provider),
			title=_("Single Sign-On"),
		)


def is_customer_provider(provider: str) -> bool:
	return bool(frappe.db.exists("Customer", {"sso_provider": provider}))


# ---------------------------------------------------------------------------------------------------
# The flow: start (to the provider) and finish (back from it)
# ---------------------------------------------------------------------------------------------------
def start(email: str, redirect_to: str | None = None) -> str | None:
	"""The provider's authorize URL for this work email (None when its domain has no single sign-on);
	the state is stored and bound to this browser by a cookie."""
	route = route_for(email)
	if not route:
		return None
	customer, provider = route
	state, browser, verifier = (secrets.token_urlsafe(32) for _i in range(3))
	frappe.cache.set(
		frappe.cache.make_key(_STATE_KEY + _digest(state)),
		json.dumps(
			{
				"customer": customer,
				"provider": provider,
				"browser": _digest(browser),
				"verifier": verifier,
				"redirect_to": safe_redirect(redirect_to),
			}
		),
		ex=STATE_SECONDS,
	)
	frappe.local.cookie_manager.set_cookie(
		STATE_COOKIE, browser, max_age=STATE_SECONDS, httponly=True, samesite="Lax", secure=_https()
	)
	config = get_oauth2_providers()[provider]
	params = {
		**DEFAULT_AUTHORIZE_PARAMS,
		**(config.get("auth_url_data") or {}),
		"client_id": get_oauth_keys(provider)["client_id"],
		"redirect_uri": callback_url(),
		"state": state,
		"code_challenge": _pkce_challenge(verifier),
		"code_challenge_method": "S256",
		# no `login_hint`: an "@" in the provider's URL makes Frappe's login page (as a provider) drop
		# its redirect back as foreign
	}
	endpoint = config["flow_params"]["authorize_url"]
	return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params, quote_via=quote)}"


def finish(code: str | None, state: str | None, error: str | None = None) -> tuple[str, str]:
	"""(user, where to go) for a provider's answer in the browser that started; Refused otherwise."""
	started = _claim_state(state)
	frappe.local.cookie_manager.delete_cookie(STATE_COOKIE)
	if not started:
		raise Refused("unknown, used or expired state")
	browser = frappe.request.cookies.get(STATE_COOKIE) or ""
	if not hmac.compare_digest(_digest(browser), started["browser"]):
		raise Refused("state started in another browser")
	if error or not code:
		raise Refused(f"the provider answered {str(error or 'no code')[:100]}")
	claims = _claims(started["provider"], code, started["verifier"])
	email = (claims.get("email") or "").strip().lower()
	if not email or claims.get("email_verified") is False:
		raise Refused("no verified email from the provider", email)
	if not claims.get("sub"):
		raise Refused("no subject id from the provider", email)
	if route_for(email) != [started["customer"], started["provider"]]:
		raise Refused(f"email domain not single sign-on for {started['customer']}", email)
	user = _portal_user(started["customer"], email, claims)
	_bind_subject(user, started["provider"], str(claims["sub"]))
	return user, started["redirect_to"]


def sign_in(user: str) -> None:
	"""A new session for `user`, with what Frappe does after a password sign-in (its login log, the
	portal's session limits)."""
	frappe.local.flags.sign_in_method = "single sign-on"
	login_manager = frappe.local.login_manager
	login_manager.login_as(user)
	login_manager.run_trigger("on_session_creation")


def log_refusal(refused: Refused) -> None:
	# not a password guess: it does not count towards the sign-in throttle
	frappe.local.flags.login_failure_counted = True
	add_authentication_log(
		_("Single sign-on refused: {0}").format(refused.reason), refused.email or "Guest", status="Failed"
	)


def callback_url() -> str:
	return frappe.utils.get_url(CALLBACK)


def safe_redirect(path: str | None) -> str:
	"""A path on this site (never another host) to land on after signing in."""
	path = (path or "").strip()
	if not path.startswith("/") or path.startswith(("//", "/\\")) or any(c in path for c in "\r\n\\"):
		return "/portal"
	return path[:500]


def _claim_state(state: str | None) -> dict | None:
	if not state or len(state) > 100:
		return None
	# GETDEL: the state works once, even for two callbacks racing with it
	raw = frappe.cache.getdel(frappe.cache.make_key(_STATE_KEY + _digest(state)))
	return json.loads(raw) if raw else None


def _claims(provider: str, code: str, verifier: str) -> dict:
	"""The user's claims from the provider: the code (with the PKCE verifier and this site's client
	credentials) for an access token at the token endpoint, that token for the userinfo."""
	config = get_oauth2_providers()[provider]
	keys = get_oauth_keys(provider)
	try:
		answer = requests.post(
			config["flow_params"]["access_token_url"],
			data={
				"grant_type": "authorization_code",
				"code": code[:500],
				"redirect_uri": callback_url(),
				"client_id": keys["client_id"],
				"client_secret": keys["client_secret"],
				"code_verifier": verifier,
			},
			headers={"Accept": "application/json"},
			timeout=PROVIDER_TIMEOUT,
		)
		token = answer.json().get("access_token") if answer.ok else None
		if not token:
			raise Refused(f"the provider refused the code ({answer.status_code})")
		userinfo = urljoin(config["flow_params"]["base_url"] or "", config["api_endpoint"] or "")
		answer = requests.get(
			userinfo,
			params=config.get("api_endpoint_args"),
			headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
			timeout=PROVIDER_TIMEOUT,
		)
		answer.raise_for_status()
		claims = answer.json()
	except (requests.RequestException, ValueError) as e:
		raise Refused(f"the provider did not answer: {type(e).__name__}", unavailable=True) from e
	return claims if isinstance(claims, dict) else {}


def _portal_user(customer: str, email: str, claims: dict) -> str:
	"""The enabled website user with this email linked to `customer`, or the holder of an open
	invitation to it (accepted now); Refused for anyone else."""
	user = frappe.db.get_value("User", {"email": email}, ["name", "enabled", "user_type"], as_dict=True)
	if user and (not user.enabled or user.user_type != "Website User"):
		raise Refused("disabled or not a website user", email)
	if user and frappe.db.exists(
		"Customer Portal User", {"parent": customer, "parenttype": "Customer", "user": user.name}
	):
		return user.name
	invitation = pending_for(customer, email)
	if not invitation:
		raise Refused(f"not a user of {customer} and not invited to it", email)
	name = user.name if user else create_user(email, _full_name(claims, email), None, sso=True)
	link_invited_user(invitation, name)
	return name


def _bind_subject(user: str, provider: str, subject: str) -> None:
	"""The provider's id for the user is kept at the first sign-in; a different one later (the email
	given to someone else at the company) is refused until staff clear it on the User."""
	doc = frappe.get_doc("User", user)
	known = doc.get_social_login_userid(provider)
	if known and known != subject:
		raise Refused("the provider's subject id changed", user)
	if not known:
		doc.set_social_login_userid(provider, userid=subject)
		# the signing-in user's own User record (no customer's), changed as part of signing in
		doc.flags.ignore_permissions = True
		doc.save()


def _full_name(claims: dict, email: str) -> str:
	name = claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
	return str(name or email.partition("@")[0]).strip()[:140]


def _digest(value: str) -> str:
	return hashlib.sha256((value or "").encode()).hexdigest()


def _pkce_challenge(verifier: str) -> str:
	return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _https() -> bool:
	return frappe.utils.get_url().startswith("https")
