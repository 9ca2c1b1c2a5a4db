"""Bulk exports of invoices (exports/invoices.py): start one, and download its file."""

import json

import frappe
from frappe.rate_limiter import rate_limit

from customer_portal.activity.log import record
from customer_portal.documents.serving import file_on_its_way, file_response
from customer_portal.exports import invoices
from customer_portal.permissions import get_scoped_doc, raise_not_found
from customer_portal.web.answers import answer

DOWNLOAD_SECONDS = 60


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=5, seconds=60)
def start(
	kind: str,
	names: str | list | None = None,
	status: str | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
):
	"""`names`: the selected invoices (a JSON list, or repeated fields); otherwise the list's filters."""
	ticked = frappe.request.form.getlist("names") if frappe.request else []  # the list's ticked rows
	if len(ticked) > 1:
		names = ticked
	elif isinstance(names, str):
		names = json.loads(names) if names.strip().startswith("[") else [names]
	export = invoices.start(
		kind, names or None, {"status": status, "from_date": from_date, "to_date": to_date}
	)
	url = f"/portal/export?name={export.name}"
	return answer(url, {"name": export.name, "url": url})


@frappe.whitelist(methods=["GET"])
def status(name: str) -> dict:
	export = _export(name)
	return {"status": export.status, "progress": export.progress, "invoices": export.invoice_count}


@frappe.whitelist(methods=["GET"])
@rate_limit(limit=30, seconds=60)
def download(name: str):
	export = _export(name)
	if export.status != "Done" or not export.file:
		raise_not_found("Portal Export", name)
	response = file_response(export.file, export.file.rsplit("/", 1)[-1], DOWNLOAD_SECONDS)
	if file_on_its_way(response):
		record(
			"Download", "Portal Export", export.name, details={"kind": export.kind}, customer=export.customer
		)
		frappe.db.commit()  # a GET: the activity log row is kept
	return response


def _export(name: str):
	"""The user's own export, through the scoping policy."""
	return get_scoped_doc("Portal Export", name)
