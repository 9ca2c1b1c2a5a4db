import frappe
from frappe import _, form_dict

from customer_portal.documents.uploads import upload_choices
from customer_portal.portal.context import page_size, portal_context
from customer_portal.portal.formatting import day
from customer_portal.portal.listing import choice_arg, fetch_page, like, list_args, page_start, read_filters

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/documents")
	context.page_title = _("Documents")
	if not customer:
		return
	document = frappe.qb.DocType("Document")
	conditions = read_filters(context, document, "modified")
	context.document_types = frappe.get_all("Document Type", pluck="name", order_by="name asc")
	context.upload_types = upload_choices()
	context.document_type = choice_arg("type", context.document_types)
	context.order = (form_dict.get("order") or "").strip()[:140]
	if context.q:
		conditions.append(document.title.like(like(context.q)) | (document.name == context.q))
	if context.document_type:
		conditions.append(document.document_type == context.document_type)
	if context.order:
		conditions.append(document.order == context.order)

	page = fetch_page(
		"Document",
		customer,
		["title", "document_type", "order", "version", "modified"],
		conditions,
		"modified",
		form_dict.get("after"),
		page_size(),
		page_start(),
	)
	for row in page.rows:
		row.date_display = day(row.modified)
	context.page = page
	context.base_args = list_args("q", "type", "order", "from", "to")
