"""Unlocking an account the sign-in throttle locked (accounts/login_throttle.py): by its owner, through
the link in the account-locked email, or by staff from the User form."""

import time

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from customer_portal.accounts.login_throttle import Counter, policy, unlock, verify_unlock
from customer_portal.activity.log import record
from customer_portal.permissions import require_staff


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=10, seconds=60)
def unlock_account(user: str, token: str):
	if not verify_unlock(user, token):
		frappe.respond_as_web_page(
			_("Invalid Link"),
			_("This unlock link is not valid: it was used already, or the account is not locked."),
			http_status_code=400,
			indicator_color="red",
		)
		return
	unlock(user)
	record("User Management", "User", user, details={"unlocked": "sign-in", "by": "email link"}, user=user)
	frappe.respond_as_web_page(
		_("Account Unlocked"),
		_("You can sign in again."),
		indicator_color="green",
		primary_action="/login",
		primary_label=_("Sign in"),
	)


@frappe.whitelist(methods=["POST"])
def staff_unlock(user: str):
	require_staff()
	if not frappe.db.exists("User", user):
		frappe.throw(_("User {0} does not exist.").format(user), frappe.DoesNotExistError)
	unlock(user)
	record(
		"User Management", "User", user, details={"unlocked": "sign-in", "by": frappe.session.user}, user=user
	)
	return sign_in_status(user)


@frappe.whitelist()
def sign_in_status(user: str) -> dict:
	"""For the User form: failed attempts and how long the account must still wait."""
	require_staff()

	count, _last, locked_until, _since = Counter("account", user).state()
	return {
		"failures": count,
		"wait_seconds": Counter("account", user).wait(policy().account_free, time.time()),
		"locked": locked_until > time.time(),
	}
