"""Password reset that does not tell who has an account.

Frappe's `frappe.core.doctype.user.user.reset_password` answers "not found" (404), "disabled" or "not
allowed" for addresses without a usable account and sends the email inside the request, so both its answer
and its timing say whether an address has an account. This replacement (`override_whitelisted_methods`)
gives every address the same answer at once and leaves the lookup and the email to a background job.

The rest is Frappe's and is checked by tests/security/test_http_password_reset.py: the key is random, kept
only as its SHA-256, works once, expires (System Settings, *Reset Password Link Expiry Duration*, 20 min
by default), and setting the password with it ends the user's other sessions (*Logout On Password Reset*).
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils.password import get_password_reset_limit


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=get_password_reset_limit, seconds=60 * 60)
def reset_password(user: str) -> None:
	frappe.enqueue(
		"customer_portal.accounts.password_reset.send_reset_link",
		queue="short",
		user=(user or "").strip()[:140],
	)
	frappe.msgprint(
		_("If an account exists for this address, we have emailed it instructions to reset its password."),
		title=_("Check Your Email"),
	)


def send_reset_link(user: str) -> None:
	"""RQ job: the reset email, for an enabled account other than the built-in ones; nothing otherwise."""
	name = frappe.db.get_value("User", {"name": user}) or frappe.db.get_value("User", {"email": user})
	if not name or name in frappe.STANDARD_USERS:
		return
	doc = frappe.get_doc("User", name)
	if not doc.enabled:
		return
	doc.validate_reset_password()
	doc.reset_password(send_email=True)
