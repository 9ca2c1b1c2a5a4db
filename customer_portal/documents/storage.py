"""Where document files live. One interface; local private files are the default backend."""

import hashlib
import os
from urllib.parse import unquote

import frappe

CHUNK = 1024 * 1024
PREFIX = "/private/files/"


class LocalStorage:
	"""The site's private files folder (sites/<site>/private/files)."""

	name = "local"

	def path(self, file_url: str) -> str:
		"""The file's path on disk, from its URL alone (no query), and never outside private/files."""
		root = os.path.realpath(frappe.get_site_path("private", "files"))
		if not file_url.startswith(PREFIX):
			raise frappe.DoesNotExistError
		path = os.path.realpath(os.path.join(root, unquote(file_url[len(PREFIX) :])))
		if not path.startswith(root + os.sep):
			raise frappe.DoesNotExistError
		return path

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
