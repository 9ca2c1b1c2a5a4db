"""Rows that must outlive the request that writes them: audit and activity entries, refusals included."""

import frappe

_PENDING = "customer_portal_durable_rows"


def insert_durably(values: dict, refused: bool = False) -> None:
	"""Insert a system-written row (the user may not write the log themselves; a refused probe may name a
	record that does not exist, so links are not validated).

	Frappe commits a successful request's transaction, but a GET's only on request, and a failed one's
	never: a GET's row is committed now (it wrote nothing else), and a refusal that will roll its request
	back is written again after the rollback."""
	_insert(values)
	request = getattr(frappe.local, "request", None)
	if not request:
		return
	if request.method in ("GET", "HEAD"):
		frappe.db.commit()
	elif refused:
		# one callback for all of them (a commit inside a callback drops the callbacks after it), registered
		# again after any commit, which clears Frappe's rollback callbacks along with what they would redo
		if _insert_pending not in frappe.db.after_rollback._functions:
			setattr(frappe.local, _PENDING, [])
			frappe.db.after_rollback.add(_insert_pending)
		getattr(frappe.local, _PENDING).append(values)


def request_origin() -> dict:
	"""The IP address and user agent of the current request, if any."""
	request = getattr(frappe.local, "request", None)
	return {
		"ip_address": getattr(frappe.local, "request_ip", None),
		"user_agent": (request.headers.get("User-Agent") or "")[:1000] if request else None,
	}


def _insert(values: dict) -> None:
	"""One INSERT, the way Frappe writes its own Access Log (`db_insert`): the rows are written by the app,
	from values it chose, and are append-only, so there is nothing for a controller, a link check or a
	document hook to do. Frappe's full `insert` ran all of them (defaults, every `*` doc event, energy-point
	and assignment rules, notifications) and was a third of a record page, which writes a View entry."""
	frappe.get_doc(dict(values)).db_insert()


def _insert_pending() -> None:
	pending = getattr(frappe.local, _PENDING, None) or []
	setattr(frappe.local, _PENDING, None)
	for values in pending:
		_insert(values)
	if pending:
		frappe.db.commit()
