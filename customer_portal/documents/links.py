"""Short-lived, single-use, session-bound download links. Only a SHA-256 of each token is stored.

A customer asks for a link (the scoping policy must admit the document first), then follows it once,
from the same session, before it expires. Every other use — again, later, from another session or user,
for a document that left the user's scope — is the same "not found", and is logged.
"""

import hashlib
import secrets

import frappe
from frappe.utils import add_to_date, cint, get_datetime, now_datetime

from customer_portal.activity.log import record
from customer_portal.documents.audit import log_access
from customer_portal.permissions import raise_not_found

DEFAULT_MINUTES = 5


def _hash(value: str) -> str:
	return hashlib.sha256(value.encode()).hexdigest()


def session_fingerprint() -> str:
	return _hash(f"{frappe.session.user}:{frappe.session.sid}")


def link_lifetime_minutes() -> int:
	minutes = cint(frappe.db.get_single_value("Customer Portal Settings", "download_link_minutes"))
	return min(max(minutes or DEFAULT_MINUTES, 1), 15)


def issue_link(document, version: int | None = None) -> tuple[str, int]:
	"""A one-time token for `document` (already loaded through the scoping policy) and its lifetime."""
	row = version_row(document, version)
	token = secrets.token_urlsafe(32)
	minutes = link_lifetime_minutes()
	# a system-owned record: the customer never reads or writes link rows, the app does on their behalf
	frappe.get_doc(
		{
			"doctype": "Document Download Link",
			"token_hash": _hash(token),
			"user": frappe.session.user,
			"session_hash": session_fingerprint(),
			"customer": document.customer,
			"document": document.name,
			"version": row.version,
			"file": row.file,
			"expires_on": add_to_date(now_datetime(), minutes=minutes),
		}
	).insert(ignore_permissions=True)
	log_access("Download Link", "Allowed", document.name, document.customer, row.version)
	return token, minutes * 60


def version_row(document, version: int | None = None):
	"""The document's version `version` (the latest by default); any other number is not found."""
	rows = sorted(document.get("versions") or [], key=lambda row: row.version)
	if not rows:
		raise_not_found("Document", document.name)
	if version is None:
		return rows[-1]
	for row in rows:
		if row.version == cint(version):
			return row
	raise_not_found("Document", document.name)


def redeem_link(token: str):
	"""The link row and document of a valid token, claimed so it never works again; else not found."""
	# a locking read: of two concurrent uses of one token, the second waits and then sees it used
	link = frappe.db.get_value(
		"Document Download Link",
		{"token_hash": _hash(token or "")},
		["name", "user", "session_hash", "customer", "document", "version", "file", "expires_on", "used_on"],
		as_dict=True,
		for_update=True,
	)
	reason = _refusal(link)
	document = None
	if not reason:
		try:
			document = frappe.get_doc("Document", link.document)  # scoped: it may have left the user's scope
		except frappe.DoesNotExistError:
			frappe.clear_last_message()
			reason = "document out of scope"
	if reason:
		own = link and link.user == frappe.session.user
		log_access(
			"Download",
			"Refused",
			link.document if own else None,
			link.customer if own else None,
			link.version if own else None,
			reason,
		)
		raise_not_found("Document Download Link", "")
	frappe.db.set_value("Document Download Link", link.name, "used_on", now_datetime(), update_modified=False)
	log_access("Download", "Allowed", link.document, link.customer, link.version)
	record("Download", "Document", link.document, {"version": link.version}, customer=link.customer)
	# the link is followed with a GET, which Frappe would roll back: the claim and the log must stay
	frappe.local.flags.commit = True
	return link, document


def _refusal(link) -> str | None:
	if not link:
		return "unknown link"
	if link.used_on:
		return "already used"
	if get_datetime(link.expires_on) <= now_datetime():
		return "expired"
	if link.user != frappe.session.user:
		return "another user's link"
	if link.session_hash != session_fingerprint():
		return "another session's link"
	return None
