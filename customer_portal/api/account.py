"""The signed-in user's own sessions (the *Active sessions* section of /portal/account)."""

import frappe
from frappe import _

from customer_portal.accounts import sessions
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
