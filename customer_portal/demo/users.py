"""The demo's people: the staff user, the customers and their portal users, and the logins printed
for them."""

import frappe
from frappe.utils.password import passlibctx

from customer_portal.accounts.portal_access import implied_access
from customer_portal.demo.rows import Progress, row_name
from customer_portal.permissions import STAFF_ROLE

FIRST_CUSTOMERS = [
	("Acme Logistics", "acme"),
	("Globex Manufacturing", "globex"),
]
# a demo user is signed in from many places at once (the test suites, a person trying the demo); Frappe's
# default for a user is 2, which the portal enforces (accounts/sessions.py)
DEMO_SIMULTANEOUS_SESSIONS = 20
FIRST_NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
LAST_NAMES = ["Archer", "Baker", "Cooper", "Dalton", "Ellis", "Fisher", "Garcia", "Hughes", "Irwin", "Jones"]
COMPANY_WORDS = ["Northwind", "Contoso", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne"]
COMPANY_KINDS = ["Foods", "Engineering", "Retail", "Health", "Energy", "Textiles", "Marine", "Labs"]
STAFF_USER = "staff@portal.example.com"


class Users:
	"""The demo generator's people (`generator.Generator`)."""

	def make_staff(self):
		if not frappe.db.exists("User", STAFF_USER):
			staff = frappe.get_doc(
				{
					"doctype": "User",
					"email": STAFF_USER,
					"first_name": "Sam",
					"last_name": "Staff",
					"send_welcome_email": 0,
					"new_password": self.password,
				}
			)
			staff.append("roles", {"role": STAFF_ROLE})
			staff.insert()

	def make_customers(self):
		existing = set(frappe.get_all("Customer", pluck="name"))
		customers, n = [], 0
		for customer_name, domain in FIRST_CUSTOMERS:
			customers.append((customer_name, domain))
		while len(customers) < self.sizes.customers:
			n += 1
			word = COMPANY_WORDS[n % len(COMPANY_WORDS)]
			kind = COMPANY_KINDS[(n // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]
			customers.append((f"{word} {kind} {n:04d}", f"{word}-{kind}-{n:04d}".lower()))
		customers = [c for c in customers[: self.sizes.customers] if c[0] not in existing]
		self.customer_names = [c[0] for c in customers] or sorted(existing)

		progress = Progress("customers and users", len(customers))
		password_hash = passlibctx.hash(self.password)
		customer_rows, link_rows, user_rows, auth_rows, role_rows, permission_rows = [], [], [], [], [], []
		for index, (customer_name, domain) in enumerate(customers):
			created = self.days_ago(540 - index % 30)
			customer_rows.append(
				[
					*self.std(customer_name, created),
					customer_name,
					"On Hold" if index % 17 == 16 else "Active",
					f"accounts@{domain}.example.com",
					f"+1 555 {index // 10000:02d}{index % 10000:04d}",
					f"{100 + index % 800} Market Street\nSpringfield",
					f"TAX-{100000 + index}",
				]
			)
			for position in range(self.sizes.users_per_customer):
				first = FIRST_NAMES[(index * 2 + position) % len(FIRST_NAMES)]
				last = LAST_NAMES[(index + position * 3) % len(LAST_NAMES)]
				email = f"{first.lower()}@{domain}.example.com"
				if position >= len(FIRST_NAMES):
					email = f"{first.lower()}{position}@{domain}.example.com"
				portal_role = "Customer Admin" if position == 0 else "Member"
				link_rows.append(
					[
						*self.child(
							row_name(),
							customer_name,
							"Customer",
							"portal_users",
							position + 1,
							created,
						),
						email,
						f"{first} {last}",
						portal_role,
					]
				)
				user_rows.append(
					[
						*self.std(email, created),
						email,
						first,
						last,
						f"{first} {last}",
						"Website User",
						1,
						0,
						"en",
						DEMO_SIMULTANEOUS_SESSIONS,
					]
				)
				auth_rows.append(["User", email, "password", password_hash, 0])
				customer_set, roles = implied_access(
					[{"customer": customer_name, "portal_role": portal_role}]
				)
				for idx, role in enumerate(sorted(roles), start=1):
					role_rows.append(
						[
							*self.child(row_name(), email, "User", "roles", idx, created),
							role,
						]
					)
				for customer in customer_set:
					permission_rows.append(
						[
							*self.std(row_name(), created),
							email,
							"Customer",
							customer,
							1,
							0,
							0,
						]
					)
			progress.advance(1)

		self.insert(
			"Customer",
			(
				*self.STD_FIELDS,
				"customer_name",
				"status",
				"contact_email",
				"contact_phone",
				"billing_address",
				"tax_id",
			),
			customer_rows,
		)
		self.insert(
			"Customer Portal User", (*self.CHILD_FIELDS, "user", "full_name", "portal_role"), link_rows
		)
		self.insert(
			"User",
			(
				*self.STD_FIELDS,
				"email",
				"first_name",
				"last_name",
				"full_name",
				"user_type",
				"enabled",
				"send_welcome_email",
				"language",
				"simultaneous_sessions",
			),
			user_rows,
		)
		frappe.db.bulk_insert("__Auth", ["doctype", "name", "fieldname", "password", "encrypted"], auth_rows)
		self.insert("Has Role", (*self.CHILD_FIELDS, "role"), role_rows)
		self.insert(
			"User Permission",
			(
				*self.STD_FIELDS,
				"user",
				"allow",
				"for_value",
				"apply_to_all_doctypes",
				"is_default",
				"hide_descendants",
			),
			permission_rows,
		)
		progress.finish()

	def pick_customer(self) -> str:
		# a few customers order far more than the rest, like real accounts
		names = self.customer_names
		return (
			names[min(int(self.rng.paretovariate(1.2)) - 1, len(names) - 1)]
			if self.rng.random() < 0.5
			else self.rng.choice(names)
		)


def demo_logins() -> list[tuple[str, str, str]]:
	"""(who, login, role) for the staff user and the portal users of the first two customers."""
	rows = [("Staff", STAFF_USER, STAFF_ROLE)]
	link = frappe.qb.DocType("Customer Portal User")
	for customer_name, _domain in FIRST_CUSTOMERS:
		users = (
			frappe.qb.from_(link)
			.select(link.user, link.portal_role)
			.where((link.parent == customer_name) & (link.parenttype == "Customer"))
			.orderby(link.idx)
			.run(as_dict=True)
		)
		rows += [(customer_name, user.user, user.portal_role) for user in users]
	return rows
