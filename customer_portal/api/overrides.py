"""Overrides of Frappe v15 endpoints that would answer around the scoping policy.

- `frappe.client.get_count` counts with `frappe.db.count`, without permissions, any doctype at all;
- `frappe.client.validate_link` looks the name up with `frappe.db.get_value`, without permissions;
- `frappe.desk.search.search_link` / `search_widget` with `ignore_user_permissions=1` query with
  `ignore_permissions=True` for anyone who may read the doctype;
- `frappe.client.delete` says "does not exist" differently for a missing name than for a record it loads;
- `frappe.client.has_permission`, `frappe.desk.search.get_link_title` and
  `frappe.website...discussion_topic.submit_discussion` look at a named record without the policy.
Each would tell a portal user that another customer's record exists. And `frappe.desk.form.load.getdoc`
/ `get_docinfo` hand out a record's desk timeline (staff comments, emails, versions, views, assignments):
staff talk about a customer's order or ticket there, so customer users get the record without it. For customer-owned doctypes and
restricted users they answer through `frappe.get_list`, i.e. through the scoping policy; everything else
keeps Frappe's behaviour.
"""

import frappe
import frappe.client
import frappe.desk.form.load
import frappe.desk.search
from frappe.utils import cint, get_safe_filters

from customer_portal.permissions import SCOPED_DOCTYPES, is_unrestricted, is_visible, raise_not_found
from customer_portal.request_guards import guard_delete


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


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields=None):
	if isinstance(doctype, str) and isinstance(docname, str) and _is_scoped(doctype):
		if not frappe.get_list(doctype, filters={"name": docname}, pluck="name", limit_page_length=1):
			return frappe._dict()
	return frappe.client.validate_link(doctype, docname, fields)


@frappe.whitelist(methods=["POST", "DELETE"])
def delete(doctype: str, name: str) -> None:
	guard_delete(doctype, name)
	frappe.client.delete(doctype, name)


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


@frappe.whitelist()
def has_permission(doctype: str, docname: str, perm_type: str = "read"):
	"""Frappe judges a child row only by the role permissions of its parent doctype (never the parent row)
	and so says "yes" about another customer's rows; a row outside the scope gets the missing row's no."""
	if _is_scoped(doctype) and not is_visible(doctype, docname):
		return {"has_permission": False}
	return frappe.client.has_permission(doctype, docname, perm_type)


@frappe.whitelist()
def get_link_title(doctype: str, docname: str):
	"""Frappe reads the title without asking permission."""
	if _is_scoped(doctype) and not is_visible(doctype, docname):
		return None
	return frappe.desk.search.get_link_title(doctype, docname)


@frappe.whitelist()
def submit_discussion(doctype, docname, reply, title, topic_name=None, reply_name=None):
	"""Frappe opens a discussion on any record a signed-in user names (and its link check tells a missing
	record from another customer's)."""
	from frappe.website.doctype.discussion_topic import discussion_topic

	if isinstance(doctype, str) and _is_scoped(doctype) and not is_visible(doctype, docname):
		raise_not_found(doctype, docname)
	return discussion_topic.submit_discussion(doctype, docname, reply, title, topic_name, reply_name)
