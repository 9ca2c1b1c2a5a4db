"""The URL of every private file kept in S3: authorise like Frappe's /private/files, then hand the
browser a presigned URL that lives one minute.

Customers never use this path: their downloads go through the audited, single-use links of
`customer_portal.api.documents`, so for them every file here is "not found"."""

import frappe

from customer_portal.documents.inert import inert_content_type
from customer_portal.documents.storage import S3_DOWNLOAD_PATH, is_s3_url, s3_storage, safe_key_part
from customer_portal.permissions import get_permitted_customers, raise_not_found
from customer_portal.web.answers import redirect

STAFF_LINK_SECONDS = 60


@frappe.whitelist(methods=["GET"])
def download(key: str):
	file = _readable_file(key)
	if not file:
		raise_not_found("File", key)
	storage = s3_storage()
	redirect(
		storage.presigned_url(
			file.file_url,
			STAFF_LINK_SECONDS,
			file.file_name or safe_key_part(key),
			inert_content_type(file.file_name or key),
		)
	)


def _readable_file(key: str):
	"""The first File row holding this object that the session user may read, if any."""
	if frappe.session.user == "Guest" or get_permitted_customers() is not None:
		return None
	file = frappe.qb.DocType("File")
	pattern = "%" + f"{S3_DOWNLOAD_PATH}?key={key}".replace("\\", "\\\\").replace("%", "\\%").replace(
		"_", "\\_"
	)
	names = (
		frappe.qb.from_(file).select(file.name).where(file.file_url.like(pattern)).limit(5).run(pluck=True)
	)
	for name in names:
		doc = frappe.get_doc("File", name)
		if is_s3_url(doc.file_url) and doc.has_permission("read"):
			return doc
	return None
