"""Sending a stored private file to a browser that may have it, the same way for every kind of file:
as an attachment that no browser renders inline, streamed from local storage (or handed to nginx), or a
redirect to a presigned S3 URL that lives no longer than `seconds`."""

import frappe
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from customer_portal.documents.inert import inert_content_type
from customer_portal.documents.storage import S3Storage, storage_for


def file_response(file_url: str, filename: str, seconds: int) -> Response:
	content_type = inert_content_type(filename)
	storage = storage_for(file_url)
	request = frappe.local.request
	if isinstance(storage, S3Storage):
		response = Response(status=302)
		response.headers["Location"] = storage.presigned_url(file_url, seconds, filename, content_type)
		response.headers["Referrer-Policy"] = "no-referrer"
	elif request.headers.get("X-Use-X-Accel-Redirect"):
		# nginx streams the file from its protected location; the app only authorises
		response = Response()
		response.headers["X-Accel-Redirect"] = "/protected/" + file_url.lstrip("/")
	else:
		response = Response(wrap_file(request.environ, storage.open(file_url)), direct_passthrough=True)
		response.headers["Content-Length"] = str(storage.size(file_url))
	response.headers["Content-Type"] = content_type
	response.headers.set("Content-Disposition", "attachment", filename=filename)
	response.headers["X-Content-Type-Options"] = "nosniff"
	response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
	response.headers["Cache-Control"] = "private, no-store"
	return response
