"""Each portal user's language and time zone (User *Language* and *Time Zone*, set on /portal/account).

Frappe chooses a website request's language before it loads the session (`HTTPRequest.set_lang`), from
the browser's cookie and Accept-Language, so a signed-in website user's own language would never apply;
`use_user_language` (a `before_request` hook) applies it once the session is known. Stored times are in
the system time zone; `format_local` shows them in the user's. Emails use the same (notifications/emails.py).
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import frappe
from frappe.utils import format_datetime, get_datetime, get_system_timezone


def use_user_language() -> None:
	"""`before_request`: a signed-in user's own language, if they chose one."""
	user = getattr(frappe.local, "session", None) and frappe.session.user
	if user and user != "Guest":
		language = frappe.get_cached_value("User", user, "language")
		if language:
			frappe.local.lang = language


def user_zone(user: str | None = None) -> ZoneInfo:
	zone = frappe.get_cached_value("User", user or frappe.session.user, "time_zone")
	try:
		return ZoneInfo(zone or get_system_timezone())
	except (ZoneInfoNotFoundError, ValueError):
		return ZoneInfo(get_system_timezone())


def local_time(value, zone: ZoneInfo):
	"""A stored (system time zone) datetime as wall-clock time in `zone`, without tzinfo."""
	system = ZoneInfo(get_system_timezone())
	return get_datetime(value).replace(tzinfo=system).astimezone(zone).replace(tzinfo=None)


def format_local(value, format: str = "medium", user: str | None = None) -> str:
	"""A stored datetime for display, in the user's time zone ("" for none)."""
	if not value:
		return ""
	return format_datetime(local_time(value, user_zone(user)), format)
