"""Bulk exports of a customer's invoices: the selected (or filtered) invoices as a ZIP of their PDFs, or
the list as CSV.

`start` checks the selection through the scoping policy (a name the user may not see is the usual "not
found"), records a Portal Export and queues `run` on the long queue; the job runs as the user who asked,
so every query it makes goes through the same policy, reports its progress on the row as it goes, and
leaves a private file attached to the export, which only that user downloads (api/exports.py). Files are
removed after `KEEP_HOURS`.
"""

import csv
import io
import json
import zipfile

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, now_datetime

from customer_portal.activity.log import record
from customer_portal.permissions import get_active_customer, portal_write, raise_not_found
from customer_portal.portal.dashboard import OPEN_STATUSES
from customer_portal.portal.invoice_pdf import invoice_pdf

ZIP, CSV = "Invoice PDFs (ZIP)", "Invoice List (CSV)"
MAX_INVOICES = {ZIP: 500, CSV: 20000}
KEEP_HOURS = 24
CSV_FIELDS = (
	"name",
	"posting_date",
	"due_date",
	"status",
	"order",
	"total",
	"paid_amount",
	"outstanding_amount",
)


def start(kind: str, names: list[str] | None = None, filters: dict | None = None):
	"""Queue an export of the active customer's invoices: the named ones, or those matching `filters`
	(status, from_date, to_date)."""
	if kind not in MAX_INVOICES:
		frappe.throw(_("Choose a ZIP of PDFs or a CSV list."), title=_("Unknown Export"))
	customer = get_active_customer()
	if not customer:
		raise_not_found("Customer", "")
	selection = {"names": list(dict.fromkeys(names or ()))} if names else {"filters": clean_filters(filters)}
	count = len(invoice_names(customer, selection))
	if not count:
		frappe.throw(_("No invoices match this selection."), title=_("Nothing to Export"))
	if count > MAX_INVOICES[kind]:
		frappe.throw(
			_("An export holds at most {0} invoices; this selection has {1}. Narrow it down.").format(
				MAX_INVOICES[kind], count
			),
			title=_("Too Many Invoices"),
		)
	with portal_write("Portal Export"):
		export = frappe.get_doc(
			{
				"doctype": "Portal Export",
				"user": frappe.session.user,
				"customer": customer,
				"kind": kind,
				"selection": json.dumps(selection),
				"invoice_count": count,
				"status": "Queued",
			}
		).insert()
	record(
		"Download", "Portal Export", export.name, details={"kind": kind, "invoices": count}, customer=customer
	)
	frappe.enqueue(
		"customer_portal.exports.invoices.run",
		queue="long",
		export=export.name,
		enqueue_after_commit=True,
		job_id=f"customer_portal_export::{export.name}",
	)
	return export


def clean_filters(filters: dict | None) -> dict:
	filters = filters or {}
	clean = {}
	if filters.get("status") in ("open", "Unpaid", "Partly Paid", "Paid", "Overdue", "Cancelled"):
		clean["status"] = filters["status"]
	for key in ("from_date", "to_date"):
		if filters.get(key):
			clean[key] = str(frappe.utils.getdate(filters[key]))
	return clean


def invoice_names(customer: str, selection: dict) -> list[str]:
	"""The selection's invoices, through the scoping policy; a named one the user may not see is "not
	found", as anywhere else."""
	if "names" in selection:
		names = selection["names"]
		visible = set(
			frappe.get_list("Invoice", filters={"name": ("in", names), "customer": customer}, pluck="name")
		)
		for name in names:
			if name not in visible:
				raise_not_found("Invoice", name)
		return names

	chosen = selection.get("filters") or {}
	filters = [["Invoice", "customer", "=", customer]]
	if chosen.get("status") == "open":
		filters.append(["Invoice", "status", "in", OPEN_STATUSES])
	elif chosen.get("status"):
		filters.append(["Invoice", "status", "=", chosen["status"]])
	if chosen.get("from_date"):
		filters.append(["Invoice", "posting_date", ">=", chosen["from_date"]])
	if chosen.get("to_date"):
		filters.append(["Invoice", "posting_date", "<=", chosen["to_date"]])
	return frappe.get_list(
		"Invoice",
		filters=filters,
		pluck="name",
		order_by="posting_date asc, name asc",
		limit_page_length=0,
	)


def run(export: str) -> None:
	"""The background job: build the file as the user who asked for it, committing progress as it goes."""
	doc = frappe.get_doc("Portal Export", export)
	frappe.set_user(doc.user)
	try:
		produce(doc, report=_committed_progress)
		frappe.db.commit()
	except Exception as e:
		frappe.db.rollback()
		frappe.db.set_value(
			"Portal Export",
			export,
			{"status": "Failed", "error": str(e)[:500], "finished_on": now_datetime()},
		)
		frappe.db.commit()
		raise


def produce(doc, report) -> None:
	"""Build the export's file (as the session user), attach it and mark the export done; `report(doc,
	percent)` hears of progress."""
	names = invoice_names(doc.customer, json.loads(doc.selection))
	report(doc, 0)
	content, file_name = (build_zip if doc.kind == ZIP else build_csv)(doc, names, report)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"is_private": 1,
			"content": content,
			"attached_to_doctype": "Portal Export",
			"attached_to_name": doc.name,
			"attached_to_field": "file",
		}
	)
	with portal_write("Portal Export"), portal_write("File"):
		file.insert()
		doc.reload()
		doc.update({"file": file.file_url, "status": "Done", "progress": 100, "finished_on": now_datetime()})
		doc.save()


def build_csv(doc, names: list[str], report) -> tuple[bytes, str]:
	rows = frappe.get_list(
		"Invoice",
		filters={"name": ("in", names)},
		fields=list(CSV_FIELDS),
		order_by="posting_date asc, name asc",
		limit_page_length=0,
	)
	buffer = io.StringIO()
	writer = csv.writer(buffer)
	meta = frappe.get_meta("Invoice")
	writer.writerow([_("Invoice") if field == "name" else _(meta.get_label(field)) for field in CSV_FIELDS])
	for row in rows:
		writer.writerow([_csv_safe(row.get(field)) for field in CSV_FIELDS])
	report(doc, 100)
	return buffer.getvalue().encode("utf-8-sig"), f"invoices-{frappe.scrub(doc.customer)}.csv"


def build_zip(doc, names: list[str], report) -> tuple[bytes, str]:
	buffer = io.BytesIO()
	step = max(1, len(names) // 20)
	with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
		for index, name in enumerate(names, start=1):
			invoice = frappe.get_doc("Invoice", name)  # through the scoping policy
			invoice.check_permission("print")
			archive.writestr(f"{name}.pdf", invoice_pdf(invoice))
			if index % step == 0:
				report(doc, cint(100 * index / len(names)))
	return buffer.getvalue(), f"invoices-{frappe.scrub(doc.customer)}.zip"


def _committed_progress(doc, percent: int) -> None:
	# reported on its own and committed, so the page that polls sees it while the job goes on
	frappe.db.set_value("Portal Export", doc.name, {"status": "Running", "progress": min(percent, 99)})
	frappe.db.commit()


def _csv_safe(value):
	"""A cell a spreadsheet will not run as a formula (CSV injection)."""
	text = "" if value is None else str(value)
	return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
	try:
		float(text)
		return True
	except ValueError:
		return False


def remove_old_exports() -> None:
	"""Daily: exports older than KEEP_HOURS go, with their files."""
	cutoff = add_to_date(now_datetime(), hours=-KEEP_HOURS)
	for name in frappe.get_all("Portal Export", filters={"creation": ("<", cutoff)}, pluck="name"):
		# a scheduler job removing the system's own temporary rows (and their files), no user's request
		frappe.delete_doc("Portal Export", name, ignore_permissions=True, force=True)
