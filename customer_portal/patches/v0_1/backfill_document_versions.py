import frappe
from frappe.utils import now_datetime

from customer_portal.documents.storage import LocalStorage


def execute():
	"""Documents saved before version history existed get their current file as version 1."""
	storage = LocalStorage()
	document = frappe.qb.DocType("Document")
	version = frappe.qb.DocType("Document Version")
	missing = (
		frappe.qb.from_(document)
		.left_join(version)
		.on(version.parent == document.name)
		.select(document.name, document.file, document.owner, document.creation)
		.where(version.name.isnull() & document.file.like("/private/files/%"))
		.run(as_dict=True)
	)
	now = now_datetime()
	rows = [
		(
			frappe.generate_hash(length=10),
			now,
			now,
			"Administrator",
			"Administrator",
			row.name,
			"Document",
			"versions",
			1,
			1,
			row.file,
			storage.size(row.file),
			storage.sha256(row.file),
			row.owner,
			row.creation,
		)
		for row in missing
	]
	frappe.db.bulk_insert(
		"Document Version",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"parent",
			"parenttype",
			"parentfield",
			"idx",
			"version",
			"file",
			"file_size",
			"sha256",
			"uploaded_by",
			"uploaded_on",
		],
		rows,
	)
