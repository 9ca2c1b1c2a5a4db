"""What every demo writer shares: the standard columns of a bulk-inserted row, chunked inserts, names
reserved from a series and a progress line."""

import sys
import time
from datetime import datetime, timedelta

import frappe

from customer_portal.infra.records import reserve_names


def row_name() -> str:
	"""A name for a bulk-inserted row. Frappe names rows with 10 hex digits and retries a clash on insert;
	bulk inserts cannot retry, and at a million orders (several million item and stage rows) 40 bits
	clash, so demo rows get 20."""
	return frappe.generate_hash(length=20)


class Progress:
	"""A one-line progress bar on a terminal, a line per quarter elsewhere (CI logs)."""

	def __init__(self, label: str, total: int):
		self.label, self.total, self.done, self.started = label, max(total, 1), 0, time.monotonic()
		self.tty = sys.stdout.isatty()
		self.next_report = 0.25

	def advance(self, count: int):
		self.done = min(self.done + count, self.total)
		fraction = self.done / self.total
		if self.tty:
			filled = int(fraction * 30)
			sys.stdout.write(
				f"\r  {self.label:<22} [{'#' * filled}{'.' * (30 - filled)}] {self.done:>7,}/{self.total:,}"
			)
			sys.stdout.flush()
		elif fraction >= self.next_report:
			print(f"  {self.label}: {self.done:,}/{self.total:,}", flush=True)
			while self.next_report <= fraction:
				self.next_report += 0.25

	def finish(self):
		self.advance(0)
		elapsed = time.monotonic() - self.started
		if self.tty:
			sys.stdout.write(f"  {elapsed:.1f}s\n")
		else:
			print(f"  {self.label}: done in {elapsed:.1f}s", flush=True)


class RowWriter:
	"""Row helpers of the demo generator (`generator.Generator`): it sets `now` and `owner`."""

	now: datetime
	owner: str

	def std(self, name: str, created: datetime | None = None) -> list:
		created = created or self.now
		return [name, created, created, self.owner, self.owner, 0]

	STD_FIELDS = ("name", "creation", "modified", "owner", "modified_by", "docstatus")

	def child(self, name, parent, parenttype, parentfield, idx, created):
		return [name, created, created, self.owner, self.owner, 0, parent, parenttype, parentfield, idx]

	CHILD_FIELDS = (*STD_FIELDS, "parent", "parenttype", "parentfield", "idx")

	def insert(self, doctype: str, fields, rows: list, progress: Progress | None = None, chunk: int = 5_000):
		for start in range(0, len(rows), chunk):
			frappe.db.bulk_insert(doctype, list(fields), rows[start : start + chunk], chunk_size=chunk)
			if progress:
				progress.advance(min(chunk, len(rows) - start))

	def reserve_names(self, series: str, count: int) -> list[str]:
		return reserve_names(series, count)

	def days_ago(self, days: float) -> datetime:
		return self.now - timedelta(days=days)
