"""Two-factor sign-in for portal users: a code from an authenticator app (TOTP) after the password.

Frappe's own 2FA is all or nothing for a site in practice: turning it on in System Settings marks the *All*
role on every save, so it cannot be kept to the portal users who want it. The portal therefore asks for the
second factor itself, for the users who chose it (`/portal/account`) or whose customer requires it
(*Require Two-Factor Sign-in*, set by the customer's admins on `/portal/users` or by staff on the Customer),
and does it with Frappe's 2FA pieces and login page: the same per-user secret, the same first-time email
with a QR code for the app, the same code check with Frappe's login attempt tracker. When an admin turns
Frappe's 2FA on for everyone, Frappe asks and this module steps aside.

The `on_login` hook runs after the password was right: without a code it starts Frappe's second step
(`authenticate_for_2factor`) and stops the sign-in with the answer Frappe's login page expects (200, the
verification prompt and a `tmp_id`); with a code it lets the sign-in finish only if the code is right.
"""

import frappe
from frappe import _
from frappe.twofactor import authenticate_for_2factor, confirm_otp_token, should_run_2fa

from customer_portal.accounts.login_throttle import is_sign_in
from customer_portal.accounts.members import require_admin
from customer_portal.accounts.portal_access import get_links
from customer_portal.activity.log import record

DEFAULT_KEY = "customer_portal_two_factor"
EMAIL_LINK_SIGN_IN = "/api/method/frappe.www.login.login_via_key"


class SecondFactorRequired(Exception):
	"""Not an error: the sign-in continues with the code (Frappe's login page reads this 200 answer)."""

	http_status_code = 200


def chosen_by(user: str) -> bool:
	return frappe.db.get_default(DEFAULT_KEY, parent=user) == "1"


def required_for(user: str) -> bool:
	return any(link.get("require_two_factor") for link in get_links(user))


def asks(user: str) -> bool:
	return user not in ("Administrator", "Guest") and (chosen_by(user) or required_for(user))


def on_login(login_manager) -> None:
	"""`on_login`: a password sign-in of a user who signs in with two factors needs the code too."""
	user = login_manager.user
	request = getattr(frappe.local, "request", None)
	if request and request.path == EMAIL_LINK_SIGN_IN and asks(user):
		# an emailed one-time link is one factor (the mailbox); it would skip the authenticator code
		raise frappe.AuthenticationError(_("Sign in with your password and your authenticator app's code."))
	# only the password form: sign-ins the user has already proven otherwise (a reset key, an invitation)
	# do not ask again, as in Frappe; and where Frappe's own 2FA runs, it has asked already
	if not request or not is_sign_in(request) or not asks(user) or should_run_2fa(user):
		return
	if frappe.form_dict.get("otp"):
		if confirm_otp_token(login_manager):  # a wrong code fails the sign-in (and counts as a failure)
			return
	# Frappe keeps the password for the second step (`cache_2fa_data`); by `on_login` it has dropped it
	# from the form dict, so it is read again from the request
	frappe.form_dict.pwd = _password(request)
	try:
		authenticate_for_2factor(user)
	finally:
		frappe.form_dict.pop("pwd", None)
	raise SecondFactorRequired


def _password(request) -> str:
	password = request.form.get("pwd")
	if not password and request.is_json:
		password = (request.get_json(silent=True) or {}).get("pwd")
	return password or ""


def choose(on: bool) -> None:
	"""The session user's own choice."""
	user = frappe.session.user
	if not on and required_for(user):
		frappe.throw(
			_("Your company requires two-factor sign-in; its admins can change that."),
			title=_("Required"),
		)
	frappe.db.set_default(DEFAULT_KEY, "1" if on else "0", parent=user)
	record(
		"Settings Change",
		"User",
		user,
		details={"two-factor sign-in": ["off", "on"] if on else ["on", "off"]},
	)


def require_for_customer(customer: str, required: bool) -> None:
	"""A customer admin's (or staff member's) rule for all of the customer's portal users."""
	require_admin(customer)
	doc = frappe.get_doc("Customer", customer)
	before = bool(doc.require_two_factor)
	doc.require_two_factor = int(required)
	doc.save()
	record(
		"Settings Change",
		"Customer",
		customer,
		details={"require two-factor sign-in": [before, bool(required)]},
		customer=customer,
	)
