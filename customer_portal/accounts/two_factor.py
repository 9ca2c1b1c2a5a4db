"""Two-factor sign-in for portal users, with Frappe's own 2FA (TOTP from an authenticator app).

Frappe asks for a second factor from holders of roles marked *Two Factor Authentication*. The portal has
one such role, *Customer Portal 2FA*, which `portal_access.sync_user_access` grants to a portal user whose
choice it is (`/portal/account`) or whose customer requires it (*Require Two-Factor Sign-in*, set by the
customer's admins on `/portal/users` or by staff on the Customer). Install turns Frappe's 2FA on for the
site with the *OTP App* method if it was off; other users are not affected, since no other role asks for
it. The first sign-in emails the user a QR code for their app (Frappe's flow); every sign-in then needs the
app's current code.
"""

import frappe
from frappe import _

from customer_portal.activity.log import record

DEFAULT_KEY = "customer_portal_two_factor"


def chosen_by(user: str) -> bool:
	return frappe.db.get_default(DEFAULT_KEY, parent=user) == "1"


def required_for(user: str) -> bool:
	from customer_portal.portal_access import get_links

	return any(link.get("require_two_factor") for link in get_links(user))


def choose(on: bool) -> None:
	"""The session user's own choice."""
	from customer_portal.portal_access import sync_user_access

	user = frappe.session.user
	if not on and required_for(user):
		frappe.throw(
			_("Your company requires two-factor sign-in; its admins can change that."),
			title=_("Required"),
		)
	frappe.db.set_default(DEFAULT_KEY, "1" if on else "0", parent=user)
	sync_user_access(user)
	record(
		"Settings Change",
		"User",
		user,
		details={"two-factor sign-in": ["off", "on"] if on else ["on", "off"]},
	)


def require_for_customer(customer: str, required: bool) -> None:
	"""A customer admin's (or staff member's) rule for all of the customer's portal users."""
	from customer_portal.accounts.members import require_admin

	require_admin(customer)
	doc = frappe.get_doc("Customer", customer)
	before = bool(doc.require_two_factor)
	doc.require_two_factor = int(required)
	doc.save()  # on_update syncs every portal user's roles
	record(
		"Settings Change",
		"Customer",
		customer,
		details={"require two-factor sign-in": [before, bool(required)]},
		customer=customer,
	)
