"""Database errors stay on the server, and an outage is a clear "try again shortly".

Frappe v15 answers a query the database refuses (a sort order or a field name a client made up, a
negative page length) with the exception's class (`ProgrammingError`, `OperationalError`) and, in
`_debug_messages`, the whole SQL query, permission conditions included. For customers and guests the
answer becomes the translated "not valid" error every other bad input gets; staff keep Frappe's answer.
"""

import json
import sys

import frappe
import frappe.app
import pymysql
import redis
from frappe import _, _lt
from frappe.utils.background_jobs import get_redis_conn
from markupsafe import escape
from werkzeug.wrappers import Response

from customer_portal.permissions import is_unrestricted

DATABASE_ERRORS = frozenset({"ProgrammingError", "OperationalError", "InternalError"})
RETRY_AFTER_SECONDS = 30
# MariaDB client errors of a server that cannot be reached: can't connect, gone away, lost connection,
# server shutdown in progress
LOST_DATABASE = frozenset({(2003,), (2006,), (2013,), (1053,)})


def answer_outages(response=None, request=None) -> None:
	"""A server error while Redis (cache or queue) or MariaDB cannot be reached becomes 503 with
	Retry-After and a message saying to try again shortly, for everyone: Frappe would answer 500 with
	the exception's class (`ConnectionError`, `InterfaceError`). So does an answer whose writes MariaDB
	lost before they were committed (`sync_database`). The services are only asked after a 5xx, so the
	check costs nothing on a good answer."""
	if response is None or response.status_code == 503:
		return
	if frappe.local.flags.writes_not_kept:
		write_outage_answer(response, as_json=wants_json())
		return
	if response.status_code < 500 or services_reachable():
		return
	write_outage_answer(response, as_json=response.mimetype == "application/json")


def write_outage_answer(response: Response, as_json: bool, text: tuple[str, str] | None = None) -> None:
	"""503 with Retry-After and (title, message), by default the services' "try again shortly"."""
	title, message = text or outage_text()
	if as_json:
		response.set_data(
			json.dumps(
				{
					"exc_type": "ServiceUnavailable",
					"_server_messages": json.dumps(
						[json.dumps({"message": message, "title": title, "indicator": "orange"})]
					),
				}
			)
		)
		response.mimetype = "application/json"
	else:
		response.set_data(outage_page(title, message))
		response.mimetype = "text/html"
	response.status_code = 503
	response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)


# Frappe's own handlers, kept by use_outage_handlers
frappes_handle_exception = None
frappes_sync_database = None


def use_outage_handlers() -> None:
	"""`before_request`: Frappe's request handler sends its failures through this module's
	`handle_exception`, and its closing commit or rollback through `sync_database` (once per worker).

	Frappe v15 has no hook for a failure its own error handling cannot answer, and while MariaDB is
	unreachable that is every failure: the error page resolves redirects and reads settings from the
	database, and `frappe.app.application` rolls back over the lost connection after it. Its closing
	commit or rollback after a request that succeeded is outside any handler. The exception then leaves
	Frappe and gunicorn answers a bare "Internal Server Error". Frappe looks both functions up when it
	calls them, so the portal's take their place (later Frappe versions restructure this rollback:
	frappe/frappe#32980)."""
	global frappes_handle_exception, frappes_sync_database

	if frappe.app.handle_exception is not handle_exception:
		frappes_handle_exception = frappe.app.handle_exception
		frappe.app.handle_exception = handle_exception
	if frappe.app.sync_database is not sync_database:
		frappes_sync_database = frappe.app.sync_database
		frappe.app.sync_database = sync_database


def sync_database(rollback: bool) -> bool:
	"""Frappe's commit (or rollback) at the end of a request that succeeded, unless MariaDB or Redis was
	lost after the answer was made. A request whose writes could not be committed is answered 503 by
	`answer_outages` (its answer would claim a change that was not kept); any other keeps its answer: a
	read has nothing to lose, and when Redis refused what Frappe does around the commit (the jobs it
	queues after it, the session's last-seen time) the writes are committed all the same: queueing
	follow-up work is not the save (infra/redis_outage.py)."""
	try:
		return frappes_sync_database(rollback)
	except Exception as exception:
		if not lost_a_service(exception):
			raise
		request = frappe.local.request
		committing = frappe.local.flags.commit or request.method in frappe.app.UNSAFE_HTTP_METHODS
		kept = not committing or commit_what_is_left()
		frappe.logger("customer_portal").warning(
			"A service was lost at the end of %s %s (%s: %s): %s",
			request.method,
			request.path,
			type(exception).__name__,
			exception,
			"its answer stands" if kept else "its writes were not kept: answered 503",
		)
		frappe.local.flags.writes_not_kept = not kept
		if not database_reachable():
			forget_database()
		return False


def commit_what_is_left() -> bool:
	"""Commit the request's writes if the failed commit did not; False when MariaDB cannot take them (a
	lost connection's transaction is gone)."""
	try:
		frappe.db.sql("commit")
	except Exception:  # any failure to commit means the writes were not kept
		return False
	return True


def handle_exception(exception: Exception) -> Response:
	"""Frappe's answer to a failed request, unless the failure is a service that could not be reached
	or a service it needs to answer cannot be reached: then the outage answer, without a template, a
	translation from the database or a rollback."""
	if not lost_a_service(exception) and database_reachable():
		try:
			return frappes_handle_exception(exception)
		except Exception:
			if services_reachable():
				raise
	frappe.logger("customer_portal").warning(
		"A service cannot be reached: answered 503 (%s: %s)", type(exception).__name__, exception
	)
	# the answer first: loading its translations may connect again (frappe.get_installed_apps)
	response = outage_response()
	if not database_reachable():
		forget_database()
	return response


def lost_a_service(exception: BaseException) -> bool:
	"""Whether the request failed because Redis or MariaDB could not be reached (the service may answer
	again by the time the answer is written: the answer is still "try again shortly")."""
	for failure in (exception, exception.__cause__):
		if isinstance(failure, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
			return True
		if isinstance(failure, pymysql.err.InterfaceError):
			return True
		if isinstance(failure, pymysql.err.OperationalError) and failure.args[:1] in LOST_DATABASE:
			return True
	return False


def outage_response() -> Response:
	response = Response()
	write_outage_answer(response, as_json=wants_json())
	return response


def storage_outage_response() -> Response:
	"""The answer to a download while the file storage cannot be reached: the portal's own "try again
	shortly" (503, Retry-After), not a redirect to a storage the browser cannot reach either."""
	response = Response()
	text = (
		translated(_lt("File Storage Unavailable")),
		translated(_lt("The file storage cannot be reached right now. Please try again in a minute.")),
	)
	write_outage_answer(response, as_json=wants_json(), text=text)
	return response


def wants_json() -> bool:
	"""Frappe's rule (`frappe.app.handle_exception`) for answering a failure as JSON."""
	request = frappe.local.request
	accept = request.headers.get("Accept") or ""
	ajax = request.headers.get("X-Requested-With") == "XMLHttpRequest"
	return bool(accept and (ajax or "application/json" in accept)) or (
		request.path.startswith("/api/") and not accept.startswith("text")
	)


def database_reachable() -> bool:
	"""Whether this request's database connection answers (a lost one does not, even once MariaDB is
	back: its transaction is gone)."""
	if not getattr(frappe.local, "db", None):
		return False
	try:
		frappe.db.sql("select 1")
	except Exception:  # any failure to answer is the outage this is asked about
		return False
	return True


def forget_database() -> None:
	"""The request goes on without a database: Frappe skips its rollback when there is none, and the
	server discarded the lost connection's transaction already."""
	db = frappe.local.db
	frappe.local.db = None
	try:
		db.close()
	except Exception:  # closing a connection that is already gone
		pass


def outage_text() -> tuple[str, str]:
	title = translated(_lt("Briefly Unavailable"))
	message = translated(
		_lt(
			"The portal cannot answer right now because one of its services is restarting. "
			"Please try again in a minute."
		)
	)
	return title, message


def outage_page(title: str, message: str) -> str:
	"""A page of its own, without templates: rendering one needs the services that are down."""
	return (
		f'<!doctype html><html lang="{escape(getattr(frappe.local, "lang", None) or "en")}"><head>'
		'<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
		f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
		f"<p>{escape(message)}</p></main></body></html>"
	)


def services_reachable() -> bool:
	"""Whether the cache, the queue and the database answer now."""
	try:
		frappe.cache.ping()
		get_redis_conn().ping()
	except Exception:  # any failure to answer is the outage this is asked about
		return False
	return database_reachable()


def log_page_failure(context) -> None:
	"""update_website_context: a page that failed is kept in the Error Log with its traceback, under its
	path. Frappe renders its error page ("There was an error building this page") inside the `except`
	that caught the failure and records it nowhere, so staff would never learn what a customer saw.

	The failed page's own writes are rolled back first (Frappe would commit a failed POST's), then the
	entry is committed at once: a deferred entry waits in the cache, which a restart empties."""
	failure = sys.exc_info()[1]
	if failure is None or (context.get("http_status_code") or 0) < 500:
		return
	path = getattr(getattr(frappe.local, "request", None), "path", None) or context.get("path")
	try:
		frappe.db.rollback()
		frappe.log_error(title=f"Portal page failed: {path}")
		frappe.db.commit()
	except Exception:  # the database is what failed: the bench's log file still gets it
		frappe.logger("customer_portal").exception("Portal page failed: %s", path)


def translated(message) -> str:
	"""A lazy translation when the translations can be read; its source text while the services that
	hold them are down."""
	try:
		return str(message)
	except Exception:  # translations come from the cache and the database
		return message.msg


def hide_database_errors(response=None, request=None) -> None:
	if response is None or response.mimetype != "application/json" or response.direct_passthrough:
		return
	body = response.get_data()
	if b"_debug_messages" not in body and b"Error" not in body[:200]:
		return
	if getattr(frappe.local, "session", None) and is_unrestricted():
		return
	try:
		data = json.loads(body)
	except ValueError:
		return
	if not isinstance(data, dict):
		return
	data.pop("_debug_messages", None)
	if data.get("exc_type") in DATABASE_ERRORS:
		message = _(
			"This request could not be answered: one of its filters, fields or sort orders is not valid."
		)
		data = {
			"exc_type": "ValidationError",
			"_server_messages": json.dumps(
				[
					json.dumps(
						{"message": message, "title": _("Message"), "indicator": "red", "raise_exception": 1}
					)
				]
			),
		}
		response.status_code = frappe.ValidationError.http_status_code
	response.set_data(json.dumps(data))
