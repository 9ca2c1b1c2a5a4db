"""Frappe's File hooks: every private file, a staff upload in desk or a customer's upload in the portal,
is written to and deleted from the site's selected storage."""

import mimetypes

import frappe
from frappe import _
from frappe.utils import cint

from customer_portal.documents.storage import StorageUnavailable, is_s3_url, s3_storage, uploads_go_to_s3


def write_file(file) -> dict:
	"""`write_file` hook: private files go to S3 when the site selects it; everything else to disk."""
	if not cint(file.is_private) or not uploads_go_to_s3():
		return file.save_file_on_filesystem()
	content = file._content.encode() if isinstance(file._content, str) else file._content
	storage = s3_storage()
	content_type = file.content_type or mimetypes.guess_type(file.file_name)[0]
	file.file_url = storage.put(storage.new_key(file.file_name), content, content_type)
	return {"file_name": file.file_name, "file_url": file.file_url}


def delete_file_data_content(file, only_thumbnail: bool = False) -> None:
	"""`delete_file_data_content` hook: remove the stored bytes once no File row holds them."""
	if not is_s3_url(file.file_url):
		file.delete_file_from_filesystem(only_thumbnail=only_thumbnail)
		return
	# Frappe shares one copy between rows of equal content only on disk; an S3 object belongs to the
	# rows that hold its URL, whatever `only_thumbnail` says about content hashes
	if frappe.db.exists("File", {"file_url": file.file_url, "name": ("!=", file.name)}):
		return
	try:
		s3_storage().delete(file.file_url)
	except frappe.DoesNotExistError:
		pass
	except StorageUnavailable:
		if file.flags.new_file:
			# undoing a failed upload: the error that rolled it back is the one to report
			frappe.log_error(_("Could not remove {0} from S3 after a rollback").format(file.file_url))
			return
		raise


def attach_stored_file(doc, fieldname: str) -> None:
	"""Attach the unattached File row holding `doc.<fieldname>` to `doc` (Frappe does this on update
	for files on disk only)."""
	file_url = doc.get(fieldname)
	if not is_s3_url(file_url):
		return
	file = frappe.qb.DocType("File")
	(
		frappe.qb.update(file)
		.set(file.attached_to_doctype, doc.doctype)
		.set(file.attached_to_name, doc.name)
		.set(file.attached_to_field, fieldname)
		.where((file.file_url == file_url) & file.attached_to_name.isnull())
		.run()
	)


def keep_version_files(file, method=None) -> None:
	"""`on_trash` of File: a file recorded as a Document version stays while that Document does (when
	the Document itself is deleted, its versions go first and its files follow)."""
	if file.is_folder or not file.file_url:
		return
	if frappe.db.exists("File", {"file_url": file.file_url, "name": ("!=", file.name)}):
		return  # another row still holds the bytes
	version = frappe.db.get_value(
		"Document Version",
		{"parenttype": "Document", "file": file.file_url},
		["parent", "version"],
		as_dict=True,
	)
	if version:
		frappe.throw(
			_(
				"This file is version {0} of document {1} and stays in its history. Attach the new file to"
				" the document to add a version."
			).format(version.version, version.parent),
			title=_("File Kept"),
		)
