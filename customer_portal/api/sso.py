"""Single sign-on through a customer's OpenID Connect provider (accounts/single_sign_on.py): the start from
the portal's single sign-on page, the provider's callback, and Frappe's own social login callback, which
refuses the customers' providers."""

import frappe
from frappe import _
from frappe.integrations.oauth2_logins import custom
from frappe.rate_limiter import rate_limit

from customer_portal.accounts import single_sign_on
from customer_portal.accounts.single_sign_on import Refused
from customer_portal.web.answers import redirect

SSO_PAGE = "/portal/sso"


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=30, seconds=60)
def start(email: str | None = None, redirect_to: str | None = None):
	"""To the identity provider of the customer that owns the email's domain (or back to the page,
	saying the domain has no single sign-on)."""
	url = single_sign_on.start(email or "", redirect_to)
	redirect(url or f"{SSO_PAGE}?unknown=1")


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=30, seconds=60)
def callback(code: str | None = None, state: str | None = None, error: str | None = None):
	"""Where the identity provider sends the browser back: signed in, or one refusal for every reason."""
	try:
		user, redirect_to = single_sign_on.finish(code, state, error)
		single_sign_on.sign_in(user)
	except Refused as refused:
		frappe.db.rollback()
		single_sign_on.log_refusal(refused)
		frappe.db.commit()  # a GET request: Frappe would roll the log back
		if refused.unavailable:
			title, message, status = (
				_("Sign-in Service Unavailable"),
				_("Your company's sign-in service did not answer. Try again in a moment."),
				502,
			)
		else:
			title, message, status = (
				_("Single Sign-On Refused"),
				_(
					"This account cannot sign in to the portal with single sign-on. If it should, ask your "
					"company's portal administrator for an invitation, then start again."
				),
				403,
			)
		frappe.respond_as_web_page(
			title,
			message,
			http_status_code=status,
			indicator_color="red",
			primary_action=SSO_PAGE,
			primary_label=_("Start again"),
		)
		return
	frappe.db.commit()  # a GET request: the session, the subject id, an accepted invitation
	redirect(redirect_to)


@frappe.whitelist(allow_guest=True, methods=["GET"])
def available() -> bool:
	"""Whether any customer signs in with single sign-on (the login page shows the link then)."""
	return single_sign_on.is_available()


@frappe.whitelist(allow_guest=True)
def frappe_social_login(code: str | None = None, state: str | None = None):
	"""Frappe's callback for custom social login providers, closed to the customers' providers (it checks
	no state and would sign in any account with the asserted email)."""
	provider = frappe.request.path.rstrip("/").rsplit("/", 1)[-1]
	if single_sign_on.is_customer_provider(provider):
		frappe.respond_as_web_page(
			_("Single Sign-On Refused"),
			_("Sign in from the portal's single sign-on page."),
			http_status_code=403,
			indicator_color="red",
			primary_action=SSO_PAGE,
			primary_label=_("Single sign-on"),
		)
		return
	return custom(code, state)
