"""The portal pages' building blocks: pagination, timeline, active customer, web forms, query cost."""

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_html_for_route, set_request
from frappe.website import path_resolver
from frappe.website.page_renderers.template_page import TemplatePage
from frappe.website.path_resolver import PathResolver
from jinja2 import DictLoader, Environment

from customer_portal.notifications.emails import unsubscribe_token
from customer_portal.permissions import get_active_customer, get_permitted_customers
from customer_portal.portal import dashboard, listing
from customer_portal.portal.context import set_active_customer
from customer_portal.portal.listing import (
	build_queries,
	decode_cursor,
	encode_cursor,
	fetch_page,
	like,
	scoped_rows,
	seek_index,
)
from customer_portal.portal.timeline import stage_timeline
from customer_portal.portal.web_forms import bind_to_active_customer
from customer_portal.tests.fixtures import (
	make_customer,
	make_invoice,
	make_order,
	make_stages,
	make_user,
	share_written_in_the_database,
)
from customer_portal.web import route_map
from customer_portal.web.compiled_templates import CACHE, ProcessBytecodeCache, use_compiled_templates
from customer_portal.web.page_renderer import PortalPage
from customer_portal.www.portal import order as order_page
from customer_portal.www.portal.orders import index as orders_page
from customer_portal.www.portal.tickets import index as tickets_page


class QueryCounter:
	def __init__(self):
		self.count = 0

	def __enter__(self):
		self.sql = frappe.db.sql

		def counting(*args, **kwargs):
			self.count += 1
			return self.sql(*args, **kwargs)

		frappe.db.sql = counting
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self.sql


def another_apps_resolver(path: str) -> str:
	return f"another app's page for {path}"


class TestPortalPages(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Page")
		cls.user = make_user("pages-user@example.com")
		cls.small = make_customer("Pages Small Customer", {cls.user: "Member"})
		cls.large = make_customer("Pages Large Customer", {cls.user: "Customer Admin"})
		cls.other = make_customer("Pages Other Customer")
		for i in range(3):
			make_order(cls.small, f"Small {i}")
		cls.large_orders = [make_order(cls.large, f"Large {i}") for i in range(23)]
		make_order(cls.other, "Not yours")
		make_invoice(cls.large, rate=50)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_keyset_pages_cover_every_row_once_in_order(self):
		frappe.set_user(self.user)
		seen, cursor = [], None
		while True:
			page = fetch_page("Order", self.large, ["title"], [], "modified", cursor, 5)
			seen += [row.name for row in page.rows]
			self.assertEqual(page.total, 23)
			if not page.next_cursor:
				break
			cursor = page.next_cursor
		self.assertEqual(sorted(seen), sorted(self.large_orders))
		self.assertEqual(len(seen), len(set(seen)))
		modified = frappe.get_all("Order", filters={"name": ("in", seen)}, fields=["name", "modified"])
		order = {row.name: (row.modified, row.name) for row in modified}
		self.assertEqual(seen, sorted(seen, key=lambda name: order[name], reverse=True))

	def test_a_page_after_a_cursor_seeks_in_the_customer_index(self):
		frappe.set_user(self.user)
		first = fetch_page("Order", self.large, ["title"], [], "modified", None, 5)
		rows, _count = build_queries("Order", self.large, ["name"], [], "modified", first.next_cursor, 5)
		plan = frappe.db.sql(f"explain {rows.get_sql()}", as_dict=True)[0]
		self.assertEqual((plan.key, plan.type), ("customer_modified_index", "range"))
		self.assertEqual(seek_index("Order", "title"), "")  # no such index: the database chooses

	def test_a_long_list_is_counted_only_up_to_the_limit(self):
		frappe.set_user(self.user)
		page = fetch_page("Order", self.large, ["title"], [], "modified", None, 5)
		self.assertEqual((page.total, page.more), (23, False))
		with patch.object(listing, "COUNT_LIMIT", 10):
			page = fetch_page("Order", self.large, ["title"], [], "modified", None, 5)
			self.assertEqual((page.total, page.more, len(page.rows)), (10, True, 5))
			page = fetch_page("Order", self.small, ["title"], [], "modified", None, 5)
			self.assertEqual((page.total, page.more), (3, False))

	def test_page_never_holds_another_customers_rows(self):
		frappe.set_user(self.user)
		page = fetch_page("Order", self.other, ["title"], [], "modified", None, 50)
		self.assertEqual((page.rows, page.total), ([], 0))

	def test_foreign_or_garbage_cursor_starts_over(self):
		self.assertIsNone(decode_cursor("not-base64!"))
		self.assertIsNone(decode_cursor(encode_cursor("x", "y")[:-4]))
		self.assertEqual(decode_cursor(encode_cursor("2026-01-01", "ORD-1")), ("2026-01-01", "ORD-1"))

	def test_like_takes_wildcards_literally(self):
		self.assertEqual(like("50%_off\\"), "%50\\%\\_off\\\\%")

	def test_list_and_count_use_a_customer_index(self):
		frappe.set_user(self.user)
		sorts = [("Order", s) for s in ("modified", "order_date", "total")]
		sorts += [("Invoice", s) for s in ("modified", "posting_date", "due_date")] + [
			("Document", "modified")
		]
		for doctype, sort in sorts:
			rows, count = build_queries(doctype, self.large, ["name"], [], sort, None, 20)
			for query in (rows, count):
				plans = frappe.db.sql(f"explain {query.get_sql()}", as_dict=True)
				plan = next(p for p in plans if p.table == f"tab{doctype}")  # the count reads a derived table
				self.assertTrue(plan.key, f"{doctype} by {sort}: no index used")
				columns = frappe.db.sql(
					f"show index from `tab{doctype}` where Key_name = %s and Seq_in_index = 1",
					plan.key,
					as_dict=True,
				)
				self.assertEqual(columns[0].Column_name, "customer", f"{doctype} by {sort} uses {plan.key}")

	def test_page_queries_do_not_grow_with_rows(self):
		frappe.set_user(self.user)
		counts = {}
		for customer in (self.small, self.large, self.small):  # the first pass warms caches
			set_active_customer(customer)
			frappe.local.form_dict = frappe._dict()
			with QueryCounter() as counter:
				orders_page.get_context(frappe._dict())
			counts[customer] = counter.count
		self.assertEqual(counts[self.small], counts[self.large])
		self.assertLessEqual(counts[self.large], 12)

	def test_a_section_turned_off_leaves_the_navigation_and_answers_not_found(self):
		settings = frappe.get_doc("Customer Portal Settings")
		settings.show_tickets = 0
		settings.save()
		try:
			frappe.set_user(self.user)
			frappe.local.form_dict = frappe._dict()
			self.assertRaises(frappe.PageDoesNotExistError, tickets_page.get_context, frappe._dict())
			context = frappe._dict()

			orders_page.get_context(context)
			self.assertNotIn("/portal/tickets", [route for route, _label in context.portal_nav])
			self.assertIn("/portal/orders", [route for route, _label in context.portal_nav])
		finally:
			frappe.set_user("Administrator")
			settings.reload()
			settings.show_tickets = 1
			settings.save()

	def test_a_page_that_fails_is_kept_in_the_error_log(self):
		name, failure = self.large_orders[0], f"loading broke {frappe.generate_hash(length=8)}"
		frappe.set_user(self.user)
		# the log rolls the failed page back and commits its entry; here both would end the test's own
		# transaction, so they are only counted
		try:
			with (
				patch.object(order_page, "load_record", side_effect=RuntimeError(failure)),
				patch.object(frappe.db, "rollback") as rollback,
				patch.object(frappe.db, "commit") as commit,
			):
				html = get_html_for_route(f"/portal/orders/{name}")
		finally:
			del frappe.local.request
			frappe.set_user("Administrator")
		self.assertNotIn(failure, html)  # the customer sees Frappe's error page, no traceback
		self.assertEqual((rollback.call_count, commit.call_count), (1, 1))
		logged = frappe.get_all(
			"Error Log",
			filters={
				"method": f"Portal page failed: /portal/orders/{name}",
				"error": ("like", f"%{failure}%"),
			},
			fields=["name", "error"],
		)
		self.assertEqual(len(logged), 1)
		self.assertIn(f"RuntimeError: {failure}", logged[0].error)
		frappe.db.delete("Error Log", logged[0].name)  # a later test's commit would keep it

	def test_portal_pages_render_without_the_websites_boot_data(self):
		def resolved(path: str):
			set_request(method="GET", path=path)  # route rules are matched against the request
			return type(PathResolver(path).resolve()[1])

		settings = "frappe.website.doctype.website_settings.website_settings"
		frappe.set_user(self.user)
		try:
			self.assertIs(resolved("/portal/orders"), PortalPage)
			self.assertIs(resolved(f"/portal/orders/{self.large_orders[0]}"), PortalPage)  # a route rule
			self.assertIs(resolved("/portal"), PortalPage)
			self.assertIs(resolved("/me"), TemplatePage)  # Frappe's own pages keep Frappe's renderer
			self.assertIsNot(resolved("/portal/no-such-page"), PortalPage)
			with patch(f"{settings}.get_boot_data", return_value={}) as boot:
				html = get_html_for_route("/portal/orders")
				self.assertEqual(boot.call_count, 0)
				self.assertIn("Small 2", html)  # the page itself, with the active customer's rows
				self.assertIn('name="csrf-token"', html)
				get_html_for_route("/me")
				self.assertEqual(boot.call_count, 1)
			# Frappe's web-form lookup, which portal pages no longer go through, reads its Redis cache with
			# exists-then-get: a cache cleared in between (any user's settings saved) gave it None, and a
			# portal page a 500 (seen in the 30-minute soak)
			with patch("frappe.website.doctype.web_form.web_form.get_published_web_forms", return_value=None):
				self.assertIn("Small 2", get_html_for_route("/portal/orders"))
		finally:
			del frappe.local.request
			frappe.set_user("Administrator")

	def test_paths_resolve_as_frappe_resolves_them_with_the_route_map_kept(self):
		paths = [
			"portal/orders",
			f"portal/orders/{self.large_orders[0]}",  # a route rule: its name goes into form_dict
			"portal/invoices/INV-NOPE",
			"portal",
			"me",
			"",
			"login.html",
			"no/such/page",
		]
		route_map._MAPS.clear()
		self.addCleanup(delattr, frappe.local, "request")  # a GET request left behind commits durable rows
		for path in paths:
			set_request(method="GET", path="/" + path)
			frappe.local.form_dict = frappe._dict()
			expected = path_resolver.resolve_path(path), dict(frappe.form_dict)
			frappe.local.form_dict = frappe._dict()
			self.assertEqual((route_map.resolve_path(path), dict(frappe.form_dict)), expected, path)
		# one Map for all of them, built once; rules that change get a Map of their own
		self.assertEqual(len(route_map._MAPS), 1)
		rules = [
			*path_resolver.get_website_rules(),
			{"from_route": "/portal/x/<name>", "to_route": "portal/x"},
		]
		set_request(method="GET", path="/portal/x/1")
		adapter = route_map.route_map(rules).bind_to_environ(frappe.local.request.environ)
		self.assertEqual(adapter.match("/portal/x/1"), ("portal/x", {"name": "1"}))
		self.assertEqual(len(route_map._MAPS), 2)
		self.assertEqual(frappe.get_hooks("website_path_resolver"), [route_map.THIS_RESOLVER])

		# another app that resolves paths itself keeps doing so, whichever app Frappe asks last

		other = "customer_portal.tests.test_portal_pages.another_apps_resolver"
		for declared in ([other, route_map.THIS_RESOLVER], [route_map.THIS_RESOLVER, other]):
			with patch.object(frappe, "get_hooks", return_value=declared):
				self.assertEqual(
					route_map.resolve_path("portal/orders"), "another app's page for portal/orders"
				)

	def test_a_pages_own_user_is_not_replaced_by_the_signed_in_one(self):
		"""Frappe's renderer sets `user` to the signed-in user after the page's context: the unsubscribe
		page, opened from an email without signing in, named "Guest" and its button failed."""
		frappe.set_user("Guest")
		frappe.local.form_dict = frappe._dict(
			user=self.user,
			type="Order Stage Changed",
			token=unsubscribe_token(self.user, "Order Stage Changed"),
		)
		try:
			html = get_html_for_route("/portal/unsubscribe")
		finally:
			del frappe.local.request
			frappe.local.form_dict = frappe._dict()
			frappe.set_user("Administrator")
		self.assertIn(f'name="user" value="{self.user}"', html)
		self.assertNotIn('value="Guest"', html)

	def test_related_rows_stay_in_scope_whatever_is_shared(self):
		"""A record page's related rows come through the scope only: a DocShare of another customer's row
		(refused since, but one written in the database widens Frappe's get_list) adds nothing."""
		theirs = make_invoice(self.other, rate=70)
		mine = make_invoice(self.large, rate=30)
		share_written_in_the_database(self.user, "Invoice", theirs.name)
		frappe.set_user(self.user)
		rows = scoped_rows("Invoice", {"docstatus": 1}, ["name", "customer"], "posting_date")
		names = {row.name for row in rows}
		self.assertIn(mine.name, names)
		self.assertNotIn(theirs.name, names)
		self.assertLessEqual({row.customer for row in rows}, set(get_permitted_customers()))
		self.assertEqual(scoped_rows("Invoice", {"name": theirs.name}, ["name"], "name"), [])

	def test_templates_compile_once_per_worker_and_again_when_edited(self):
		CACHE.clear()
		compiled = []
		for _request in range(2):  # Frappe builds a new environment for every request
			frappe.local.jenv = None
			use_compiled_templates()
			env = frappe.get_jenv()
			with patch.object(env, "compile", wraps=env.compile) as compile:
				env.get_template("templates/portal/base.html")
			compiled.append(compile.call_count)
		frappe.local.jenv = None
		self.assertGreater(compiled[0], 0)
		self.assertEqual(compiled[1], 0)

		sources, cache = {"page.html": "old {{ x }}"}, ProcessBytecodeCache()
		render = lambda: (
			Environment(loader=DictLoader(sources), bytecode_cache=cache)
			.get_template("page.html")
			.render(x=1)
		)
		self.assertEqual(render(), "old 1")
		sources["page.html"] = "new {{ x }}"
		self.assertEqual(render(), "new 1")

	def test_timeline_marks_done_current_and_upcoming(self):
		order = frappe.get_doc("Order", make_order(self.large, "Timeline"))
		order.stage = self.stages[1]
		order.save()
		timeline = {step["stage"]: step for step in stage_timeline(order)}
		self.assertEqual(timeline[self.stages[0]]["state"], "done")
		self.assertIsNotNone(timeline[self.stages[0]]["reached_on"])
		self.assertEqual(timeline[self.stages[1]]["state"], "current")
		self.assertEqual(timeline[self.stages[2]]["state"], "upcoming")
		self.assertIsNone(timeline[self.stages[2]]["reached_on"])
		self.assertEqual(timeline[self.stages[0]]["text"], "We have your order.")
		order.stage = self.stages[2]
		order.save()
		timeline = {step["stage"]: step for step in stage_timeline(order)}
		self.assertEqual(timeline[self.stages[2]]["state"], "complete")

	def test_active_customer_is_remembered_and_checked(self):
		frappe.set_user(self.user)
		set_active_customer(self.large)
		self.assertEqual(get_active_customer(), self.large)
		set_active_customer(self.small)
		self.assertEqual(get_active_customer(), self.small)
		with self.assertRaises(frappe.DoesNotExistError):
			set_active_customer(self.other)
		self.assertEqual(get_active_customer(), self.small)

	def test_web_form_submission_belongs_to_the_active_customer(self):
		frappe.set_user(self.user)
		set_active_customer(self.small)
		self.assertEqual(bind_to_active_customer("Order", {"title": "x"})["customer"], self.small)
		self.assertEqual(bind_to_active_customer("Customer", {"tax_id": "1"})["name"], self.small)
		for named in (self.other, self.large, "No Such Customer"):
			with self.assertRaises(frappe.DoesNotExistError):
				bind_to_active_customer("Order", {"customer": named})

	def test_dashboard_figures(self):
		frappe.set_user(self.user)
		by_stage = {row["stage"]: row["count"] for row in dashboard.orders_by_stage(self.large)}
		self.assertEqual(sum(by_stage.values()), frappe.db.count("Order", {"customer": self.large}))
		invoices = dashboard.open_invoices(self.large)
		self.assertEqual((invoices["count"], invoices["outstanding"]), (1, 50))
		activity = dashboard.monthly_activity(self.large)
		self.assertEqual(len(activity["labels"]), 12)
		self.assertEqual(activity["orders"][-1], frappe.db.count("Order", {"customer": self.large}))
		self.assertEqual(activity["spend"][-1], 50)

	def test_cached_dashboard_follows_new_records(self):
		customer = make_customer("Pages Cached Customer", {self.user: "Member"})
		make_order(customer, "Before the cache")
		frappe.set_user(self.user)
		before = dashboard.figures(customer)
		frappe.set_user("Administrator")
		make_order(customer, "After the cache")
		make_invoice(customer, rate=25)
		frappe.set_user(self.user)
		after = dashboard.figures(customer)
		count = lambda figures: sum(row["count"] for row in figures["stages"])
		self.assertEqual((count(before), count(after)), (1, 2))
		self.assertEqual((before["invoices"]["outstanding"], after["invoices"]["outstanding"]), (0, 25))
