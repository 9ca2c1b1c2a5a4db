"""The append-only document access log: every link, download and upload, allowed or refused."""

import frappe

EVENTS = ("Download Link", "Download", "Upload")


def log_access(
	event: str,
	outcome: str,
	document: str | None = None,
	customer: str | None = None,
	version: int | None = None,
	reason: str | None = None,
) -> None:
	"""Record one access. A refusal is kept even when the request that was refused rolls back."""
	request = getattr(frappe.local, "request", None)
	values = {
		"doctype": "Document Access Log",
		"event": event,
		"outcome": outcome,
		"reason": reason,
		"user": frappe.session.user,
		# "" rather than None: Frappe would fill an empty Link with the user's own customer as a default
		"customer": customer or "",
		"document": document or "",
		"version": version,
		"ip_address": getattr(frappe.local, "request_ip", None),
		"user_agent": (request.headers.get("User-Agent") or "")[:1000] if request else None,
	}
	_insert(values)
	if outcome == "Refused" and request:
		if request.method in ("GET", "HEAD"):
			# Frappe discards a failed GET's transaction without a rollback; a refused read wrote
			# nothing but this row, so it is committed now
			frappe.db.commit()
		else:
			# the refusal raises and the request rolls back, taking the row with it: write it again
			frappe.db.after_rollback.add(lambda: _insert(values, commit=True))


def _insert(values: dict, commit: bool = False) -> None:
	# a system-owned record written on the user's behalf: customers may not write the log themselves;
	# a refused probe may name a record that does not exist, so links are not validated
	frappe.get_doc(dict(values)).insert(ignore_permissions=True, ignore_links=True)
	if commit:
		frappe.db.commit()
