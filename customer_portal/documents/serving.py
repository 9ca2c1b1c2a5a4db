"""Sending a stored private file to a browser that may have it, the same way for every kind of file:
as an attachment that no browser renders inline, streamed from local storage (or handed to nginx), or a
redirect to a presigned S3 URL that lives no longer than `seconds`.

The storage is asked for the file first (its size: a HEAD for S3, one round trip). A file it does not
hold is not found; while it cannot be reached the answer is the portal's 503 "try again shortly" rather
than a redirect to a storage the browser cannot reach either, or S3's own error page."""

from http import HTTPStatus

import frappe
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from customer_portal.documents.inert import inert_content_type
from customer_portal.documents.storage import S3Storage, StorageUnavailable, storage_for
from customer_portal.web.error_answers import storage_outage_response


def file_response(file_url: str, filename: str, seconds: int) -> Response:
	"""The file's answer; raises DoesNotExistError for a file the storage does not hold (nothing is sent,
	the caller keeps its link); a 503 answer while the storage cannot be reached."""
	content_type = inert_content_type(filename)
	try:
		storage = storage_for(file_url)
		size = storage.size(file_url)
	except StorageUnavailable:
		return storage_outage_response()
	except FileNotFoundError as e:
		raise frappe.DoesNotExistError from e
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
		response.headers["Content-Length"] = str(size)
	response.headers["Content-Type"] = content_type
	response.headers.set("Content-Disposition", "attachment", filename=filename)
	response.headers["X-Content-Type-Options"] = "nosniff"
	response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
	response.headers["Cache-Control"] = "private, no-store"
	return response


def file_on_its_way(response: Response) -> bool:
	"""Whether a `file_response` sends the file (or hands it over): not its 503 while the storage cannot be
	reached, after which nothing was sent and the download is not to be logged or spent."""
	return response.status_code != HTTPStatus.SERVICE_UNAVAILABLE
