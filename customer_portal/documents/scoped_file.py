"""Frappe's File, loaded through the scoping policy: a file of another customer's record does not load,
exactly like a file that does not exist (`override_doctype_class`). Frappe's generic endpoints (form load,
likes, locks, bulk actions) tell "could not load" from "may not" otherwise."""

from frappe.core.doctype.file.file import File

from customer_portal.permissions import file_admitted, raise_not_found


class ScopedFile(File):
	def load_from_db(self):
		super().load_from_db()
		if not file_admitted(self):
			raise_not_found("File", self.name)
