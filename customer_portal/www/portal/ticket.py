import frappe
from frappe import _

from customer_portal.notifications.catalogue import portal_path
from customer_portal.portal.context import load_record, portal_context
from customer_portal.portal.listing import attached_files, scoped_rows
from customer_portal.portal.locale import format_local
from customer_portal.tickets.lifecycle import CLOSED, can_reopen, reopen_days

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/tickets")
	if not customer:
		return
	ticket = load_record("Support Ticket", frappe.form_dict.name)
	context.doc = ticket
	context.page_title = _("Ticket {0}").format(ticket.name)
	# through the scoping policy: internal notes and their files never load here
	context.messages = scoped_rows(
		"Support Ticket Message",
		{"ticket": ticket.name},
		["name", "author", "from_customer", "message", "creation"],
		"creation",
	)
	files = attached_files("Support Ticket Message", [row.name for row in context.messages])
	names = {row.author: frappe.utils.get_fullname(row.author) for row in context.messages}
	for row in context.messages:
		row.author_name = names[row.author]
		row.when = format_local(row.creation)
		row.files = files.get(row.name, [])
	context.closed = ticket.status == CLOSED
	context.can_reopen = can_reopen(ticket)
	context.reopen_days = reopen_days()
	context.closed_on = format_local(ticket.closed_on) if ticket.closed_on else None
	if ticket.reference_doctype:
		context.reference_url = portal_path(ticket.reference_doctype, ticket.reference_name)
