"""Support tickets: opening one about a record, the thread, closing and reopening.

A Support Ticket belongs to a customer; its thread is Support Ticket Message rows, written by the
customer's users in the portal (api/tickets.py) and by staff in desk (the ticket form's Reply and
Internal Note buttons). A message staff mark *Internal Note* is staff-only for good: the scoping policy
(`permissions.STAFF_ONLY_FLAG`) keeps it, and files attached to it, off every customer path.

A ticket opened from an order, invoice or document page carries that record, loaded through the scoping
policy (another customer's record is the usual "not found"), and a line of what support needs to know
about it at that moment (the order's stage, the invoice's balance). Status follows the thread: a
customer's message makes a ticket Open, a staff reply Answered and raises the "Ticket Reply" portal
event. A customer may close a ticket, and reopen it within *Reopen Window (Days)* of its closing.
"""

import frappe
from frappe import _
from frappe.utils import add_days, cint, get_datetime, now_datetime

from customer_portal.activity.log import record
from customer_portal.documents.uploads import DEFAULT_MAX_MB, UploadPolicy, check_upload, parse_kinds
from customer_portal.notifications.account_emails import send_account_email
from customer_portal.notifications.catalogue import TICKET_REPLY
from customer_portal.notifications.events import raise_events
from customer_portal.permissions import (
	get_active_customer,
	get_permitted_customers,
	get_scoped_doc,
	is_unrestricted,
	portal_write,
	raise_not_found,
)
from customer_portal.portal.context import section_on
from customer_portal.portal.formatting import day, money

OPEN, ANSWERED, CLOSED = "Open", "Answered", "Closed"
PRIORITIES = ("Low", "Medium", "High", "Urgent")
REFERENCE_DOCTYPES = ("Order", "Invoice", "Document")
MAX_SUBJECT = 200
MAX_MESSAGE = 20000
MAX_ATTACHMENTS = 5
DEFAULT_REOPEN_DAYS = 7


class TicketClosed(frappe.ValidationError):
	pass


def categories() -> list[dict]:
	"""Categories a new ticket may take, in the admins' order (retired ones left out)."""
	return frappe.get_all(
		"Ticket Category",
		filters={"retired": 0},
		fields=["name", "description"],
		order_by="sort_order asc, name asc",
	)


def reopen_days() -> int:
	value = frappe.get_cached_doc("Customer Portal Settings").get("ticket_reopen_days")
	return DEFAULT_REOPEN_DAYS if value is None else cint(value)


def can_reopen(ticket) -> bool:
	if ticket.status != CLOSED:
		return False
	closed = get_datetime(ticket.closed_on or ticket.modified)
	return now_datetime() <= add_days(closed, reopen_days())


# --- the record a ticket is about ------------------------------------------------------------------
def load_reference(doctype: str | None, name: str | None):
	"""The record a ticket is about, through the scoping policy; None when there is none."""
	if not doctype and not name:
		return None
	if doctype not in REFERENCE_DOCTYPES or not name:
		raise_not_found(doctype or _("Record"), name)
	return get_scoped_doc(doctype, name)


def reference_context(doc) -> str:
	"""What support needs to know about the record when the ticket is opened."""
	if doc.doctype == "Order":
		return _("Order {0} ({1}): stage {2}, expected {3}").format(
			doc.name, doc.title, _(doc.stage or ""), day(doc.expected_date) or "-"
		)
	if doc.doctype == "Invoice":
		return _("Invoice {0}: {1}, total {2}, outstanding {3}, due {4}").format(
			doc.name, _(doc.status or ""), money(doc.total), money(doc.outstanding_amount), day(doc.due_date)
		)
	return _("Document {0} ({1}): {2}, version {3}").format(
		doc.name, _(doc.document_type or ""), doc.title, doc.version or 1
	)


# --- opening, replying, closing ---------------------------------------------------------------------
def open_ticket(
	subject: str | None,
	message: str | None,
	category: str | None = None,
	priority: str | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	files: list | None = None,
):
	"""A customer user's new ticket (for the record's customer, or the active one) with its first
	message; returns the ticket."""
	if get_permitted_customers() is None:
		frappe.throw(_("Staff open tickets in desk."), frappe.PermissionError)
	if not section_on("/portal/tickets"):
		frappe.throw(_("Support tickets are not open on this portal."), frappe.PermissionError)
	reference = load_reference(reference_doctype, reference_name)
	customer = reference.customer if reference else get_active_customer()
	if not customer:
		raise_not_found("Customer", "")
	subject = clean_subject(subject)
	message = clean_message(message)
	attachments = check_attachments(files)
	if category and category not in {row.name for row in categories()}:
		frappe.throw(_("Choose one of the listed categories."), title=_("Unknown Category"))
	with portal_write("Support Ticket"), portal_write("Support Ticket Message"):
		ticket = frappe.get_doc(
			{
				"doctype": "Support Ticket",
				"customer": customer,
				"subject": subject,
				"category": category or None,
				"priority": priority if priority in PRIORITIES else "Medium",
				"status": OPEN,
				"raised_by": frappe.session.user,
				"reference_doctype": reference.doctype if reference else None,
				"reference_name": reference.name if reference else None,
				"reference_context": reference_context(reference) if reference else None,
			}
		).insert()
		post_message(ticket, message, attachments)
	record("Ticket Submitted", "Support Ticket", ticket.name, customer=customer)
	ticket.reload()  # the message moved its status and time on
	return ticket


def reply(ticket, message: str | None, files: list | None = None):
	"""A customer user's message on an open ticket (`ticket` loaded through the scoping policy)."""
	if ticket.status == CLOSED:
		frappe.throw(
			_("This ticket is closed. Reopen it to write again, or open a new ticket."),
			TicketClosed,
			title=_("Ticket Closed"),
		)
	message = clean_message(message)
	attachments = check_attachments(files)
	with portal_write("Support Ticket"), portal_write("Support Ticket Message"):
		return post_message(ticket, message, attachments)


def staff_reply(ticket, message: str | None, internal: bool = False):
	"""A staff reply (or internal note) from desk."""
	return post_message(ticket, clean_message(message), [], internal=internal)


def post_message(ticket, message: str, attachments: list, internal: bool = False):
	doc = frappe.get_doc(
		{
			"doctype": "Support Ticket Message",
			"ticket": ticket.name,
			"customer": ticket.customer,
			"message": message,
			"internal": 1 if internal else 0,
		}
	).insert()
	# the files were checked (check_attachments): the File window lets a customer's user store them
	for file_name, content in attachments:
		with portal_write("File"):
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": file_name,
					"is_private": 1,
					"content": content,
					"attached_to_doctype": doc.doctype,
					"attached_to_name": doc.name,
				}
			).insert()
	return doc


def close(ticket) -> None:
	ticket.reload()  # the thread may have moved it on since it was loaded
	with portal_write("Support Ticket"):
		ticket.status = CLOSED
		ticket.closed_on = now_datetime()
		ticket.closed_by = frappe.session.user
		ticket.save()
	record("Ticket Submitted", "Support Ticket", ticket.name, details={"closed": True})


def reopen(ticket) -> None:
	ticket.reload()
	if not can_reopen(ticket):
		frappe.throw(
			_("This ticket was closed more than {0} days ago. Open a new ticket instead.").format(
				reopen_days()
			),
			TicketClosed,
			title=_("Cannot Reopen"),
		)
	with portal_write("Support Ticket"):
		ticket.status = OPEN
		ticket.closed_on = None
		ticket.closed_by = None
		ticket.save()
	record("Ticket Submitted", "Support Ticket", ticket.name, details={"reopened": True})


# --- input ------------------------------------------------------------------------------------------
def clean_subject(subject: str | None) -> str:
	subject = " ".join((subject or "").split())
	if not subject:
		frappe.throw(_("Give the ticket a subject."), title=_("Subject Missing"))
	if len(subject) > MAX_SUBJECT:
		frappe.throw(
			_("Keep the subject under {0} characters.").format(MAX_SUBJECT), title=_("Subject Too Long")
		)
	return subject


def clean_message(message: str | None) -> str:
	message = (message or "").replace("\r\n", "\n").strip()
	if not message:
		frappe.throw(_("Write a message."), title=_("Message Missing"))
	if len(message) > MAX_MESSAGE:
		frappe.throw(
			_("Keep a message under {0} characters.").format(MAX_MESSAGE), title=_("Message Too Long")
		)
	return message


def attachment_policy() -> UploadPolicy:
	settings = frappe.get_cached_doc("Customer Portal Settings")
	kinds = parse_kinds(settings.get("ticket_attachment_types")) or ("pdf", "png", "jpg")
	max_mb = cint(settings.get("upload_max_mb")) or DEFAULT_MAX_MB
	return UploadPolicy("Support Ticket", kinds, max_mb * 1024 * 1024, label=_("ticket attachments"))


def check_attachments(files: list | None) -> list[tuple[str, bytes]]:
	"""(clean name, content) of each uploaded file, checked as document uploads are; refused whole."""
	files = [file for file in files or () if file and file.filename]
	if len(files) > MAX_ATTACHMENTS:
		frappe.throw(
			_("Attach at most {0} files to one message.").format(MAX_ATTACHMENTS),
			title=_("Too Many Files"),
		)
	policy = attachment_policy()
	checked = []
	for file in files:
		content = file.stream.read(policy.max_bytes + 1)
		name, _kind = check_upload(file.filename, content, policy)
		checked.append((name, content))
	return checked


# --- controller hooks -------------------------------------------------------------------------------
def validate_ticket(doc) -> None:
	"""Support Ticket.validate: the record it is about is one of the customer's."""
	if doc.reference_doctype and doc.reference_doctype not in REFERENCE_DOCTYPES:
		frappe.throw(_("A ticket can be about an order, an invoice or a document."))
	if doc.reference_doctype and doc.reference_name:
		owner = frappe.db.get_value(doc.reference_doctype, doc.reference_name, "customer")
		if owner != doc.customer:
			frappe.throw(
				_("{0} {1} belongs to another customer.").format(_(doc.reference_doctype), doc.reference_name)
			)
	if doc.category and (doc.is_new() or doc.has_value_changed("category")):
		if frappe.db.get_value("Ticket Category", doc.category, "retired"):
			frappe.throw(_("The category {0} is retired.").format(doc.category))
	if doc.status != CLOSED:
		doc.closed_on = doc.closed_by = None


def prepare_message(doc) -> None:
	"""Support Ticket Message.before_insert: author, side, and the ticket's customer."""
	doc.customer = frappe.db.get_value("Support Ticket", doc.ticket, "customer")
	doc.author = frappe.session.user
	doc.from_customer = 0 if is_unrestricted() else 1
	if doc.from_customer:
		doc.internal = 0


def message_added(doc) -> None:
	"""Support Ticket Message.after_insert: the ticket's status follows the thread; a staff reply
	reaches the customer's users as a "Ticket Reply" event."""
	if doc.internal:
		return
	ticket = frappe.db.get_value(
		"Support Ticket", doc.ticket, ["name", "subject", "status", "customer"], as_dict=True
	)
	status = ticket.status
	if ticket.status != CLOSED:
		status = OPEN if doc.from_customer else ANSWERED
	# bookkeeping that follows a message the user was allowed to post
	frappe.db.set_value("Support Ticket", doc.ticket, {"status": status, "last_message_on": doc.creation})
	if doc.from_customer:
		tell_staff(ticket, doc)
		return
	raise_events(
		[
			{
				"event_type": TICKET_REPLY,
				"customer": ticket.customer,
				"reference_doctype": "Support Ticket",
				"reference_name": ticket.name,
				"subject": _("New reply on ticket {0}: {1}").format(ticket.name, ticket.subject),
				"key": f"ticket-reply:{doc.name}",
				"details": {"excerpt": doc.message[:300]},
			}
		]
	)


def tell_staff(ticket, message) -> None:
	"""A customer's message goes by email to the customer's account manager (or the support address)."""
	manager = frappe.db.get_value("Customer", ticket.customer, "account_manager")
	recipient = manager or frappe.get_cached_doc("Customer Portal Settings").get("support_email")
	if not recipient:
		return
	send_account_email(
		"customer_portal_ticket_message",
		[recipient],
		{
			"ticket": ticket.name,
			"customer": ticket.customer,
			"subject": ticket.subject,
			"author": frappe.utils.get_fullname(message.author),
			"message": message.message,
			"link": frappe.utils.get_url(f"/app/support-ticket/{ticket.name}"),
		},
		reference_doctype="Support Ticket",
		reference_name=ticket.name,
	)
