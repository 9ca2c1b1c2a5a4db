"""Customer documents: ask for a short-lived single-use link and follow it once; upload new documents and
new versions where the document type allows it."""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, get_datetime, now_datetime
from werkzeug.wrappers import Response

from customer_portal.documents.audit import log_access
from customer_portal.documents.inert import clean_name, safe_filename
from customer_portal.documents.links import claim_link, downloadable, issue_link, open_link, refuse_link
from customer_portal.documents.serving import file_on_its_way, file_response
from customer_portal.documents.uploads import check_upload, upload_policy
from customer_portal.permissions import (
	get_active_customer,
	get_permitted_customers,
	load_scoped,
	portal_write,
	raise_not_found,
)
from customer_portal.web.answers import answer

FETCH = "/api/method/customer_portal.api.documents.fetch"


def download_rate_limit() -> int:
	"""Requests per minute per IP for each download endpoint (site config can raise it for load tests)."""
	return cint(frappe.conf.get("customer_portal_download_rate_limit")) or 60


def upload_rate_limit() -> int:
	return cint(frappe.conf.get("customer_portal_upload_rate_limit")) or 20


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=download_rate_limit, seconds=60)
def request_download(name: str, version: int | None = None):
	"""A download link for a document the user may see; a browser form is redirected straight to it."""
	document = _scoped_document(name, "Download Link", load=downloadable)
	token, seconds = issue_link(document, version)
	url = f"{FETCH}?token={token}"
	return answer(url, {"url": url, "expires_in": seconds})


@frappe.whitelist(methods=["GET"])
@rate_limit(limit=download_rate_limit, seconds=60)
def fetch(token: str) -> Response:
	"""Send the linked file once, as an attachment that no browser renders inline.

	Local files are streamed (or handed to nginx); S3 objects are a redirect to a presigned URL that
	expires no later than the link itself. The link is spent only when the file is on its way: while the
	storage cannot be reached the answer is 503 "try again shortly" and the link still works after."""
	link, document = open_link(token)
	seconds = int((get_datetime(link.expires_on) - now_datetime()).total_seconds())
	try:
		response = file_response(link.file, safe_filename(document.title, link.file), seconds)
	except frappe.DoesNotExistError:
		refuse_link(link, "file missing from storage")
	if not file_on_its_way(response):
		# nothing was sent: the link stays unspent, to be followed again once the storage answers
		log_access("Download", "Refused", link.document, link.customer, link.version, "storage unreachable")
		return response
	claim_link(link)
	return response


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=upload_rate_limit, seconds=60)
def upload(
	document_type: str | None = None,
	title: str | None = None,
	description: str | None = None,
	document: str | None = None,
	note: str | None = None,
):
	"""Add a file to the active customer's library: a new document of `document_type`, or, with
	`document`, a new version of that document. The file is the multipart field `file`."""
	if get_permitted_customers() is None:
		frappe.throw(_("Staff add documents in desk."), frappe.PermissionError)
	target = _scoped_document(document, "Upload") if document else None
	customer = target.customer if target else get_active_customer()
	if not customer:
		raise_not_found("Customer", "")
	uploaded = frappe.request.files.get("file") if frappe.request else None
	try:
		policy = upload_policy(target.document_type if target else document_type)
		# read one byte past the limit: enough to know it is too large without holding more
		content = uploaded.stream.read(policy.max_bytes + 1) if uploaded else b""
		file_name, _kind = check_upload(uploaded.filename if uploaded else "", content, policy)
	except frappe.ValidationError as e:
		log_access("Upload", "Refused", document, customer, reason=str(e)[:140])
		raise

	with portal_write("Document"), portal_write("File"):
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": file_name,
				"is_private": 1,
				"content": content,
				"attached_to_doctype": "Document" if target else None,
				"attached_to_name": target.name if target else None,
				"attached_to_field": "file" if target else None,
			}
		).insert()
		if target:
			target.file = file.file_url
			target.version_note = note
			target.save()
		else:
			target = frappe.get_doc(
				{
					"doctype": "Document",
					"customer": customer,
					"document_type": policy.document_type,
					"title": clean_name(title) or file_name.rsplit(".", 1)[0],
					"description": description,
					"file": file.file_url,
					"version_note": note,
				}
			).insert()
	url = f"/portal/documents/{target.name}"
	return answer(url, {"name": target.name, "version": target.version, "url": url})


def _scoped_document(name: str, event: str, load=None):
	"""The document, loaded through the scoping policy (by `load` if given); otherwise the same
	"not found", logged."""
	try:
		document = load(name) if load else load_scoped("Document", name)
	except frappe.DoesNotExistError:  # `load` answered not found itself
		document = None
	if document is None:
		frappe.clear_messages()
		log_access(event, "Refused", reason="not found or not permitted")
		frappe.throw(_("{0} {1} not found").format(_("Document"), name), frappe.DoesNotExistError)
	return document
