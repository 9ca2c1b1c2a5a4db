"""The signed-in user's own sessions, API tokens and two-factor sign-in (sections of /portal/account)."""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from customer_portal.accounts import api_tokens, personal_data, sessions, two_factor
from customer_portal.activity.log import record


def _require_signed_in() -> None:
	if frappe.session.user == "Guest":
		frappe.throw(_("Sign in first."), frappe.PermissionError)


@frappe.whitelist(methods=["POST"])
def sign_out_session(session: str) -> dict:
	_require_signed_in()
	if not sessions.sign_out(session):
		frappe.throw(_("That session has ended already."), frappe.DoesNotExistError)
	record("Logout", "User", frappe.session.user, details={"signed out": "another session"})
	return {"url": "/portal/account#sessions"}


@frappe.whitelist(methods=["POST"])
def sign_out_other_sessions() -> dict:
	_require_signed_in()
	ended = sessions.sign_out()
	record("Logout", "User", frappe.session.user, details={"signed out": f"{ended} other sessions"})
	return {"url": "/portal/account#sessions"}


@frappe.whitelist(methods=["POST"])
def create_api_token(label: str, access: str = "Read Only", expires_on: str | None = None) -> dict:
	_require_signed_in()
	name, token = api_tokens.create(label, access, expires_on)
	record("Settings Change", "Portal API Token", name, details={"created": label, "access": access})
	# shown this once; only its hash is kept
	return {"name": name, "reveal": token}


@frappe.whitelist(methods=["POST"])
def revoke_api_token(name: str) -> dict:
	_require_signed_in()
	api_tokens.revoke(name)
	record("Settings Change", "Portal API Token", name, details={"revoked": True})
	return {"url": "/portal/account#api-tokens"}


@frappe.whitelist(methods=["POST"])
def set_two_factor(on: int | str) -> dict:
	_require_signed_in()
	two_factor.choose(bool(int(on)))
	return {"url": "/portal/account#two-factor"}


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=3, seconds=60 * 60)
def download_my_data() -> dict:
	personal_data.request_download()
	return {"url": "/portal/account?data=download#your-data"}


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=3, seconds=60 * 60)
def request_deactivation() -> dict:
	personal_data.request_deactivation()
	return {"url": "/portal/account?data=deactivation#your-data"}
