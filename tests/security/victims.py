"""The records the probe suite attacks: one row of every scoped doctype that belongs to another customer
(Globex Manufacturing, carol's company in the demo data), plus a portal user of that customer.

The demo data has rows of the main doctypes; for any scoped doctype it has none of (logs, tokens,
exports, a doctype added later), a row is written straight to its table with every mandatory field filled
from the field's type: the probes are about who may reach a row, not about what it says. So a new scoped
doctype is attacked without anyone writing a fixture for it.
"""

import re

from portal_client import site_connection

VICTIM_CUSTOMER = "Globex Manufacturing"
VICTIM_USER = "carol@globex.example.com"
CANARY = "probe-canary-globex"
USER = "User"


def _filler(frappe, df):
	if df.fieldtype == "Link":
		if df.options == "Customer":
			return VICTIM_CUSTOMER
		if df.options == "User":
			return VICTIM_USER
		return frappe.db.get_value(df.options, {}, "name")
	if df.fieldtype == "Select":
		return next((o for o in (df.options or "").split("\n") if o), None)
	if df.fieldtype in ("Date", "Datetime"):
		return frappe.utils.now_datetime()
	if df.fieldtype in ("Int", "Float", "Currency", "Percent"):
		return 1
	if df.fieldtype == "Check":
		return 0
	if df.fieldtype in ("Dynamic Link", "Table", "Table MultiSelect"):
		return None
	return CANARY


def _write_row(frappe, doctype: str, values: dict) -> str:
	"""A row with the scope's values and every mandatory field filled: inserted as staff would (so that
	controllers keep their invariants, e.g. the activity log's hash chain), or, if its controller refuses
	the filler values, written straight to the table."""
	doc = frappe.new_doc(doctype)
	doc.update(values)
	for df in frappe.get_meta(doctype).fields:
		if df.reqd and doc.get(df.fieldname) in (None, ""):
			doc.set(df.fieldname, _filler(frappe, df))
	frappe.db.savepoint("victim_row")
	try:
		doc.insert(ignore_permissions=True, ignore_links=True)
	except Exception:
		frappe.db.rollback(save_point="victim_row")
		frappe.clear_messages()
		doc.set_new_name()
		doc.set_user_and_timestamp()
		doc.db_insert()
	return doc.name


def scope_filters(frappe, doctype: str) -> dict:
	"""Filters that select the victim's rows of `doctype`."""
	from customer_portal import permissions

	filters = {}
	if doctype in permissions.CUSTOMER_FIELD:
		filters[permissions.CUSTOMER_FIELD[doctype]] = VICTIM_CUSTOMER
	if doctype in permissions.USER_FIELD:
		filters[permissions.USER_FIELD[doctype]] = VICTIM_USER
	if doctype in permissions.CHILD_PARENT:
		parent = permissions.CHILD_PARENT[doctype]
		parents = frappe.get_all(parent, filters=scope_filters(frappe, parent), pluck="name")
		filters["parent"] = ["in", parents]
	if doctype == "File":
		filters.update(attached_to_doctype="Document", attached_to_name=victim_of(frappe, "Document"))
	for flag in (permissions.STAFF_ONLY_FLAG.get(doctype),):
		if flag:
			filters[flag] = 0
	return filters


def victim_of(frappe, doctype: str) -> str | None:
	filters = scope_filters(frappe, doctype)
	if doctype == "Invoice":
		filters["docstatus"] = 1
	return frappe.db.get_value(doctype, filters, "name", order_by="creation desc")


def make_victims(doctypes: list[str]) -> dict[str, str]:
	"""doctype -> the name of a row of that doctype owned by the victim (written if there is none yet)."""
	from customer_portal import permissions

	victims = {}
	with site_connection() as frappe:
		for doctype in doctypes:
			name = victim_of(frappe, doctype)
			if not name and doctype not in permissions.CHILD_PARENT and doctype != "File":
				values = {k: v for k, v in scope_filters(frappe, doctype).items() if isinstance(v, str | int)}
				name = _write_row(frappe, doctype, values)
			if not name:
				raise AssertionError(f"no row of {doctype} belongs to {VICTIM_CUSTOMER}: nothing to probe")
			victims[doctype] = str(name)
		victims[USER] = VICTIM_USER
	return victims


def missing_name(frappe, doctype: str, name: str) -> str:
	"""A name shaped like `name` that no row of `doctype` has."""
	candidate = re.sub(r"\d", "9", name) if re.search(r"\d", name) else f"nobody-{name}"
	if name.isdigit():
		# numbered rows keep being written while the probes run (the attackers' own refusals are
		# logged): a number far past the current ones stays unused
		candidate = str(int(name) + 10**9)
	if doctype == USER or "@" in name:
		candidate = f"nobody-{name}"
	while frappe.db.exists(doctype, candidate):
		candidate += "x"
	return candidate


def missing_names(victims: dict[str, str]) -> dict[str, str]:
	with site_connection() as frappe:
		return {doctype: missing_name(frappe, doctype, name) for doctype, name in victims.items()}


def canaries() -> list[str]:
	"""Strings only the victim's records contain: their customer, their users' addresses, the filler."""
	with site_connection() as frappe:
		users = frappe.get_all("Customer Portal User", filters={"parent": VICTIM_CUSTOMER}, pluck="user")
	return [VICTIM_CUSTOMER, CANARY, *users]


def snapshot(doctypes: list[str]) -> dict[str, tuple]:
	"""Per doctype: how many rows the victim has and when the newest was last changed."""
	state = {}
	with site_connection() as frappe:
		for doctype in doctypes:
			filters = scope_filters(frappe, doctype)
			state[doctype] = (
				frappe.db.count(doctype, filters),
				str(frappe.db.get_value(doctype, filters, "max(modified)")),
			)
	return state
