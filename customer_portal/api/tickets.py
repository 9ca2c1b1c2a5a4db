"""Support tickets (tickets/lifecycle.py): customers open, reply, close and reopen from the portal;
staff reply and write internal notes from the ticket form in desk. Attachments download through the
scoping policy."""

import frappe
from frappe.rate_limiter import rate_limit

from customer_portal.activity.log import record
from customer_portal.api.documents import upload_rate_limit
from customer_portal.documents.inert import safe_filename
from customer_portal.documents.serving import file_on_its_way, file_response
from customer_portal.permissions import get_scoped_doc, load_scoped, raise_not_found, require_staff
from customer_portal.tickets import lifecycle
from customer_portal.web.answers import redirect, wants_json

ATTACHMENT_SECONDS = 60


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=upload_rate_limit, seconds=60)
def open_ticket(
	subject: str | None = None,
	message: str | None = None,
	category: str | None = None,
	priority: str | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
):
	"""A new ticket from the portal; attachments are the multipart fields `attachments`."""
	ticket = lifecycle.open_ticket(
		subject, message, category, priority, reference_doctype, reference_name, _uploaded()
	)
	return _answer(ticket)


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=upload_rate_limit, seconds=60)
def reply(ticket: str, message: str | None = None):
	doc = _ticket(ticket)
	lifecycle.reply(doc, message, _uploaded())
	return _answer(doc)


@frappe.whitelist(methods=["POST"])
def close(ticket: str):
	doc = _ticket(ticket)
	lifecycle.close(doc)
	return _answer(doc)


@frappe.whitelist(methods=["POST"])
def reopen(ticket: str):
	doc = _ticket(ticket)
	lifecycle.reopen(doc)
	return _answer(doc)


@frappe.whitelist(methods=["GET"])
@rate_limit(limit=60, seconds=60)
def attachment(name: str):
	"""A file attached to a message of a ticket the user may see (never to an internal note)."""
	file = load_scoped("File", name)
	# through the scoping policy: an internal note (and so its files) does not load for customers
	message = (
		load_scoped("Support Ticket Message", file.attached_to_name)
		if file and file.attached_to_doctype == "Support Ticket Message"
		else None
	)
	if message is None:
		raise_not_found("File", name)
	response = file_response(file.file_url, safe_filename(file.file_name, file.file_url), ATTACHMENT_SECONDS)
	if file_on_its_way(response):
		record("Download", "Support Ticket", message.ticket, details={"file": file.file_name})
		frappe.db.commit()  # a GET: the activity log row is kept
	return response


# --- desk ------------------------------------------------------------------------------------------
@frappe.whitelist(methods=["GET"])
def thread(ticket: str) -> list[dict]:
	"""The whole thread for the ticket form in desk, internal notes included."""
	require_staff()
	frappe.get_doc("Support Ticket", ticket).check_permission("read")
	messages = frappe.get_all(
		"Support Ticket Message",
		filters={"ticket": ticket},
		fields=["name", "author", "from_customer", "internal", "message", "creation"],
		order_by="creation asc",
	)
	files = frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": "Support Ticket Message",
			"attached_to_name": ("in", [row.name for row in messages] or [""]),
		},
		fields=["attached_to_name", "file_name", "file_url"],
	)
	for row in messages:
		row.author_name = frappe.utils.get_fullname(row.author)
		row.files = [file for file in files if file.attached_to_name == row.name]
	return messages


@frappe.whitelist(methods=["POST"])
def staff_reply(ticket: str, message: str, internal: int = 0):
	require_staff()
	doc = frappe.get_doc("Support Ticket", ticket)
	doc.check_permission("write")
	lifecycle.staff_reply(doc, message, internal=bool(frappe.utils.cint(internal)))
	return thread(ticket)


def _ticket(name: str):
	return get_scoped_doc("Support Ticket", name)


def _uploaded() -> list:
	request = frappe.request
	return request.files.getlist("attachments") if request and request.files else []


def _answer(ticket):
	url = f"/portal/tickets/{ticket.name}"
	if not wants_json():
		return redirect(url)
	return {
		"name": ticket.name,
		"status": frappe.db.get_value("Support Ticket", ticket.name, "status"),
		"url": url,
	}
