"""Customer document downloads: ask for a short-lived single-use link, then follow it once."""

import mimetypes
import re

import frappe
from frappe.rate_limiter import rate_limit
from frappe.utils import cint
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from customer_portal.documents.audit import log_access
from customer_portal.documents.links import issue_link, redeem_link
from customer_portal.documents.storage import get_storage

FETCH = "/api/method/customer_portal.api.documents.fetch"
# types a browser could render or run: always sent as opaque bytes
UNSAFE_TYPES = re.compile(r"html|svg|xml|javascript|ecmascript", re.I)
UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_rate_limit() -> int:
	"""Requests per minute per IP for each download endpoint (site config can raise it for load tests)."""
	return cint(frappe.conf.get("customer_portal_download_rate_limit")) or 60


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=download_rate_limit, seconds=60)
def request_download(name: str, version: int | None = None):
	"""A download link for a document the user may see; a browser form is redirected straight to it."""
	try:
		document = frappe.get_doc("Document", name)
		document.check_permission("read")
	except (frappe.DoesNotExistError, frappe.PermissionError):
		frappe.clear_messages()
		log_access("Download Link", "Refused", reason="not found or not permitted")
		frappe.throw(
			frappe._("{0} {1} not found").format(frappe._("Document"), name), frappe.DoesNotExistError
		)
	token, seconds = issue_link(document, version)
	url = f"{FETCH}?token={token}"
	if "application/json" in (frappe.get_request_header("Accept") or ""):
		return {"url": url, "expires_in": seconds}
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = url


@frappe.whitelist(methods=["GET"])
@rate_limit(limit=download_rate_limit, seconds=60)
def fetch(token: str) -> Response:
	"""Send the linked file once, as an attachment that no browser renders inline."""
	link, document = redeem_link(token)
	filename = safe_filename(document.title, link.file)
	content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
	if UNSAFE_TYPES.search(content_type):
		content_type = "application/octet-stream"
	storage = get_storage()
	request = frappe.local.request
	if request.headers.get("X-Use-X-Accel-Redirect"):
		# nginx streams the file from its protected location; the app only authorises
		response = Response()
		response.headers["X-Accel-Redirect"] = "/protected/" + link.file.lstrip("/")
	else:
		response = Response(wrap_file(request.environ, storage.open(link.file)), direct_passthrough=True)
		response.headers["Content-Length"] = str(storage.size(link.file))
	response.headers["Content-Type"] = content_type
	response.headers.set("Content-Disposition", "attachment", filename=filename)
	response.headers["X-Content-Type-Options"] = "nosniff"
	response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
	response.headers["Cache-Control"] = "private, no-store"
	return response


def safe_filename(title: str, file_url: str) -> str:
	"""The document's title with its file's extension, without path or control characters."""
	extension = ""
	stored = file_url.rsplit("/", 1)[-1]
	if "." in stored:
		extension = "." + UNSAFE_NAME_CHARS.sub("", stored.rsplit(".", 1)[1])[:10]
	base = UNSAFE_NAME_CHARS.sub(" ", title or "document").strip(" .") or "document"
	return base[:120] + extension
