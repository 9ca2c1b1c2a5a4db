"""Move a site's private files from local disk to its S3 bucket, in batches, resumably.

For each file: upload it under a key derived from its local URL (so a second run writes the same key,
never a second copy), delete the local copy, and, once per batch, point every row holding the old URL at
the new one and commit. An interruption anywhere leaves each file either still local, or in S3 with its
local copy possibly gone and its rows not yet updated: the next run finds the object under the same key
and finishes the job. No file is lost and none is stored twice.
"""

import hashlib
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import frappe
from frappe import _

from customer_portal.documents.storage import (
	PREFIX,
	LocalStorage,
	S3Storage,
	s3_storage,
	safe_key_part,
	sha256_of,
)

# the app's own fields that hold private file URLs; Attach fields elsewhere are found through the
# File rows attached to them
URL_FIELDS = (
	("File", "file_url"),
	("Document", "file"),
	("Document Version", "file"),
	("Document Download Link", "file"),
)


@dataclass
class MigrationReport:
	total: int = 0
	moved: int = 0
	resumed: int = 0
	missing: list[str] = field(default_factory=list)


def pending_count() -> int:
	"""Local private files (distinct URLs) still to move."""
	file = frappe.qb.DocType("File")
	count = (
		frappe.qb.from_(file)
		.select(frappe.query_builder.functions.Count(file.file_url).distinct())
		.where(file.file_url.like(f"{PREFIX}%") & (file.is_folder == 0))
		.run()
	)
	return count[0][0]


def migrate_to_s3(
	batch_size: int = 50, limit: int | None = None, progress: Callable[[int, int], None] | None = None
) -> MigrationReport:
	"""Move up to `limit` (default: all) local private files to S3; `progress(done, total)` per file."""
	storage = s3_storage()
	local = LocalStorage()
	report = MigrationReport(total=pending_count())
	if limit is not None:
		report.total = min(report.total, limit)
	after = None
	done = 0
	while done < report.total:
		urls = _pending_urls(after, min(batch_size, report.total - done))
		if not urls:
			break
		after = urls[-1]
		moved = {}
		for url in urls:
			new_url = _move(url, storage, local, report)
			if new_url:
				moved[url] = new_url
			done += 1
			if progress:
				progress(done, report.total)
		_replace_urls(moved)
		frappe.db.commit()
	return report


def migrated_key(storage: S3Storage, file_url: str) -> str:
	"""The same key for the same local file on every run."""
	site = safe_key_part(frappe.local.site)
	digest = hashlib.sha256(file_url.encode()).hexdigest()[:16]
	return f"{storage.config.key_prefix}{site}/migrated/{digest}/{safe_key_part(file_url[len(PREFIX) :])}"


def _move(url: str, storage: S3Storage, local: LocalStorage, report: MigrationReport) -> str | None:
	key = migrated_key(storage, url)
	new_url = storage.url(key)
	try:
		path = local.path(url)
	except frappe.DoesNotExistError:
		report.missing.append(url)
		return None
	if os.path.isfile(path):
		with open(path, "rb") as f:
			checksum = sha256_of(f)
		if not (storage.exists(new_url) and storage.sha256(new_url) == checksum):
			storage.upload_file(path, key, mimetypes.guess_type(path)[0], checksum)
		os.remove(path)
		report.moved += 1
		return new_url
	if storage.exists(new_url):
		# an earlier run uploaded it and removed the local copy, then stopped before its commit
		report.resumed += 1
		return new_url
	report.missing.append(url)
	return None


def _pending_urls(after: str | None, limit: int | None) -> list[str]:
	file = frappe.qb.DocType("File")
	query = (
		frappe.qb.from_(file)
		.select(file.file_url)
		.distinct()
		.where(file.file_url.like(f"{PREFIX}%") & (file.is_folder == 0))
		.orderby(file.file_url)
	)
	if after:
		query = query.where(file.file_url > after)
	if limit:
		query = query.limit(limit)
	return query.run(pluck=True)


def _replace_urls(moved: dict[str, str]) -> None:
	"""Point every row holding an old URL at its new one: one UPDATE per table and field."""
	if not moved:
		return
	for doctype, fieldname in _url_fields(list(moved)):
		table = frappe.qb.DocType(doctype)
		column = table[fieldname]
		case = frappe.qb.terms.Case()
		for old, new in moved.items():
			case = case.when(column == old, new)
		frappe.qb.update(table).set(column, case.else_(column)).where(column.isin(list(moved))).run()


def _url_fields(urls: list[str]) -> list[tuple[str, str]]:
	file = frappe.qb.DocType("File")
	attached = (
		frappe.qb.from_(file)
		.select(file.attached_to_doctype, file.attached_to_field)
		.distinct()
		.where(file.file_url.isin(urls) & file.attached_to_field.notnull())
		.run()
	)
	fields = list(URL_FIELDS)
	for doctype, fieldname in attached:
		# only real Attach fields: a name from a row is checked against the doctype's meta first
		if (doctype, fieldname) in fields or not frappe.db.exists("DocType", doctype):
			continue
		df = frappe.get_meta(doctype).get_field(fieldname)
		if df and df.fieldtype in ("Attach", "Attach Image"):
			fields.append((doctype, fieldname))
	return fields


def describe(report: MigrationReport) -> str:
	lines = [
		_("Moved {0} of {1} files to S3.").format(report.moved + report.resumed, report.total),
	]
	if report.resumed:
		lines.append(_("{0} of them had been uploaded by an interrupted run.").format(report.resumed))
	if report.missing:
		lines.append(
			_("{0} files are missing on disk and were left as they are:").format(len(report.missing))
		)
		lines += [f"  {url}" for url in report.missing[:20]]
	return "\n".join(lines)
