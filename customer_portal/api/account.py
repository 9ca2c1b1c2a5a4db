"""The signed-in user's own sessions, API tokens and two-factor sign-in (sections of /portal/account)."""

import frappe
from frappe import _
from frappe.core.doctype.user.user import get_timezones
from frappe.rate_limiter import rate_limit

from customer_portal.accounts import api_tokens, personal_data, sessions, two_factor
from customer_portal.activity.log import record
from customer_portal.infra.redis_outage import commit_unless_redis_is_down
from customer_portal.infra.transactions import one_user_save_at_a_time, retry_on_deadlock


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


@frappe.whitelist(methods=["POST"])
def set_language_and_time_zone(language: str, time_zone: str) -> dict:
	"""The user's own language and time zone: portal pages and emails follow them."""
	_require_signed_in()
	if language not in frappe.get_all("Language", filters={"enabled": 1}, pluck="name"):
		frappe.throw(_("Choose one of the languages offered."), title=_("Invalid Language"))
	if time_zone not in get_timezones().get("timezones", []):
		frappe.throw(_("Choose one of the time zones offered."), title=_("Invalid Time Zone"))
	after = {"language": language, "time_zone": time_zone}

	def save() -> dict:
		# the row is locked first: two sessions of one user saving at once wait in turn
		user = frappe.get_doc("User", frappe.session.user, for_update=True)
		before = {key: user.get(key) for key in after}
		user.update(after)
		# a user's own profile fields, validated above (website users have no write permission on User)
		user.save(ignore_permissions=True)
		return before

	with one_user_save_at_a_time():
		before = retry_on_deadlock(save)
		record(
			"Settings Change", "User", frappe.session.user, details={k: [before[k], after[k]] for k in after}
		)
		# Frappe queues a saved User's contact and avatar updates after the commit: not this change's answer
		commit_unless_redis_is_down("Frappe's contact and avatar updates of a saved user")
	return {"url": "/portal/account#locale"}
