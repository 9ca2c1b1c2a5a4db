"""Frappe's File, stored by customers' users only through the portal's uploads (`refuse_customer_file`) and
loaded through the scoping policy: a file of another customer's record does not load,
exactly like a file that does not exist (`override_doctype_class`). Frappe's generic endpoints (form load,
likes, locks, bulk actions) tell "could not load" from "may not" otherwise."""

from frappe.core.doctype.file.file import File
from frappe.utils import cint

from customer_portal.permissions import file_admitted, raise_not_found, refuse_customer_file


class ScopedFile(File):
	def before_insert(self):
		# before Frappe's own before_insert, which already writes the file to storage
		refuse_customer_file(self)
		super().before_insert()

	def validate(self):
		refuse_customer_file(self)
		super().validate()

	def save_file(self, content=None, decode=False, ignore_existing_file_check=False, overwrite=False):
		"""A private file gets a copy of its own. Frappe reuses the stored file of any private File with the
		same content, loading that File first: one of another customer's records does not load (the
		upload failed, naming the other File), and one that did would share its stored file across
		customers."""
		return super().save_file(
			content=content,
			decode=decode,
			ignore_existing_file_check=ignore_existing_file_check or bool(cint(self.is_private)),
			overwrite=overwrite,
		)

	def load_from_db(self):
		super().load_from_db()
		if not file_admitted(self):
			raise_not_found("File", self.name, as_load=True)
