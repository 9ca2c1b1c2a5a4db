"""Where document files live. One interface; local private files are the default backend."""

import hashlib
import os

import frappe
from frappe.utils.file_manager import get_file_path

CHUNK = 1024 * 1024


class LocalStorage:
	"""The site's private files folder (sites/<site>/private/files)."""

	name = "local"

	def path(self, file_url: str) -> str:
		if not file_url.startswith("/private/files/"):
			raise frappe.DoesNotExistError
		return get_file_path(file_url)

	def size(self, file_url: str) -> int:
		return os.path.getsize(self.path(file_url))

	def sha256(self, file_url: str) -> str:
		digest = hashlib.sha256()
		with open(self.path(file_url), "rb") as f:
			while chunk := f.read(CHUNK):
				digest.update(chunk)
		return digest.hexdigest()

	def open(self, file_url: str):
		return open(self.path(file_url), "rb")


def get_storage() -> LocalStorage:
	return LocalStorage()
