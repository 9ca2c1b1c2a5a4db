import frappe
from frappe import _, form_dict

from customer_portal.portal.context import page_size, portal_context
from customer_portal.portal.listing import choice_arg, fetch_page, like, list_args, page_start
from customer_portal.portal.locale import format_local
from customer_portal.tickets.lifecycle import ANSWERED, CLOSED, OPEN, categories

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/tickets")
	context.page_title = _("Support")
	if not customer:
		return
	ticket = frappe.qb.DocType("Support Ticket")
	conditions = []
	context.q = (form_dict.get("q") or "").strip()[:100]
	context.statuses = (OPEN, ANSWERED, CLOSED)
	context.status = choice_arg("status", set(context.statuses))
	context.categories = [row.name for row in categories()]
	context.category = choice_arg("category", set(context.categories))
	if context.q:
		conditions.append(ticket.subject.like(like(context.q)) | ticket.name.like(like(context.q)))
	if context.status:
		conditions.append(ticket.status == context.status)
	if context.category:
		conditions.append(ticket.category == context.category)
	context.page = fetch_page(
		"Support Ticket",
		customer,
		[
			"subject",
			"status",
			"priority",
			"category",
			"reference_doctype",
			"reference_name",
			"last_message_on",
		],
		conditions,
		"modified",
		form_dict.get("after"),
		page_size(),
		page_start(),
	)
	for row in context.page.rows:
		row.updated_display = format_local(row.last_message_on or row.modified)
	context.base_args = list_args("q", "status", "category")
