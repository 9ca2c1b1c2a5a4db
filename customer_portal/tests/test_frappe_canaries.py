"""Canaries: the Frappe functions the app replaces or reproduces, pinned by a hash of their source.

Where Frappe v15 has no hook, the app takes a function's place (`override_whitelisted_methods`, or the two
handlers `error_answers` swaps in) or reproduces part of one (`page_renderer`, `route_map`,
`email_handover`). Each was checked against the Frappe versions whose hashes are listed. A Frappe upgrade
that changes one fails here, naming the app's module to check against the new source, instead of
quietly reopening a path or changing behaviour: read the new source, adjust the module, add the hash.
"""

import hashlib
import importlib
import inspect

import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal import hooks
from customer_portal.web import error_answers

# Frappe function -> (the app's module that replaces or mirrors it, {Frappe version: source hash})
CANARIES = {
	# api/overrides.py: answers that would tell another customer's record from a missing one
	"frappe.client:get_count": (
		"customer_portal.api.overrides",
		{"15.55.1": "ddb22e8d37d3c7d1", "15.74.1": "ddb22e8d37d3c7d1"},
	),
	"frappe.desk.form.load:get_docinfo": (
		"customer_portal.api.overrides",
		{"15.55.1": "5fd6757d6b373704", "15.74.1": "5fd6757d6b373704"},
	),
	# web/error_answers.py: the request's failure handler and closing commit, swapped in per worker
	"frappe.app:handle_exception": (
		"customer_portal.web.error_answers",
		{"15.55.1": "e7d2dbf2f3845a4e", "15.74.1": "ad59de6315141545"},
	),
	"frappe.app:sync_database": (
		"customer_portal.web.error_answers",
		{"15.55.1": "cb3c66ff5d4f0432", "15.74.1": "cb3c66ff5d4f0432"},
	),
	"frappe.app:application": (
		"customer_portal.web.error_answers",
		{"15.55.1": "22275acaefeabd2e", "15.74.1": "22275acaefeabd2e"},
	),
	# web/route_map.py: Frappe's path resolution, step by step, over a Map kept per worker
	"frappe.website.path_resolver:resolve_path": (
		"customer_portal.web.route_map",
		{"15.55.1": "fa42ddb74ecd0421", "15.74.1": "fa42ddb74ecd0421"},
	),
	"frappe.website.path_resolver:PathResolver.resolve": (
		"customer_portal.web.route_map",
		{"15.55.1": "6e1cd3efd75848d7", "15.74.1": "6e1cd3efd75848d7"},
	),
	# web/page_renderer.py: TemplatePage's rendering without the website shell's context
	"frappe.website.page_renderers.base_template_page:BaseTemplatePage.post_process_context": (
		"customer_portal.web.page_renderer",
		{"15.55.1": "96c0d9b7ad6b5f25", "15.74.1": "96c0d9b7ad6b5f25"},
	),
	"frappe.website.page_renderers.template_page:TemplatePage.render_template": (
		"customer_portal.web.page_renderer",
		{"15.55.1": "1c46529e5e885ef8", "15.74.1": "1c46529e5e885ef8"},
	),
	"frappe.website.page_renderers.template_page:TemplatePage.init_context": (
		"customer_portal.web.page_renderer",
		{"15.55.1": "bc08cb59de5fab78", "15.74.1": "bc08cb59de5fab78"},
	),
	# notifications/email_handover.py: the hand-over Frappe's send makes through override_email_send
	"frappe.email.doctype.email_queue.email_queue:EmailQueue.send": (
		"customer_portal.notifications.email_handover",
		{"15.55.1": "fa131ae6cb97f063", "15.74.1": "36572205e41c7af1"},
	),
	# whole replacements of Frappe endpoints (override_whitelisted_methods)
	"frappe.core.doctype.user.user:reset_password": (
		"customer_portal.accounts.password_reset",
		{"15.55.1": "4d3668d5b84c93ed", "15.74.1": "4d3668d5b84c93ed"},
	),
	"frappe.core.doctype.user.user:sign_up": (
		"customer_portal.accounts.sign_up",
		{"15.55.1": "75f01b7fb8434d3a", "15.74.1": "387f5cb0085401c4"},
	),
	"frappe.website.doctype.web_form.web_form:accept": (
		"customer_portal.portal.web_forms",
		{"15.55.1": "eda9d89eb72adbfb", "15.74.1": "eda9d89eb72adbfb"},
	),
	"frappe.integrations.oauth2_logins:custom": (
		"customer_portal.api.sso",
		{"15.55.1": "ea5ab22e29c7cad3", "15.74.1": "ea5ab22e29c7cad3"},
	),
}


def source_hash(target: str) -> str:
	module, _, attribute = target.partition(":")
	obj = importlib.import_module(module)
	for part in attribute.split("."):
		obj = getattr(obj, part)
	# the app swaps in its own handlers for two of them: hash Frappe's, which it keeps a reference to
	if module == "frappe.app" and attribute in ("handle_exception", "sync_database"):
		obj = getattr(error_answers, f"frappes_{attribute}", None) or obj
	return hashlib.sha256(inspect.getsource(inspect.unwrap(obj)).encode()).hexdigest()[:16]


class TestFrappeCanaries(FrappeTestCase):
	def test_the_frappe_functions_the_app_mirrors_are_the_ones_it_was_checked_against(self):
		changed = []
		for target, (module, hashes) in CANARIES.items():
			digest = source_hash(target)
			if digest not in hashes.values():
				changed.append(
					f"{target} ({digest} on Frappe {frappe.__version__}): check {module} against it "
					f"(checked against {', '.join(hashes)})"
				)
		self.assertEqual(changed, [], "\n".join(changed))

	def test_each_override_of_a_frappe_endpoint_is_pinned(self):
		pinned = {target.replace(":", ".") for target in CANARIES}
		# these forward every argument through frappe.call and copy no signature (api/overrides.py)
		forwarding = {
			"frappe.desk.search.search_link",
			"frappe.desk.search.search_widget",
			"frappe.desk.form.load.getdoc",
		}
		overridden = set(hooks.override_whitelisted_methods)
		self.assertEqual(sorted(overridden - pinned - forwarding), [])
