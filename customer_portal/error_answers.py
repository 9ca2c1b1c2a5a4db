"""Database errors stay on the server (`after_request`).

Frappe v15 answers a query the database refuses (a sort order or a field name a client made up, a
negative page length) with the exception's class (`ProgrammingError`, `OperationalError`) and, in
`_debug_messages`, the whole SQL query, permission conditions included. For customers and guests the
answer becomes the translated "not valid" error every other bad input gets; staff keep Frappe's answer.
"""

import json

import frappe
from frappe import _

from customer_portal.permissions import is_unrestricted

DATABASE_ERRORS = frozenset({"ProgrammingError", "OperationalError", "InternalError"})


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
