"""Named API tokens for portal users (integrations: an ERP pulling invoices, a script fetching documents).

Frappe's own API key and secret are one pair per user, without a name, an expiry or a read-only mode, so
they do not meet the bar. A Portal API Token is shown once (`cpt_` + 43 random characters), stored only as
its SHA-256, read-only or read-write, optionally expiring, and revocable one by one.

A request sends `Authorization: Bearer cpt_...`; `authenticate` (an `auth_hooks` entry) makes it that
user's request, so it goes through exactly the same scoping policy as the user's browser. A read-only
token may only GET/HEAD, and `permissions.has_permission` refuses it every write-type permission as well,
so a state-changing GET endpoint cannot be used either. Every use records when and from where (at most
once a minute per token, so polling integrations do not write on every request).
"""

import hashlib
import secrets

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.utils import getdate, now_datetime, time_diff_in_seconds, today

from customer_portal.permissions import get_permitted_customers, portal_write

PREFIX = "cpt_"
ACCESS = ("Read Only", "Read and Write")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LAST_USED_EVERY_SECONDS = 60


def token_hash(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


def create(label: str, access: str = "Read Only", expires_on: str | None = None) -> tuple[str, str]:
	"""A new token of the session user; returns (its name, the token itself, shown this once)."""
	user = frappe.session.user
	if user == "Guest" or get_permitted_customers(user) is None:
		frappe.throw(_("API tokens are for customer portal users."), frappe.PermissionError)
	label = (label or "").strip()[:140]
	if not label:
		frappe.throw(
			_("Give the token a name, such as the system that will use it."), title=_("Name Missing")
		)
	if access not in ACCESS:
		frappe.throw(_("Choose Read Only or Read and Write."), title=_("Invalid Access"))
	if expires_on and getdate(expires_on) <= getdate(today()):
		frappe.throw(_("The expiry date must be in the future."), title=_("Invalid Expiry"))
	token = PREFIX + secrets.token_urlsafe(32)
	with portal_write("Portal API Token"):
		doc = frappe.get_doc(
			{
				"doctype": "Portal API Token",
				"user": user,
				"label": label,
				"access": access,
				"expires_on": expires_on or None,
				"status": "Active",
				"prefix": token[: len(PREFIX) + 6],
				"token_hash": token_hash(token),
			}
		).insert()
	return doc.name, token


def revoke(name: str) -> None:
	with portal_write("Portal API Token"):
		doc = frappe.get_doc("Portal API Token", name)  # another user's: not found
		doc.status = "Revoked"
		doc.save()


def my_tokens() -> list[dict]:
	"""The session user's active tokens, newest first (their own rows only, by the filter on `user`)."""
	tokens = frappe.qb.DocType("Portal API Token")
	return (
		frappe.qb.from_(tokens)
		.select(
			tokens.name,
			tokens.label,
			tokens.access,
			tokens.expires_on,
			tokens.prefix,
			tokens.last_used_on,
			tokens.last_used_ip,
			tokens.creation,
		)
		.where((tokens.user == frappe.session.user) & (tokens.status == "Active"))
		.orderby(tokens.creation, order=Order.desc)
		.run(as_dict=True)
	)


def authenticate() -> None:
	"""`auth_hooks`: a request carrying a portal API token becomes its user's request."""
	header = frappe.get_request_header("Authorization") or ""
	scheme, _space, token = header.partition(" ")
	if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 100:
		return
	row = frappe.db.get_value(
		"Portal API Token",
		{"token_hash": token_hash(token)},
		["name", "user", "access", "expires_on", "status", "last_used_on"],
		as_dict=True,
	)
	if not row or row.status != "Active" or (row.expires_on and getdate(row.expires_on) < getdate(today())):
		return  # Frappe answers 401: an Authorization header that signed nobody in
	if not frappe.db.get_value("User", row.user, "enabled"):
		return
	if row.access == "Read Only" and frappe.request.method not in SAFE_METHODS:
		raise frappe.PermissionError(_("This API token is read-only."))
	form_dict = frappe.local.form_dict
	frappe.set_user(row.user)
	frappe.local.form_dict = form_dict
	frappe.local.flags.api_token_read_only = row.access == "Read Only"
	if (
		not row.last_used_on
		or time_diff_in_seconds(now_datetime(), row.last_used_on) > LAST_USED_EVERY_SECONDS
	):
		frappe.db.set_value(
			"Portal API Token",
			row.name,
			{"last_used_on": now_datetime(), "last_used_ip": frappe.local.request_ip},
			update_modified=False,
		)
		frappe.db.commit()


def read_only_request() -> bool:
	return bool(frappe.local.flags.get("api_token_read_only"))
