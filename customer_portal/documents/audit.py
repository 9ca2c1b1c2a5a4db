"""The append-only document access log: every link, download and upload, allowed or refused."""

import frappe

from customer_portal.infra.durable import insert_durably, request_origin

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
	insert_durably(
		{
			"doctype": "Document Access Log",
			"event": event,
			"outcome": outcome,
			"reason": reason,
			"user": frappe.session.user,
			# "" rather than None: Frappe would fill an empty Link with the user's own customer as a default
			"customer": customer or "",
			"document": document or "",
			"version": version,
			**request_origin(),
		},
		refused=outcome == "Refused",
	)
