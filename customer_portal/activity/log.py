"""The activity log: an append-only record of what customer users did, chained by hashes.

`record` writes an entry in the request (durably: a refused attempt is kept although its request rolls
back). `seal_entries` (every minute) extends the hash chain over new entries in id order: each entry's
hash covers its own content and the previous entry's hash, so editing, deleting or inserting an entry in
the database breaks the chain from there on, which `verify` reports. Retention moves old entries to a
private archive file and keeps the hash they end on, so the log still verifies from there.

Sealing outside the request keeps the chain off the request path (no lock shared by every request); an
entry is unsealed for at most a minute or so, and `verify` counts those separately.

Renaming a record rewrites every link to it, entries included (Frappe's rename, a legitimate staff
action: a customer changes its name, two customers are merged). So a rename is itself an entry of the chain
("Rename", old and new name), and `verify` accepts an entry whose hash matches the names it had before the
renames recorded after it; any other change is still reported.
"""

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from itertools import product

import frappe
from frappe.utils import add_days, cint, get_datetime, now_datetime

from customer_portal.activity.entries import add_entry
from customer_portal.infra.durable import insert_durably, request_origin
from customer_portal.infra.transactions import named_lock
from customer_portal.permissions import get_active_customer, get_permitted_customers

GENESIS = "0" * 64
# what the hash covers, in this order
HASHED_FIELDS = (
	"name",
	"creation",
	"action",
	"user",
	"customer",
	"reference_doctype",
	"reference_name",
	"details",
	"ip_address",
	"user_agent",
)
# the hashed fields that link to a record (the doctype named, or the field holding it), which a rename rewrites
LINKED_FIELDS = {"user": "User", "customer": "Customer", "reference_name": "reference_doctype"}
SEAL_LOCK = "customer_portal_activity_seal"
# entries younger than this are left for the next run: their transactions may still be open
SETTLE_SECONDS = 5


def record(
	action: str,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	details: dict | None = None,
	customer: str | None = None,
	user: str | None = None,
	refused: bool = False,
) -> None:
	"""Record one action of a customer user (staff and guests are not recorded unless `user` is given)."""
	user = user or frappe.session.user
	if user == "Guest" or (customer is None and get_permitted_customers(user) is None):
		return
	if customer is None:
		customer = get_active_customer(user)
	add_entry(action, user, customer, reference_doctype, reference_name, details, refused)


def record_rename(doc, method, old: str, new: str, merge: bool = False) -> None:
	"""Doc event (every doctype, after_rename): a rename of a record the log can name (a user or one of the
	app's records) becomes an entry, in the rename's own transaction, so `verify` knows the old names."""
	if old == new or not (doc.doctype == "User" or frappe.get_meta(doc.doctype).module == "Customer Portal"):
		return
	insert_durably(
		{
			"doctype": "Portal Activity",
			"action": "Rename",
			"user": frappe.session.user,
			"customer": "",
			"reference_doctype": doc.doctype,
			"reference_name": new,
			"details": json.dumps({"old": old, "new": new, "merge": bool(merge)}, sort_keys=True),
			**request_origin(),
		}
	)


def entry_hash(previous: str, row: dict) -> str:
	payload = json.dumps(
		[previous, *(_canonical(row.get(name)) for name in HASHED_FIELDS)], ensure_ascii=False
	)
	return hashlib.sha256(payload.encode()).hexdigest()


def _canonical(value):
	if value is None or value == "":
		return ""
	if hasattr(value, "isoformat"):
		return get_datetime(value).strftime("%Y-%m-%d %H:%M:%S.%f")
	return str(value)


def seal_entries(limit: int = 5000, settle_seconds: int = SETTLE_SECONDS) -> int:
	"""Scheduler: chain the entries written since the last run; returns how many were sealed."""
	with named_lock(SEAL_LOCK, 0) as locked:
		if not locked:
			return 0  # another worker is sealing
		last = frappe.db.sql(
			"""select name, entry_hash from `tabPortal Activity`
			where entry_hash is not null order by name desc limit 1"""
		)
		previous, after = (last[0][1], last[0][0]) if last else (_archive_anchor(), 0)
		settled = frappe.utils.add_to_date(now_datetime(), seconds=-settle_seconds)
		rows = frappe.db.sql(
			f"""select {", ".join(f"`{name}`" for name in HASHED_FIELDS)} from `tabPortal Activity`
			where entry_hash is null and name > %s and creation <= %s order by name limit %s""",
			(after, settled, limit),
			as_dict=True,
		)
		for row in rows:
			digest = entry_hash(previous, row)
			frappe.db.sql(
				"update `tabPortal Activity` set previous_hash = %s, entry_hash = %s where name = %s",
				(previous, digest, row.name),
			)
			previous = digest
		frappe.db.commit()
		return len(rows)


@dataclass
class Verification:
	checked: int = 0
	unsealed: int = 0
	problems: list[str] = field(default_factory=list)

	@property
	def intact(self) -> bool:
		return not self.problems


def verify(batch: int = 5000, progress=None) -> Verification:
	"""Walk the whole log from the archive's anchor and recompute every hash."""
	result = Verification()
	renames = _renames()
	previous = _archive_anchor()
	total = frappe.db.count("Portal Activity")
	after = 0
	sealed_until = None
	while True:
		rows = frappe.db.sql(
			f"""select {", ".join(f"`{name}`" for name in HASHED_FIELDS)}, previous_hash, entry_hash
			from `tabPortal Activity` where name > %s order by name limit %s""",
			(after, batch),
			as_dict=True,
		)
		if not rows:
			break
		for row in rows:
			after = row.name
			if not row.entry_hash:
				result.unsealed += 1
				sealed_until = sealed_until or row.name
				continue
			result.checked += 1
			if sealed_until is not None:
				result.problems.append(f"entry {row.name} is sealed after unsealed entry {sealed_until}")
			if row.previous_hash != previous:
				result.problems.append(
					f"entry {row.name} does not follow the entry before it (one was removed or inserted)"
				)
			if entry_hash(row.previous_hash or "", row) != row.entry_hash and not _hashed_before_renames(
				row, renames
			):
				result.problems.append(f"entry {row.name} was changed after it was recorded")
			previous = row.entry_hash
			if progress:
				progress(result.checked + result.unsealed, total)
	return result


def _renames() -> list[tuple[int, str, str, str]]:
	"""The renames the log recorded, in chain order: (entry, doctype, old name, new name)."""
	rows = frappe.db.sql(
		"""select name, reference_doctype, details from `tabPortal Activity`
		where action = 'Rename' order by name""",
		as_dict=True,
	)
	renames = []
	for row in rows:
		details = json.loads(row.details or "{}")
		renames.append((row.name, row.reference_doctype, details.get("old"), details.get("new")))
	return renames


def _hashed_before_renames(row: dict, renames: list) -> bool:
	"""Whether `row`'s hash matches it with the names its links had before the renames recorded after it
	(a merge leaves two possible earlier names, so each combination is tried)."""
	later = [rename for rename in renames if rename[0] > row.name]
	if not later:
		return False
	candidates = []
	for fieldname, linked in LINKED_FIELDS.items():
		doctype = row.get(linked) if linked in HASHED_FIELDS else linked
		names = [row.get(fieldname)]
		for _entry, renamed_doctype, old, new in reversed(later):
			if renamed_doctype == doctype and new in names and old not in names:
				names.append(old)
		candidates.append(names)
	if all(len(names) == 1 for names in candidates):
		return False
	return any(
		entry_hash(row.previous_hash or "", {**row, **dict(zip(LINKED_FIELDS, names, strict=True))})
		== row.entry_hash
		for names in product(*candidates)
	)


def _archive_anchor() -> str:
	last = frappe.get_all(
		"Portal Activity Archive", fields=["last_hash"], order_by="last_entry desc", limit=1
	)
	return last[0].last_hash if last else GENESIS


def archive_old_entries() -> int:
	"""Daily: move sealed entries older than the retention period to a private gzip JSONL file, and keep
	the hash they end on, so the log still verifies. Returns how many were archived."""
	days = cint(frappe.db.get_single_value("Customer Portal Settings", "activity_retention_days"))
	if days <= 0:
		return 0
	cutoff = add_days(now_datetime(), -days)
	columns = (*HASHED_FIELDS, "previous_hash", "entry_hash")
	# the oldest entries of the chain up to the last sealed one older than the cutoff: a prefix of it
	until = frappe.db.sql(
		"select max(name) from `tabPortal Activity` where creation < %s and entry_hash is not null", (cutoff,)
	)[0][0]
	if not until:
		return 0
	rows = frappe.db.sql(
		f"""select {", ".join(f"`{name}`" for name in columns)} from `tabPortal Activity`
		where name <= %s and entry_hash is not null order by name""",
		(until,),
		as_dict=True,
	)
	if not rows:
		return 0
	lines = "\n".join(json.dumps(row, default=_canonical, sort_keys=True) for row in rows) + "\n"
	first, last = rows[0], rows[-1]
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"portal-activity-{first.name}-{last.name}.jsonl.gz",
			"is_private": 1,
			"content": gzip.compress(lines.encode()),
		}
	).insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Portal Activity Archive",
			"first_entry": first.name,
			"last_entry": last.name,
			"entries": len(rows),
			"previous_hash": first.previous_hash,
			"last_hash": last.entry_hash,
			"file": file.file_url,
		}
	).insert(ignore_permissions=True)
	frappe.db.sql(
		"delete from `tabPortal Activity` where name <= %s and entry_hash is not null", (last.name,)
	)
	frappe.db.commit()
	return len(rows)
