"""A WSGI application that serves one site of the bench, for `./dev run`.

gunicorn runs it as `customer_portal.web.single_site:application('<site>')`. In production nginx names
the site in the `X-Frappe-Site-Name` header (bench's nginx template); here, where the browser talks to
gunicorn directly on 127.0.0.1, this wrapper names it instead, so that any host name reaches the demo
site. Static files (`/assets`, public `/files`) are served by Frappe's own
`frappe.app.application_with_statics`, as `bench serve` does; there is no debugger and no reloader.
"""

import frappe.app


def application(site: str):
	"""Frappe's application with statics, for `site` whatever the request's host."""
	frappe_application = frappe.app.application_with_statics()

	def single_site(environ, start_response):
		environ["HTTP_X_FRAPPE_SITE_NAME"] = site
		return frappe_application(environ, start_response)

	return single_site
