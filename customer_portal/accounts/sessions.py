"""Session policy for portal users, on Frappe's own sessions.

Frappe gives every session the site-wide idle expiry (System Settings, *Session Expiry*, 240 h by default)
and a `sid` cookie that lives as long. A portal on the public internet wants less, so when a customer user
signs in (`on_session_creation`):

- the session's own `session_expiry`, which Frappe checks on every request, becomes the portal's idle
  timeout (Customer Portal Settings, *Idle Timeout*, 30 min; Frappe refreshes a session's last activity at
  most every 10 minutes, so a session ends between that and 10 minutes earlier);
- the session also gets an absolute lifetime (*Session Lifetime*, 12 h) counted from sign-in, enforced
  here in `before_request`;
- the `sid` cookie lasts as long as the browser session, unless the user ticked *Remember me* on the login
  page: then it and the idle timeout last *Remember Me Days* (14), still within a lifetime of that length;
- sessions beyond the user's limit (Frappe's *Simultaneous Sessions* on the User) end, oldest first.

Frappe already gives a new session id at every sign-in and keeps the cookie HttpOnly and SameSite=Lax.
"""

import ast
import hashlib
import time

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.sessions import clear_sessions, delete_session, get_expiry_in_seconds
from frappe.utils import cint

from customer_portal.permissions import get_permitted_customers

REMEMBER_COOKIE = "cp_remember_me"


def policy() -> frappe._dict:
	settings = frappe.get_cached_doc("Customer Portal Settings")
	return frappe._dict(
		idle_minutes=cint(settings.get("portal_idle_minutes")) or 30,
		lifetime_hours=cint(settings.get("portal_session_hours")) or 12,
		remember_days=cint(settings.get("remember_me_days")) or 14,
	)


def is_portal_user(user: str) -> bool:
	return user not in ("Guest", "Administrator") and get_permitted_customers(user) is not None


def _hms(seconds: int) -> str:
	return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def on_session_creation(login_manager) -> None:
	"""`on_session_creation`: a customer user's new session gets the portal's limits."""
	if is_portal_user(login_manager.user):
		limit_session(login_manager.user)


def limit_session(user: str) -> None:
	rules = policy()
	remember = frappe.request.cookies.get(REMEMBER_COOKIE) == "1" if frappe.request else False
	idle = rules.remember_days * 86400 if remember else rules.idle_minutes * 60
	lifetime = rules.remember_days * 86400 if remember else rules.lifetime_hours * 3600
	data = frappe.local.session.data
	data.session_expiry = _hms(idle)
	data.portal_session = {
		"started": time.time(),
		"lifetime": lifetime,
		"remember": remember,
		"device": (frappe.get_request_header("User-Agent") or "")[:200],
	}
	frappe.local.session_obj.update(force=True)
	# Frappe trims to the user's Simultaneous Sessions only when the whole site denies multiple sessions
	clear_sessions(user, keep_current=True)


def enforce() -> None:
	"""`before_request`: a portal session past its lifetime or idle time ends here."""
	session = getattr(frappe.local, "session", None)
	if not session or session.user in (None, "Guest"):
		return
	portal = (session.data or {}).get("portal_session")
	if not portal:
		# Frappe runs `on_session_creation` for password sign-ins only: a session started otherwise (a
		# password reset, an accepted invitation) gets the limits at its first request
		if is_portal_user(session.user):
			limit_session(session.user)
		return
	now = time.time()
	expired = now - portal["started"] > portal["lifetime"]
	last = frappe.utils.get_datetime((session.data or {}).get("last_updated"))
	idle = frappe.utils.time_diff_in_seconds(frappe.utils.now_datetime(), last)
	if expired or idle > get_expiry_in_seconds(session.data.get("session_expiry")):
		delete_session(session.sid, session.user, reason="Session Expired")
		frappe.local.session_expired_by_portal = True
		raise frappe.SessionExpired(_("Your session has ended. Please sign in again."))


def set_cookie_lifetime(response=None, request=None) -> None:
	"""`after_request`: a portal session's `sid` cookie ends with the browser session unless the user
	asked to be remembered (Frappe sets it to the site-wide expiry on every response)."""
	session = getattr(frappe.local, "session", None)
	portal = (session.data or {}).get("portal_session") if session else None
	if not portal or not getattr(frappe.local, "cookie_manager", None) or not session.sid:
		return
	max_age = (
		max(0, int(portal["started"] + portal["lifetime"] - time.time())) if portal["remember"] else None
	)
	frappe.local.cookie_manager.set_cookie("sid", session.sid, max_age=max_age, httponly=True)


# the user's own sessions, for /portal/account ---------------------------------------------------------


def handle(sid: str) -> str:
	"""A session's public name: never the id itself, which is a bearer credential."""
	return hashlib.sha256(f"customer-portal-session\n{sid}".encode()).hexdigest()[:20]


def my_sessions() -> list[dict]:
	sessions = frappe.qb.DocType("Sessions")
	rows = (
		frappe.qb.from_(sessions)
		.select(sessions.sid, sessions.sessiondata, sessions.lastupdate)
		.where((sessions.user == frappe.session.user) & (sessions.status == "Active"))
		.orderby(sessions.lastupdate, order=Order.desc)
		.limit(50)
		.run(as_dict=True)
	)
	found = []
	for row in rows:
		data = _session_data(row.sessiondata)
		portal = data.get("portal_session") or {}
		found.append(
			frappe._dict(
				handle=handle(row.sid),
				current=row.sid == frappe.session.sid,
				ip=data.get("session_ip") or "",
				device=portal.get("device") or "",
				last_active=row.lastupdate,
			)
		)
	return found


def _session_data(text: str | None) -> frappe._dict:
	"""A stored session's data: Frappe writes it as a dict's repr, which `ast.literal_eval` reads without
	compiling restricted code (Frappe's own `safe_eval` costs about 0.3 ms a row); anything not a literal
	falls back to it."""
	try:
		return frappe._dict(ast.literal_eval(text or "{}"))
	except (ValueError, SyntaxError, TypeError):
		return frappe._dict(frappe.safe_eval(text or "{}"))


def sign_out(session_handle: str | None = None) -> int:
	"""End one of the user's other sessions (by handle), or all of them; returns how many ended."""
	if session_handle is None:
		others = len([row for row in my_sessions() if not row.current])
		clear_sessions(frappe.session.user, keep_current=True, force=True)
		return others
	sessions = frappe.qb.DocType("Sessions")
	for sid in (
		frappe.qb.from_(sessions)
		.select(sessions.sid)
		.where(sessions.user == frappe.session.user)
		.run(pluck=True)
	):
		if sid != frappe.session.sid and handle(sid) == session_handle:
			delete_session(sid, frappe.session.user, reason="Signed out from another device")
			return 1
	return 0
