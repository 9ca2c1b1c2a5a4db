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
from customer_portal.portal.listing import scoped_rows

DEFAULT_MINUTES = 5


def _hash(value: str) -> str:
	return hashlib.sha256(value.encode()).hexdigest()


def session_fingerprint() -> str:
	return _hash(f"{frappe.session.user}:{frappe.session.sid}")


def link_lifetime_minutes() -> int:
	# the cached settings (Frappe drops them when they are saved): reading the single's value loaded its
	# metadata and queried it on every link
	minutes = cint(frappe.get_cached_doc("Customer Portal Settings").download_link_minutes)
	return min(max(minutes or DEFAULT_MINUTES, 1), 15)


def issue_link(document, version: int | None = None) -> tuple[str, int]:
	"""A one-time token for `document` (read through the scoping policy: a Document or `downloadable`'s
	row) and its lifetime."""
	row = version_row(document, version)
	token = secrets.token_urlsafe(32)
	minutes = link_lifetime_minutes()
	# a system-owned record: the customer never reads or writes link rows, the app does on their behalf,
	# from values it has just checked, so it is one INSERT (as the access log's rows are, infra/durable.py)
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
	).db_insert()
	log_access("Download Link", "Allowed", document.name, document.customer, row.version)
	return token, minutes * 60


def downloadable(name: str) -> frappe._dict:
	"""The document `name` as a link needs it (name, customer, versions), read through the scope in two
	queries; a document outside the scope is not found. Loading the whole document (every field, its
	metadata and each version as a document) was a third of asking for a link."""
	found = scoped_rows("Document", {"name": name}, ["name", "customer"], "name")
	if not found:
		raise_not_found("Document", name)
	versions = frappe.qb.DocType("Document Version")
	found[0].versions = (
		frappe.qb.from_(versions)
		.select(versions.version, versions.file)
		.where(
			(versions.parent == name)
			& (versions.parenttype == "Document")
			& (versions.parentfield == "versions")
		)
		.run(as_dict=True)
	)
	return found[0]


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
	link, document = open_link(token)
	claim_link(link)
	return link, document


def open_link(token: str):
	"""The link row and document of a valid token, not yet claimed (the row stays locked until the
	request commits or rolls back); else not found, logged."""
	# a locking read: of two concurrent uses of one token, the second waits and then sees it used
	# (query builder: frappe.db.get_value runs each field name through sqlparse, a fifth of the request)
	links = frappe.qb.DocType("Document Download Link")
	found = (
		frappe.qb.from_(links)
		.select(
			links.name,
			links.user,
			links.session_hash,
			links.customer,
			links.document,
			links.version,
			links.file,
			links.expires_on,
			links.used_on,
		)
		.where(links.token_hash == _hash(token or ""))
		.for_update()
		.run(as_dict=True)
	)
	link = found[0] if found else None
	reason = _refusal(link)
	document = None
	if not reason:
		# read through the scope: the document may have left the user's scope since the link was issued
		found = scoped_rows("Document", {"name": link.document}, ["name", "customer", "title"], "name")
		document = found[0] if found else None
		reason = None if document else "document out of scope"
	if reason:
		refuse_link(link, reason)
	return link, document


def refuse_link(link, reason: str):
	"""Log a refused use of `link` (the document only if the link is the user's own) and answer not found."""
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


def claim_link(link) -> None:
	"""Spend the link and log the download."""
	frappe.db.set_value("Document Download Link", link.name, "used_on", now_datetime(), update_modified=False)
	log_access("Download", "Allowed", link.document, link.customer, link.version)
	record("Download", "Document", link.document, {"version": link.version}, customer=link.customer)
	# the link is followed with a GET, which Frappe would roll back: the claim and the log must stay
	frappe.local.flags.commit = True


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
