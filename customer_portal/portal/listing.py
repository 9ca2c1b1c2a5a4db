"""One page of a customer's records, newest first or by another indexed column, with keyset pagination.

Keyset ("after this row") pagination costs the same on page 1 and page 1,000: the database seeks to the
cursor in the (customer, sort column) index instead of counting past every earlier row as OFFSET does.
Rows come through the scoping policy's criterion, so a page can only ever hold the user's own records.
"""

import base64
import json
from dataclasses import dataclass, field

import frappe
from frappe.query_builder import Order
from frappe.query_builder.functions import Count

from customer_portal.permissions import get_scope

# A list counts a customer's rows up to here and says "more than" beyond: counting every row of a
# customer with hundreds of thousands costs more than the rest of the page (./dev benchmark's growth),
# and even the capped count reads an index entry per row (10,000 of them took 5 ms, a quarter of a list
# page, on the benchmark's data; 1,000 take 0.5 ms). Past a thousand, people search and filter.
COUNT_LIMIT = 1_000


@dataclass
class Page:
	rows: list[dict]
	total: int
	next_cursor: str | None
	filtered: bool
	sort: str
	start: int = field(default=1)
	more: bool = False  # there are more rows than `total` (COUNT_LIMIT)


def encode_cursor(value, name: str) -> str:
	return base64.urlsafe_b64encode(json.dumps([str(value), name]).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[str, str] | None:
	"""A cursor from the URL, or None when it is absent or not one of ours (then the list starts over)."""
	if not cursor:
		return None
	try:
		value, name = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
	except (ValueError, TypeError):
		return None
	return (value, name) if isinstance(value, str) and isinstance(name, str) else None


def fetch_page(
	doctype: str,
	customer: str,
	fields: list[str],
	conditions: list,
	sort_field: str,
	cursor: str | None,
	size: int,
	start: int = 1,
) -> Page:
	"""Rows of `customer` matching `conditions` (query-builder criteria on the doctype's table)."""
	if not frappe.has_permission(doctype, "read"):
		raise frappe.PermissionError
	rows_query, count_query = build_queries(doctype, customer, fields, conditions, sort_field, cursor, size)
	rows = rows_query.run(as_dict=True)
	counted = count_query.run()[0][0]
	next_cursor = None
	if len(rows) > size:
		rows = rows[:size]
		next_cursor = encode_cursor(rows[-1][sort_field], rows[-1].name)
	start = start if decode_cursor(cursor) else 1
	total, more = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
	return Page(rows, total, next_cursor, bool(conditions), sort_field, start, more)


def scoped_rows(
	doctype: str, filters: dict, fields: list[str], order_by: str, descending: bool = False
) -> list[frappe._dict]:
	"""The rows of `doctype` the user may read with these field values (a record page's related rows):
	`frappe.get_list` in one query built through the scope. Frappe's `get_list` also reads the user's
	document shares on every call and widens the scope with them (a third of an order's page, profiled);
	a share never widens a customer's scope here."""
	if not frappe.has_permission(doctype, "read"):
		raise frappe.PermissionError
	table = frappe.qb.DocType(doctype)
	query = frappe.qb.from_(table).select(*(table[name] for name in fields))
	if (scope := get_scope(doctype)) is not None:
		query = query.where(scope.criterion(table))
	for name, value in filters.items():
		query = query.where(table[name] == value)
	return query.orderby(table[order_by], order=Order.desc if descending else Order.asc).run(as_dict=True)


def attached_files(doctype: str, names: list[str]) -> dict[str, list[frappe._dict]]:
	"""The files attached to rows of `doctype` that the caller read through the scope, by row, oldest
	first. A file attached to a record follows the record (the policy's rule for files), so a customer's
	users see every file on their own records, whoever attached it: Frappe's `get_list` of File shows a
	website user only the files they uploaded themselves (its own query condition for File)."""
	if not names:
		return {}
	file = frappe.qb.DocType("File")
	files = {}
	for row in (
		frappe.qb.from_(file)
		.select(file.name, file.file_name, file.attached_to_name)
		.where((file.attached_to_doctype == doctype) & file.attached_to_name.isin(names))
		.orderby(file.creation)
		.orderby(file.name)
		.run(as_dict=True)
	):
		files.setdefault(row.attached_to_name, []).append(row)
	return files


def build_queries(doctype, customer, fields, conditions, sort_field, cursor, size):
	"""The page query (size + 1 rows after the cursor) and the count query (of at most COUNT_LIMIT + 1
	rows), both through the scope."""
	table = frappe.qb.DocType(doctype)
	where = table.customer == customer
	scope = get_scope(doctype)
	if scope is not None:
		where &= scope.criterion(table)
	for condition in conditions:
		where &= condition
	query = frappe.qb.from_(table).select(*(table[f] for f in {*fields, "name", sort_field})).where(where)
	after = decode_cursor(cursor)
	if after:
		value, name = after
		# the leading `sort <= value` lets the (customer, sort) index seek to the cursor; MariaDB still
		# prefers to read the customer's rows from the newest one and filter them (16 s for row 212,072
		# of 282,763 in ./dev benchmark, 1 ms seeking), so the index is named when the doctype has it
		query = query.where(
			(table[sort_field] <= value) & ((table[sort_field] < value) | (table.name < name))
		)
		if index := seek_index(doctype, sort_field):
			query = query.force_index(index)
	query = (
		query.orderby(table[sort_field], order=Order.desc)
		.orderby(table.name, order=Order.desc)
		.limit(size + 1)
	)
	counted = frappe.qb.from_(table).select(table.name).where(where).limit(COUNT_LIMIT + 1)
	return query, frappe.qb.from_(counted).select(Count("*"))


def seek_index(doctype: str, sort_field: str) -> str:
	"""The (customer, sort column) index of `doctype` a keyset page seeks in ("" if it has none); added by
	the doctypes' `on_doctype_update` under `frappe.db.add_index`'s name."""
	name = f"customer_{sort_field}_index"
	return frappe.cache.hget(
		"customer_portal:seek_index",
		f"{doctype}:{sort_field}",
		lambda: name if frappe.db.has_index(f"tab{doctype}", name) else "",
	)


def like(text: str) -> str:
	"""A LIKE pattern matching `text` anywhere, with LIKE's wildcards in `text` taken literally."""
	escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
	return f"%{escaped}%"


def date_arg(name: str, errors: list[str]):
	"""A YYYY-MM-DD date from the query string; a bad one is reported and ignored."""
	value = (frappe.form_dict.get(name) or "").strip()
	if not value:
		return None
	try:
		return frappe.utils.getdate(value) if len(value) == 10 else None
	except Exception:
		errors.append(frappe._("{0} is not a date (use YYYY-MM-DD); it was ignored.").format(value))
		return None


def read_filters(context, table, date_field: str) -> list:
	"""Read the search text and the date range every list offers into `context`; return the date
	range's conditions on `date_field` (a bad date is reported on the page and ignored)."""
	context.errors = []
	context.q = (frappe.form_dict.get("q") or "").strip()[:140]
	context.date_from = date_arg("from", context.errors)
	context.date_to = date_arg("to", context.errors)
	conditions = []
	if context.date_from:
		conditions.append(table[date_field] >= context.date_from)
	if context.date_to:
		conditions.append(table[date_field] < frappe.utils.add_days(context.date_to, 1))
	return conditions


def read_sort(context, sorts: dict[str, str], default: str) -> str:
	context.sort = choice_arg("sort", sorts, default)
	context.sort_options = [(key, frappe._(label)) for key, label in sorts.items()]
	return context.sort


def choice_arg(name: str, allowed, default=None):
	value = frappe.form_dict.get(name)
	return value if value in allowed else default


def list_args(*names: str) -> dict:
	"""The list's current filters, to carry into pager and sort links."""
	return {name: frappe.form_dict[name] for name in names if frappe.form_dict.get(name)}


def page_start() -> int:
	return max(frappe.utils.cint(frappe.form_dict.get("start")), 1)
