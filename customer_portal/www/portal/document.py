import frappe

from customer_portal.documents.uploads import upload_choices
from customer_portal.portal.context import load_record, portal_context
from customer_portal.portal.formatting import day
from customer_portal.portal.locale import format_local

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/documents")
	if not customer:
		return
	document = load_record("Document", frappe.form_dict.name)
	context.doc = document
	context.page_title = document.title
	context.versions = [
		{
			"version": row.version,
			"uploaded_on": format_local(row.uploaded_on),
			"size": frappe.utils.fmt_money((row.file_size or 0) / 1024, precision=1),
			"sha256": row.sha256,
			"note": row.note,
			"is_latest": row.version == document.version,
		}
		for row in sorted(document.versions, key=lambda row: row.version, reverse=True)
	]
	context.updated = day(document.modified)
	choices = upload_choices(document.document_type)
	context.upload_help = choices[0] if choices else None
