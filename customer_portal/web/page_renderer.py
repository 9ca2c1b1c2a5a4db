"""The portal's pages, rendered without the parts of Frappe's website pipeline they do not use.

Frappe renders a `www/` page with `TemplatePage`, after trying five other renderers (static files, Web
Forms, documents with web views, ...), and starts every page's context from `get_website_settings`: the
navbar, footer and theme of the website, and `boot`, the desk's data for Frappe's website scripts (its
apps list checks the permissions of every Workspace, twice when no app is on the apps screen). The
portal's pages draw their own shell (templates/portal/shell.html) with none of it: profiled, `boot` alone
was a third of a portal page.

`PortalPage` (the `page_renderer` hook, tried before Frappe's own) renders the pages under /portal that
this app's `www/` holds, exactly as `TemplatePage` does — the page's `get_context`, the
`update_website_context` hooks, CSRF token, error pages and headers are Frappe's — with a context that
starts from the site's `website_context` configuration only, and without the rest of what the shell never
shows: the signed-in user's name and avatar (a query per page, and it would overwrite a page's own
`user`), the website sidebar and breadcrumbs, and the meta tags of Website Route Meta (another query). The page's source is compiled once
per worker (`compiled_templates.py`). Any other path, a Web Form under /portal included, is left to
Frappe's renderers.
"""

import frappe
from frappe import _
from frappe.website.page_renderers.base_template_page import BaseTemplatePage
from frappe.website.page_renderers.template_page import TemplatePage

from customer_portal.web.compiled_templates import template_from_string

APP = "customer_portal"
ROOT = "portal"


def is_portal_path(path: str) -> bool:
	return path == ROOT or path.startswith(ROOT + "/")


class PortalPage(TemplatePage):
	def __init__(self, path, http_status_code=None):
		BaseTemplatePage.__init__(self, path=path, http_status_code=http_status_code)
		if is_portal_path(self.path):
			self.set_template_path()  # looks in the apps' www/ folders: Frappe's lookup, unchanged

	def can_render(self):
		return is_portal_path(self.path) and getattr(self, "app", None) == APP and super().can_render()

	def init_context(self):
		"""The page context without the website's settings and the desk's boot data (see above)."""
		self.context = frappe._dict(frappe.local.conf.get("website_context") or {})

	def post_process_context(self):
		"""`BaseTemplatePage.post_process_context` without the meta tags, and none of `TemplatePage`'s
		user info, sidebar or breadcrumbs (see above)."""
		self.context.metatags = {}
		self.set_base_template_if_missing()
		self.set_title_with_prefix()
		self.update_website_context()
		self.template_path = self.context.template or self.template_path
		self.context._context_dict = self.context
		self.set_missing_values()

	def render_template(self):
		if self.context.safe_render is not False and ".__" in self.source:  # Frappe's safe_render guard
			frappe.throw(_("Illegal template"))
		return template_from_string(self.source).render(self.context)
