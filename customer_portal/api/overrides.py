"""Overrides of Frappe v15 endpoints that would answer around the scoping policy.

- `frappe.client.get_count` counts with `frappe.db.count`, without permissions, any doctype at all;
- `frappe.desk.search.search_link` / `search_widget` with `ignore_user_permissions=1` query with
  `ignore_permissions=True` for anyone who may read the doctype;
- `frappe.desk.form.load.getdoc` / `get_docinfo` hand out a record's desk timeline (staff comments, emails,
  versions, views, assignments): staff talk about a customer's order or ticket there, so customer users
  get the record without it.
For customer-owned doctypes and restricted users they answer through the scoping policy; everything else
keeps Frappe's behaviour. A record a request names that its user may not reach is answered before any of
them runs (`request_guards.guard_named_records`).
"""

import frappe
import frappe.client
import frappe.desk.form.load
import frappe.desk.search
from frappe.utils import cint, get_safe_filters

from customer_portal.permissions import SCOPED_DOCTYPES, is_unrestricted


def _is_scoped(doctype: str) -> bool:
	return doctype in SCOPED_DOCTYPES and not is_unrestricted()


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug=False, cache=False) -> int:
	# restricted users count through `frappe.get_list`, every doctype: Frappe's count of a doctype they may
	# not read at all (User: "is there an account for this address?") answered 1 or 0 all the same
	if is_unrestricted():
		return frappe.client.get_count(doctype, filters, debug, cache)
	rows = frappe.get_list(
		doctype, filters=get_safe_filters(filters), fields=["count(*) as count"], order_by=None
	)
	return rows[0].count if rows else 0


# search and form load forward every argument but the one they change through `frappe.call`, which passes
# a function only the parameters it takes: Frappe's signatures differ between v15 releases (getdoc lost
# its `user` in 15.74), so these overrides copy none of them
@frappe.whitelist()
def search_link(doctype: str, txt: str, **kwargs):
	kwargs["ignore_user_permissions"] = bool(cint(kwargs.get("ignore_user_permissions"))) and not _is_scoped(
		doctype
	)
	return frappe.call(frappe.desk.search.search_link, doctype=doctype, txt=txt, **kwargs)


@frappe.whitelist()
def search_widget(doctype: str, txt: str, **kwargs):
	kwargs["ignore_user_permissions"] = bool(cint(kwargs.get("ignore_user_permissions"))) and not _is_scoped(
		doctype
	)
	return frappe.call(frappe.desk.search.search_widget, doctype=doctype, txt=txt, **kwargs)


@frappe.whitelist()
def getdoc(doctype: str, name: str, **kwargs):
	frappe.call(frappe.desk.form.load.getdoc, doctype=doctype, name=name, **kwargs)
	if _is_scoped(doctype):
		frappe.response.pop("docinfo", None)


@frappe.whitelist()
def get_docinfo(doc=None, doctype: str | None = None, name: str | None = None):
	if doc is None and doctype and _is_scoped(doctype):
		frappe.get_doc(doctype, name).check_permission("read")  # another customer's: not found
		return
	return frappe.desk.form.load.get_docinfo(doc, doctype, name)
