import frappe


def execute():
	"""Documents saved before version history existed get their current file as version 1."""
	from customer_portal.documents.storage import get_storage

	storage = get_storage()
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
	for row in missing:
		frappe.get_doc(
			{
				"doctype": "Document Version",
				"parent": row.name,
				"parenttype": "Document",
				"parentfield": "versions",
				"idx": 1,
				"version": 1,
				"file": row.file,
				"file_size": storage.size(row.file),
				"sha256": storage.sha256(row.file),
				"uploaded_by": row.owner,
				"uploaded_on": row.creation,
			}
		).db_insert()
