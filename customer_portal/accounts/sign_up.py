"""Self sign-up: off unless admins turn it on, then with email verification, and never a customer.

Frappe's `sign_up` is open whenever Website Settings allow it, answers "Already Registered" for a known
address and sends its email inside the request, so it tells who has an account. This replacement
(`override_whitelisted_methods`) is closed unless Customer Portal Settings *Allow Sign-up* is ticked (the
setting also keeps Frappe's *Disable Signup* in step, which shows or hides the login page's link), gives
every address the same answer, is rate-limited per client address, and leaves the email to a background
job. A new account is a Website User with no password of its own until it follows the emailed link (that
is the email verification) and with no customer: it sees nothing until staff link it to one. A customer is
never created or guessed from an email address.
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import escape_html, random_string, validate_email_address


def sign_up_allowed() -> bool:
	return bool(frappe.get_cached_doc("Customer Portal Settings").get("allow_sign_up"))


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=5, seconds=60 * 60)
def sign_up(email: str, full_name: str, redirect_to: str | None = None) -> tuple[int, str]:
	if not sign_up_allowed():
		frappe.throw(
			_("Sign-up is not open. Ask your account manager for an invitation."), title=_("Not Allowed")
		)
	email = (email or "").strip().lower()
	full_name = (full_name or "").strip()[:140]
	if not validate_email_address(email) or not full_name:
		frappe.throw(_("Enter your name and a valid email address."), title=_("Details Missing"))
	if not frappe.db.exists("User", {"email": email}):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": escape_html(full_name),
				"enabled": 1,
				# unknown to anyone: the account gets its own password through the emailed link
				"new_password": random_string(32),
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		)
		user.flags.ignore_password_policy = True
		# a guest creates its own account, as Frappe's sign-up does
		user.insert(ignore_permissions=True)
		frappe.enqueue(
			"customer_portal.accounts.sign_up.send_verification",
			queue="short",
			user=user.name,
			enqueue_after_commit=True,
		)
	return 1, _("If this address can be registered, we have emailed it a link to choose a password.")


def send_verification(user: str) -> None:
	"""RQ job: Frappe's welcome email, whose link to set a password proves the address."""
	doc = frappe.get_doc("User", user)
	if doc.enabled and not doc.last_login:
		doc.send_welcome_mail_to_user()


def keep_website_settings_in_step(settings, method=None) -> None:
	"""`on_update` of Customer Portal Settings: Frappe's login page shows its sign-up link by this."""
	disable = 0 if settings.get("allow_sign_up") else 1
	if frappe.db.get_single_value("Website Settings", "disable_signup") != disable:
		frappe.db.set_single_value("Website Settings", "disable_signup", disable)
		frappe.clear_cache()
