"""The scoping policy: which customers a user may see, and the one rule built from it.

Every path that reaches a customer's records asks this module: list queries, counts, reports and link
search (`permission_query_conditions`), single documents, print views and attachments (`has_permission`),
portal pages (`has_website_permission`) and the app's own queries (`Scope.criterion`). A record outside
the user's scope answers exactly like a record that does not exist.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder.functions import IfNull
from frappe.query_builder.terms import NamedParameterWrapper
from frappe.utils import cint

from customer_portal.activity.entries import add_entry

STAFF_ROLE = "Customer Portal Staff"
PORTAL_ROLE = "Customer Portal User"
PORTAL_ADMIN_ROLE = "Customer Portal Admin"
UNRESTRICTED_ROLES = frozenset({STAFF_ROLE, "System Manager"})

# doctype -> the field that names the customer owning a row (a Customer is its own owner)
CUSTOMER_FIELD = {
	"Customer": "name",
	"Order": "customer",
	"Invoice": "customer",
	"Document": "customer",
	# staff-only today (portal roles have no permission on them); scoped all the same
	"Document Access Log": "customer",
	"Document Download Link": "customer",
	"Portal Event": "customer",
	"Order Stage Time": "customer",
	"Order Month Figure": "customer",
	"Invoice Month Figure": "customer",
	# a user's notifications: their customers' and their own (USER_FIELD)
	"Portal Notification": "customer",
	# customer admins read their own company's activity and invitations (ADMIN_SCOPED)
	"Portal Activity": "customer",
	"Portal Invitation": "customer",
	# payments recorded against invoices (payments/)
	"Invoice Payment": "customer",
	# a user's bulk exports of their customer's invoices (exports/)
	"Portal Export": "customer",
	# support tickets and their threads (tickets/)
	"Support Ticket": "customer",
	"Support Ticket Message": "customer",
}
# doctype -> the field naming the one user a row belongs to: a customer's user sees only their own rows
USER_FIELD = {
	"Portal Notification": "user",
	"Portal Notification Preference": "user",
	"Portal API Token": "user",
	"Portal Export": "user",
}
# doctypes whose rows a customer's user sees only for customers they administer
ADMIN_SCOPED = frozenset({"Portal Activity", "Portal Invitation"})
CUSTOMER_ADMIN = "Customer Admin"
# child doctype -> its parent; child rows are scoped through their parent row
CHILD_PARENT = {
	"Customer Portal User": "Customer",
	"Order Item": "Order",
	"Order Stage History": "Order",
	"Invoice Item": "Invoice",
	"Document Version": "Document",
}
# every doctype the policy guards
SCOPED_DOCTYPES = frozenset({*CUSTOMER_FIELD, *USER_FIELD, *CHILD_PARENT, "File"})
# drafts are staff work in progress: customers see an invoice once it is submitted (or cancelled)
VISIBLE_DOCSTATUS = {"Invoice": (1, 2)}
# doctype -> a check field that makes a row staff-only: customers never reach it (internal notes)
STAFF_ONLY_FLAG = {"Support Ticket Message": "internal"}
# permission types answered from the row as loaded; any other (write, delete, print, ...) re-reads the
# stored owner, so a request body cannot move another customer's record into scope
TRUSTED_READS = frozenset({"read", "select"})
# what a read-only API token may do
READ_PTYPES = frozenset({"read", "select", "print", "report", "export"})

# doctypes customers create or change only inside an app endpoint that opened a write window for them
# (`portal_write`); the same change through REST, desk or frappe.client is refused
WRITE_WINDOWS = frozenset(
	{
		"File",
		"Order",
		"Document",
		"Invoice Payment",
		"Portal Export",
		"Portal Invitation",
		"Portal API Token",
		"Support Ticket",
		"Support Ticket Message",
	}
)
WINDOWED_PTYPES = frozenset({"create", "write"})
# doctype -> table field that customer users change only inside a write window for the doctype: a
# customer's portal users are managed on /portal/users, while its admins edit the rest in a Web Form
WINDOWED_TABLES = {"Customer": ("portal_users", ("user", "portal_role"))}

# Deny by default. A restricted user (`is_restricted`) reaches, of every doctype of every installed app,
# the doctypes the policy scopes (each answered by its own rule above) and those listed here, each with
# the permission types it is needed for; every other doctype is refused for every permission type and
# lists nothing (`deny_by_default`, Frappe's `"*"` permission hooks).
READ_ONLY = frozenset({"read", "select"})
ALLOWED_DOCTYPES = {
	# the configuration portal pages show: the order timeline's stages, the document library's types and
	# the ticket form's categories
	"Order Stage": READ_ONLY,
	"Document Type": READ_ONLY,
	"Ticket Category": READ_ONLY,
	# a signed-in user's own account (OWN_ROW): the account page shows it and saves its language, time
	# zone and password on it
	"User": frozenset({"read", "select", "write"}),
}
# Frappe's whitelisted functions a restricted user may call, besides the app's own and those Frappe lets
# guests call (the public website). Every other function answers "Not permitted" to them
# (`request_guards.guard_functions`): Frappe's desk functions answer schema, roles, installed apps and
# settings without asking for a record permission.
PORTAL_FUNCTIONS = frozenset(
	{
		# the session: who is signed in, and signing out
		"frappe.auth.get_logged_user",
		"frappe.handler.logout",
		"frappe.handler.web_logout",
		# Frappe's client API on their own records, judged by the permission layer (the least-privilege
		# matrix tries each on every doctype): reads, searches and Link fields of the portal's Web Forms,
		# and print; their writes go through the app's endpoints
		"frappe.client.get",
		"frappe.client.get_list",
		"frappe.client.get_value",
		"frappe.client.get_count",
		"frappe.client.validate_link",
		"frappe.desk.reportview.get",
		"frappe.desk.form.load.getdoc",
		"frappe.desk.search.search_link",
		"frappe.desk.search.search_widget",
		"frappe.utils.print_format.download_pdf",
		# Frappe's upload, so that a file sent past the portal gets the File rule's own answer
		"frappe.handler.upload_file",
	}
)
# doctype -> the field naming the user a row of an allowed doctype must be to be theirs
OWN_ROW = {"User": "name"}
# Frappe's desk actions on a record, each a record of these doctypes that Frappe writes with
# `ignore_permissions`: comments and likes, assignments, tags, follows, shares and emails. Restricted users
# talk to staff through tickets, so they make none of them, outside the app's own writes (`portal_write`:
# Frappe notes an attachment or a workflow step in the record's timeline).
DESK_ACTION_DOCTYPES = (
	"Comment",
	"ToDo",
	"Tag",
	"Tag Link",
	"DocShare",
	"Document Follow",
	"Communication",
)
# Files Frappe's background jobs store for a restricted user, attached to a record of these doctypes: the
# JSON of their personal data download (never from a request, where Frappe's upload_file could name one)
JOB_FILES = frozenset({"Personal Data Download Request"})
# Frappe's role that every user with desk access holds
DESK_ROLE = "Desk User"

_CACHE_KEY = "customer_portal_permitted_customers"
# the user default that remembers which of their customers a user last chose
ACTIVE_CUSTOMER_DEFAULT = "customer_portal_active_customer"
_WINDOWS_KEY = "customer_portal_write_windows"


def portal_user_rows(link):
	"""Criterion for the rows of a Customer Portal User table (`link`) that are a Customer's portal users."""
	return (link.parenttype == "Customer") & (link.parentfield == "portal_users")


def is_unrestricted(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or not UNRESTRICTED_ROLES.isdisjoint(frappe.get_roles(user))


def is_restricted(user: str | None = None) -> bool:
	"""Whether `user` is confined to the portal: signed in, not staff, and holding a portal role or no desk
	access (customer admins and members, and website users linked to no customer). Guests keep Frappe's
	own rules for the public website."""
	user = user or frappe.session.user
	if user in ("Administrator", "Guest"):
		return False
	roles = frappe.get_roles(user)
	if not UNRESTRICTED_ROLES.isdisjoint(roles):
		return False
	return PORTAL_ROLE in roles or PORTAL_ADMIN_ROLE in roles or DESK_ROLE not in roles


def require_staff() -> None:
	"""Staff actions (not `frappe.only_for`, which lets everyone through while tests run)."""
	if not is_unrestricted():
		raise frappe.PermissionError(_("Only portal staff may do this."))


def get_permitted_customers(user: str | None = None, admin: bool = False) -> tuple[str, ...] | None:
	"""Customers whose records `user` may see (with `admin`, those they administer); None means every
	customer (staff)."""
	user = user or frappe.session.user
	if is_unrestricted(user):
		return None
	cache = getattr(frappe.local, _CACHE_KEY, None)
	if cache is None:
		cache = {}
		setattr(frappe.local, _CACHE_KEY, cache)
	if user not in cache:
		link = frappe.qb.DocType("Customer Portal User")
		customer = frappe.qb.DocType("Customer")
		rows = (
			frappe.qb.from_(link)
			.join(customer)
			.on(customer.name == link.parent)
			.select(link.parent, link.portal_role)
			.where((link.user == user) & portal_user_rows(link) & (customer.status != "Inactive"))
			.orderby(link.parent)
			.run()
		)
		cache[user] = (
			tuple(dict.fromkeys(name for name, _role in rows)),
			tuple(dict.fromkeys(name for name, role in rows if role == CUSTOMER_ADMIN)),
		)
	return cache[user][1 if admin else 0]


def get_active_customer(user: str | None = None) -> str | None:
	"""The customer whose records the portal shows: the user's remembered choice if still permitted,
	else their first customer. None for a user linked to no customer (and for unrestricted staff)."""
	customers = get_permitted_customers(user) or ()
	remembered = frappe.defaults.get_user_default(ACTIVE_CUSTOMER_DEFAULT, user)
	if remembered in customers:
		return remembered
	return customers[0] if customers else None


def clear_permitted_customers_cache() -> None:
	if getattr(frappe.local, _CACHE_KEY, None) is not None:
		setattr(frappe.local, _CACHE_KEY, None)


@dataclass(frozen=True)
class Scope:
	"""The rows of one doctype that one user may reach."""

	doctype: str
	customers: tuple[str, ...]
	user: str | None = None

	@property
	def field(self) -> str | None:
		return CUSTOMER_FIELD.get(self.doctype)

	@property
	def user_field(self) -> str | None:
		return USER_FIELD.get(self.doctype) if self.user else None

	@property
	def docstatus(self) -> tuple[int, ...] | None:
		return VISIBLE_DOCSTATUS.get(self.doctype)

	@property
	def staff_only_flag(self) -> str | None:
		return STAFF_ONLY_FLAG.get(self.doctype)

	def admits(self, values, *, new: bool = False) -> bool:
		"""Whether a row (a document or a dict of its stored values) lies inside the scope.

		A new row is judged by the customer it names alone: its draft docstatus is not visibility."""
		if self.field and values.get(self.field) not in self.customers:
			return False
		if self.user_field and values.get(self.user_field) != self.user:
			return False
		if self.staff_only_flag and values.get(self.staff_only_flag):
			return False
		return new or self.docstatus is None or values.get("docstatus") in self.docstatus

	def criterion(self, table=None):
		"""The scope as a query-builder criterion: the app's own queries use it, and `sql` is made from it."""
		table = table or frappe.qb.DocType(self.doctype)
		if self.field and not self.customers:
			return table.name.isnull() & table.name.notnull()
		condition = table[self.field].isin(self.customers) if self.field else table.name.notnull()
		if self.user_field:
			condition &= table[self.user_field] == self.user
		if self.docstatus:
			condition &= table.docstatus.isin(self.docstatus)
		if self.staff_only_flag:
			condition &= IfNull(table[self.staff_only_flag], 0) == 0
		return condition

	def sql(self) -> str:
		"""The criterion as a WHERE fragment for `permission_query_conditions`. Its values are escaped by
		the database connection (`frappe.db.mogrify`): pypika's inline values only double quotes, which
		MariaDB's backslash escapes undo."""
		values = NamedParameterWrapper()
		fragment = self.criterion().get_sql(quote_char="`", with_namespace=True, param_wrapper=values)
		return f"({frappe.db.mogrify(fragment, values.get_parameters())})"


def get_scope(doctype: str, user: str | None = None) -> Scope | None:
	"""The user's scope for a customer- or user-owned doctype; None when the user is unrestricted."""
	user = user or frappe.session.user
	customers = get_permitted_customers(user, admin=doctype in ADMIN_SCOPED)
	return None if customers is None else Scope(doctype, customers, user)


def raise_not_found(doctype: str, name, *, as_load: bool = False) -> None:
	"""Answer exactly as Frappe answers for a record that does not exist (a customer user's attempt is
	kept in the activity log); `as_load`: as Frappe's own loading of a missing record answers."""
	user = frappe.session.user
	if user != "Guest" and not is_unrestricted(user):
		add_entry(
			"Access Denied",
			user,
			get_active_customer(user),
			doctype,
			str(name or "")[:140] or None,
			refused=True,
		)
	try:
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	except frappe.DoesNotExistError as e:
		if as_load:
			# as Frappe's loading of a missing record carries it from 15.74 on: its error handler then
			# answers a doctype the user may not read with 403 (handle_does_not_exist_error), for a missing
			# record and this one alike
			e.doctype = doctype
		raise


def load_scoped(doctype: str, name, ptype: str = "read"):
	"""A record through the scoping policy (and role permissions), or None for anything the user may not
	reach, whatever the reason: the one way the app's endpoints and pages load a record. Each caller
	answers a None its own way (the usual "not found", the site's 404 page)."""
	if not name:
		return None
	try:
		doc = frappe.get_doc(doctype, name)
		doc.check_permission(ptype)
	except (frappe.DoesNotExistError, frappe.PermissionError):
		frappe.clear_messages()
		frappe.flags.error_message = None
		return None
	return doc


def get_scoped_doc(doctype: str, name, ptype: str = "read"):
	"""A record through the scoping policy for an app endpoint; anything else is the usual "not found"."""
	doc = load_scoped(doctype, name, ptype)
	if doc is None:
		raise_not_found(doctype, name)
	return doc


class ScopedDocument(Document):
	"""Base controller of customer-owned doctypes: a row outside the session user's scope does not load.

	Frappe treats "could not load" as "does not exist" on every path (REST, form load, print, rename,
	attachments), so loading is where another customer's record and a missing one become one answer."""

	def _validate_links(self):
		# a new row naming another customer (or user) is refused before its links are checked: Frappe
		# checks links first and would tell a missing customer ("could not find") from another's
		if self.is_new() and not self.flags.ignore_permissions and (scope := get_scope(self.doctype)):
			refuse_foreign_owner(self, scope)
		super()._validate_links()

	def load_from_db(self):
		super().load_from_db()
		if self.doctype in CHILD_PARENT:
			# a row of a child table loaded on its own (REST, print view, delete): Frappe checks only the
			# role permissions of the parent doctype for it, never the parent row, so it is judged here
			# by its parent's stored row
			parent = CHILD_PARENT[self.doctype]
			scope = get_scope(parent)
			if scope is not None and (
				self.parenttype != parent or not scope.admits(_stored_row(parent, self.parent))
			):
				raise_not_found(self.doctype, self.name, as_load=True)
			return
		scope = get_scope(self.doctype)
		if scope is not None and not scope.admits(self):
			raise_not_found(self.doctype, self.name, as_load=True)


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	if doctype == "File":
		return _file_query_conditions(user)
	if doctype in CHILD_PARENT:
		return _child_query_conditions(doctype, user)
	scope = get_scope(doctype, user)
	return "" if scope is None else scope.sql()


def _child_query_conditions(doctype: str, user: str | None) -> str:
	parent = CHILD_PARENT[doctype]
	scope = get_scope(parent, user)
	if scope is None:
		return ""
	return (
		f"(`tab{doctype}`.`parenttype` = {frappe.db.escape(parent)} and `tab{doctype}`.`parent` in "
		f"(select `tab{parent}`.`name` from `tab{parent}` where {scope.sql()}))"
	)


def refuse_scoped_share(doc, method=None) -> None:
	"""`validate` of Frappe's DocShare: a record the policy guards is never shared with everyone or with a
	restricted user. Frappe's lists add a user's shared records to what the permission query admits
	(`frappe.get_list`, `/api/resource`, reportview: an OR beside this policy's conditions), so a share
	would show another customer's rows in them; a customer's users reach its records by being linked to it."""
	if doc.share_doctype not in SCOPED_DOCTYPES:
		return
	if doc.everyone or (doc.user and get_permitted_customers(doc.user) is not None):
		frappe.throw(
			_(
				"{0} records are not shared with portal users or with everyone: link the user to the customer instead."
			).format(_(doc.share_doctype)),
			frappe.PermissionError,
			title=_("Not Shared"),
		)


def drop_scoped_shares(user: str) -> None:
	"""A restricted user keeps no share of a guarded record (made before they were linked to a customer,
	or written around `refuse_scoped_share`)."""
	frappe.db.delete("DocShare", {"user": user, "share_doctype": ("in", sorted(SCOPED_DOCTYPES))})


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""Deny (as not found) any row outside the user's scope; otherwise leave the decision to roles."""
	if (ptype or "read") not in READ_PTYPES and frappe.local.flags.get("api_token_read_only"):
		return False  # a read-only API token (accounts/api_tokens.py) writes nothing, whatever the method
	if doc.doctype == "File":
		return _file_permission(doc, ptype, user)
	scope = get_scope(doc.doctype, user)
	if scope is None:
		return None
	if ptype == "create" or doc.is_new():
		# creating a row for another customer looks like naming a customer that does not exist;
		# whether the user may create at all (and a Customer itself) is for role permissions
		if scope.staff_only_flag and doc.get(scope.staff_only_flag):
			return False
		refuse_foreign_owner(doc, scope)
		return None if _write_window_open(doc.doctype, ptype or "create") else False
	if not scope.admits(doc) or (ptype not in TRUSTED_READS and not scope.admits(_stored_values(doc))):
		raise_not_found(doc.doctype, doc.name)
	if ptype == "write" and doc.doctype in WINDOWED_TABLES and _windowed_table_changed(doc):
		return False
	return None if _write_window_open(doc.doctype, ptype) else False


def refuse_foreign_owner(doc, scope: Scope) -> None:
	"""A new row naming a customer (or user) outside the scope: the answer for a customer that does not
	exist, whether or not it does."""
	if scope.field != "name" and not scope.admits(doc, new=True):
		if scope.field and doc.get(scope.field) not in scope.customers:
			raise_not_found("Customer", doc.get(scope.field))
		if scope.user_field and doc.get(scope.user_field) != scope.user:
			raise_not_found("User", doc.get(scope.user_field))


def is_visible(doctype: str, name) -> bool:
	"""Whether the session user can reach the row `name` of a scoped doctype (always, if unrestricted)."""
	return str(name) in visible_names(doctype, [name])


def visible_names(doctype: str, names) -> set[str]:
	"""The rows among `names` of a scoped doctype that the session user can reach (all of them, if
	unrestricted): the policy's own query condition, which also covers child rows and files."""
	names = [str(name) for name in names]
	condition = get_permission_query_conditions(doctype=doctype)
	if not condition or not names:
		return set(names)
	rows = frappe.db.sql(
		f"select `name` from `tab{doctype}` where `name` in %s and {condition}", (tuple(names),)
	)
	found = {str(row[0]).casefold() for row in rows}  # names compare as MariaDB compares them
	return {name for name in names if name.casefold() in found}


@contextmanager
def portal_write(doctype: str):
	"""Let the session's customer user create and change in-scope `doctype` rows for the duration (role
	permissions still apply). Only app endpoints that validate the change themselves open one."""
	windows = frappe.local.flags.setdefault(_WINDOWS_KEY, set())
	opened = doctype not in windows
	windows.add(doctype)
	try:
		yield
	finally:
		if opened:
			windows.discard(doctype)


def _windowed_table_changed(doc) -> bool:
	"""Whether `doc` changes its windowed table outside a write window for its doctype."""
	if doc.doctype in frappe.local.flags.get(_WINDOWS_KEY, ()):
		return False
	field, columns = WINDOWED_TABLES[doc.doctype]
	table = frappe.qb.DocType(frappe.get_meta(doc.doctype).get_field(field).options)
	stored = (
		frappe.qb.from_(table)
		.select(*columns)
		.where((table.parent == doc.name) & (table.parenttype == doc.doctype) & (table.parentfield == field))
		.run()
	)
	current = [tuple(row.get(column) for column in columns) for row in doc.get(field) or ()]
	return sorted(map(tuple, stored)) != sorted(current)


def _write_window_open(doctype: str, ptype: str | None) -> bool:
	if doctype not in WRITE_WINDOWS or ptype not in WINDOWED_PTYPES:
		return True
	return doctype in frappe.local.flags.get(_WINDOWS_KEY, ())


def has_website_permission(doc, ptype: str = "read", user: str | None = None, verbose: bool = False) -> bool:
	scope = get_scope(doc.doctype, user)
	if scope is None:
		return True
	if not scope.admits(doc):
		raise_not_found(doc.doctype, doc.name)
	return True


def _stored_values(doc) -> dict:
	return _stored_row(doc.doctype, doc.name)


def _stored_row(doctype: str, name: str) -> dict:
	"""The stored values the scope judges a row by (customer, user, staff-only flag, docstatus)."""
	fields = [
		field
		for field in (CUSTOMER_FIELD.get(doctype), USER_FIELD.get(doctype), STAFF_ONLY_FLAG.get(doctype))
		if field
	]
	table = frappe.qb.DocType(doctype)
	stored = frappe.qb.from_(table).select(*fields, "docstatus").where(table.name == name).run(as_dict=True)
	return stored[0] if stored else {}


# Files: a private file attached to a customer-owned record is that record's; its rows and its URL
# follow the record's scope.
def _file_query_conditions(user: str | None) -> str:
	customers = get_permitted_customers(user)
	if customers is None:
		return ""
	clauses = []
	for doctype in CUSTOMER_FIELD:
		scope = Scope(doctype, customers, user or frappe.session.user)
		clauses.append(
			f"(`tabFile`.`attached_to_doctype` = {frappe.db.escape(doctype)} and `tabFile`.`attached_to_name` in "
			f"(select `tab{doctype}`.`name` from `tab{doctype}` where {scope.sql()}))"
		)
	doctypes = ", ".join(frappe.db.escape(doctype) for doctype in CUSTOMER_FIELD)
	clauses.append(f"ifnull(`tabFile`.`attached_to_doctype`, '') not in ({doctypes})")
	return "(" + " or ".join(clauses) + ")"


def file_admitted(doc, user: str | None = None) -> bool:
	"""Whether a File row lies in the user's scope: one attached to a customer-owned record follows it."""
	if doc.attached_to_doctype not in CUSTOMER_FIELD or not doc.attached_to_name:
		return True
	scope = get_scope(doc.attached_to_doctype, user)
	if scope is None:
		return True
	stored = _stored_row(doc.attached_to_doctype, doc.attached_to_name)
	return bool(stored) and scope.admits(stored)


def _file_permission(doc, ptype: str | None, user: str | None):
	if not file_admitted(doc, user):
		raise_not_found("File", doc.name)
	if (
		(ptype or "read") not in READ_PTYPES
		and is_restricted(user)
		and not _write_window_open("File", "write")
	):
		return False  # a customer's user changes or deletes a file only through the portal's uploads
	return None


# Deny by default (Frappe's `"*"` permission hooks): controller hooks only refuse, never grant, so staff and
# desk users keep Frappe's own answers.
def deny_by_default(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""`has_permission` for every doctype: a restricted user is refused what the allowlist does not give."""
	user = user or frappe.session.user
	if doc.doctype in SCOPED_DOCTYPES or not is_restricted(user):
		return None
	allowed = ALLOWED_DOCTYPES.get(doc.doctype)
	if allowed is None or (ptype or "read") not in allowed:
		return False
	if (field := OWN_ROW.get(doc.doctype)) and doc.get(field) != user:
		return False
	return None


def deny_by_default_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""`permission_query_conditions` for every doctype: a restricted user lists nothing the allowlist does
	not give, and of an allowed doctype with an owner only their own rows."""
	user = user or frappe.session.user
	if doctype in SCOPED_DOCTYPES or not is_restricted(user):
		return ""
	if doctype not in ALLOWED_DOCTYPES:
		return "1=0"
	if field := OWN_ROW.get(doctype):
		return f"(`tab{doctype}`.`{field}` = {frappe.db.escape(user, percent=False)})"
	return ""


def refuse_desk_action(doc, method=None) -> None:
	"""`validate` of the desk actions' doctypes: a restricted user makes none, whichever path writes it
	(Frappe writes them with `ignore_permissions`), outside the app's own writes."""
	if doc.doctype == "DocShare" and doc.share_doctype == "User" and doc.share_name == doc.user:
		return  # Frappe shares each User with itself whenever it is saved (User.share_with_self)
	if doc.doctype == "Comment" and doc.comment_type in ("Attachment", "Attachment Removed"):
		return  # Frappe notes a file on its record: the File itself passed refuse_customer_file
	if is_restricted() and not frappe.local.flags.get(_WINDOWS_KEY):
		frappe.throw(
			_("Please contact us through a support ticket."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def refuse_customer_file(doc) -> None:
	"""A restricted user's File: stored only by the portal's own uploads (documents, tickets and exports
	open a File write window after checking the file's type, content, size and name), always private, and
	attached to nothing or to a record in their scope. Every other path that stores a File refuses them."""
	if not is_restricted():
		return
	private = cint(doc.is_private) or (doc.file_url or "").startswith("/private/")
	if private and doc.attached_to_doctype in JOB_FILES and not getattr(frappe.local, "request", None):
		return  # a file Frappe's own background job writes for the user (JOB_FILES)
	if not _write_window_open("File", "write") or (doc.is_new() and not private) or not file_admitted(doc):
		frappe.throw(
			_("Please upload files from the portal's documents or tickets pages."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
