"""Figures kept per customer as orders and invoices change (the analytics page's): counters added to in
place.

Each kind of figure is a table with a unique key (customer first) and counters. A save adds what it
changed with one upsert in its own transaction, so a failed save changes nothing; a row whose counts are
all back to zero goes, so that it does not hold on to the customer or stage it names.
"""

from dataclasses import dataclass

import frappe

CHUNK = 1_000


@dataclass(frozen=True)
class Figures:
	doctype: str
	keys: tuple[str, ...]  # the unique key, "customer" first
	values: tuple[str, ...]  # the counters added to
	counts: tuple[str, ...]  # the counters that say whether anything is left of a row

	def add(self, changes: dict[tuple, tuple]) -> None:
		"""Add each key's values (negative ones take away) to the stored row of that key.

		Rows are written in key order and only the rows written are cleaned up, by name, so two saves of
		one customer's records lock the same rows in the same order and never wait on each other in a cycle
		(a cleanup of all of the customer's empty rows deadlocked concurrent stage changes, and so did a
		cleanup whose DELETE scanned the table)."""
		rows = [
			(frappe.generate_hash(length=20), *key, *values)
			for key, values in sorted(changes.items(), key=lambda change: tuple(map(str, change[0])))
			if any(values)
		]
		if not rows:
			return
		table = f"`tab{self.doctype}`"
		columns = ", ".join(f"`{name}`" for name in ("name", *self.keys, *self.values))
		updates = ", ".join(f"`{name}` = `{name}` + values(`{name}`)" for name in self.values)
		placeholders = "(" + ", ".join(["%s"] * (1 + len(self.keys) + len(self.values)))
		placeholders += ", now(6), now(6), 'Administrator', 'Administrator')"
		for start in range(0, len(rows), CHUNK):
			chunk = rows[start : start + CHUNK]
			frappe.db.sql(
				f"""insert into {table} ({columns}, creation, modified, owner, modified_by)
				values {", ".join([placeholders] * len(chunk))}
				on duplicate key update {updates}, modified = values(modified)""",
				[value for row in chunk for value in row],
			)
		counters = range(1 + len(self.keys), len(rows[0]))
		if shrunk := [row[1 : 1 + len(self.keys)] for row in rows if any(row[i] < 0 for i in counters)]:
			empty = " and ".join(f"`{name}` <= 0" for name in self.counts)
			keys = ", ".join(f"`{name}`" for name in self.keys)
			# found with a plain read (this transaction sees its own rows as written), deleted by name: a
			# DELETE with this condition may scan the table (MariaDB does for one key, and for a small
			# table), locking every row it reads until the commit, and deadlocked concurrent saves
			if gone := frappe.db.sql(
				f"select name from {table} where {empty} and ({keys}) in %(shrunk)s",
				{"shrunk": shrunk},
				pluck=True,
			):
				frappe.db.sql(f"delete from {table} where name in %(gone)s", {"gone": gone})

	def accumulate(self, totals: dict[tuple, list], figures: dict[tuple, tuple]) -> None:
		"""Add one record's figures to running totals, to `add` at once (many records written together: the
		demo data, a rebuild)."""
		for key, values in figures.items():
			row = totals.setdefault(key, [0] * len(self.values))
			for i, value in enumerate(values):
				row[i] += value

	def move(self, after: dict[tuple, tuple], before: dict[tuple, tuple]) -> None:
		"""Replace a record's figures as they were (`before`) by its figures as they are (`after`)."""
		if after == before:
			return
		zero = (0,) * len(self.values)
		self.add(
			{
				key: tuple(a - b for a, b in zip(after.get(key, zero), before.get(key, zero), strict=True))
				for key in after.keys() | before.keys()
			}
		)

	def merge(self, fieldname: str, old: str, new: str) -> None:
		"""Move the figures of `old` (a customer or a stage) to `new`, adding them to `new`'s own."""
		changes: dict[tuple, list] = {}
		for row in frappe.get_all(self.doctype, filters={fieldname: old}, fields=[*self.keys, *self.values]):
			row[fieldname] = new
			totals = changes.setdefault(tuple(row[name] for name in self.keys), [0] * len(self.values))
			for i, name in enumerate(self.values):
				totals[i] += row[name]
		frappe.db.delete(self.doctype, {fieldname: old})
		self.add({key: tuple(totals) for key, totals in changes.items()})


STAGE_TIMES = Figures("Order Stage Time", ("customer", "stage", "day"), ("moves", "seconds"), ("moves",))
ORDER_MONTHS = Figures(
	"Order Month Figure",
	("customer", "month", "stage"),
	("placed", "delivered", "on_time"),
	("placed", "delivered"),
)
INVOICE_MONTHS = Figures("Invoice Month Figure", ("customer", "month"), ("invoices", "spend"), ("invoices",))
KEPT = (STAGE_TIMES, ORDER_MONTHS, INVOICE_MONTHS)


def before_merge(doc, method, old: str, new: str, merge: bool = False) -> None:
	"""Doc event (Customer and Order Stage before_rename): merging `old` into `new` adds `old`'s figures to
	`new`'s. Frappe's rename would otherwise move them under `new` as they are and collide with `new`'s own
	figures for the same key."""
	if not merge:
		return
	fieldname = "customer" if doc.doctype == "Customer" else "stage"
	for figures in KEPT:
		if fieldname in figures.keys:
			figures.merge(fieldname, old, new)
