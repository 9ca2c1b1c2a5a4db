"""A portal user's notifications and notification preferences, and the emails' one-click unsubscribe."""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, now_datetime

from customer_portal.activity.log import record
from customer_portal.notifications.catalogue import EVENT_TYPES
from customer_portal.notifications.emails import verify_unsubscribe
from customer_portal.notifications.inbox import unread_count
from customer_portal.notifications.preferences import Preference, set_preferences, user_preferences
from customer_portal.permissions import get_permitted_customers, get_scope
from customer_portal.web.answers import redirect, wants_json


def _require_portal_user() -> None:
	if frappe.session.user == "Guest" or get_permitted_customers() is None:
		frappe.throw(_("Notifications are for customer portal users."), frappe.PermissionError)


@frappe.whitelist(methods=["POST"])
def mark_read(names: str | list | None = None, all: int = 0):
	"""Mark the session user's notifications read: the given ones, or all of them."""
	_require_portal_user()
	notification = frappe.qb.DocType("Portal Notification")
	where = get_scope("Portal Notification").criterion(notification) & (notification.is_read == 0)
	if not cint(all):
		names = frappe.parse_json(names) if isinstance(names, str) and names.startswith("[") else names
		names = [names] if isinstance(names, str) else list(names or [])
		if not names:
			frappe.throw(_("Choose the notifications to mark as read."), title=_("Nothing Selected"))
		where &= notification.name.isin(names[:500])
	# the scope in the WHERE clause: another user's notification is simply not matched
	frappe.qb.update(notification).set(notification.is_read, 1).set(
		notification.read_on, now_datetime()
	).where(where).run()
	if not wants_json():
		return redirect("/portal/notifications")
	return {"unread": unread_count()}


@frappe.whitelist(methods=["POST"])
def save_preferences(**values):
	"""Store the session user's choices from the preferences form (email_<n> and portal_<n> per type)."""
	_require_portal_user()
	changes = {}
	for index, event_type in enumerate(EVENT_TYPES):
		email = values.get(f"email_{index}")
		if email is None:
			continue
		changes[event_type] = Preference(email, bool(cint(values.get(f"portal_{index}"))))
	changed = set_preferences(frappe.session.user, changes)
	if changed:
		record("Preference Change", "User", frappe.session.user, details=changed)
	redirect("/portal/notifications/preferences?saved=1")


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60)
def unsubscribe(user: str, type: str, token: str):
	"""One click from an email: that user stops getting that event type by email. No login: the token
	is an HMAC of (purpose, user, event type), so it works for nothing else."""
	if not verify_unsubscribe(user, type, token):
		frappe.respond_as_web_page(
			_("Invalid Link"),
			_("This unsubscribe link is not valid. Change your notification settings in the portal instead."),
			http_status_code=400,
			indicator_color="red",
		)
		return
	current = user_preferences(user)[type]
	changed = set_preferences(user, {type: Preference("Off", current.in_portal)})
	if changed:
		record("Preference Change", "User", user, details=changed, user=user)
	frappe.respond_as_web_page(
		_("Unsubscribed"),
		_("You will no longer get emails about {0}. You can turn them on again in the portal.").format(
			_(type)
		),
		indicator_color="green",
	)
