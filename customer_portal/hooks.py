from customer_portal.permissions import CHILD_PARENT, DESK_ACTION_DOCTYPES, SCOPED_DOCTYPES

app_name = "customer_portal"
app_title = "Customer Portal"
app_publisher = "customer_portal contributors"
app_description = "A secure customer self-service portal for Frappe: orders, invoices, documents, tickets"
app_email = "maintainers@customer-portal.invalid"
app_license = "mit"

export_python_type_annotations = True

# Installation
after_install = "customer_portal.setup.install.after_install"
after_migrate = "customer_portal.setup.install.after_migrate"

# Portal pages: /portal/orders/<name>, /portal/invoices/<name>, /portal/documents/<name>, /portal/tickets/<name>
website_route_rules = [
	{"from_route": "/portal/orders/<name>", "to_route": "portal/order"},
	{"from_route": "/portal/invoices/<name>", "to_route": "portal/invoice"},
	{"from_route": "/portal/documents/<name>", "to_route": "portal/document"},
	{"from_route": "/portal/tickets/new", "to_route": "portal/tickets/new"},
	{"from_route": "/portal/tickets/<name>", "to_route": "portal/ticket"},
]
# Portal users land on the portal after login
role_home_page = {"Customer Portal User": "portal", "Customer Portal Admin": "portal"}

# Scoping: one policy (customer_portal/permissions.py) for every customer- or user-owned doctype, its
# child tables (judged by their parent row) and the files attached to them
_SCOPED_DOCTYPES = tuple(sorted(SCOPED_DOCTYPES - {*CHILD_PARENT, "File"}))

permission_query_conditions = {
	doctype: "customer_portal.permissions.get_permission_query_conditions"
	for doctype in sorted(SCOPED_DOCTYPES)
}
has_permission = {
	doctype: "customer_portal.permissions.has_permission" for doctype in (*_SCOPED_DOCTYPES, "File")
}
# and deny by default: a customer's user reaches no other doctype of any app, beyond a short allowlist
# (permissions.ALLOWED_DOCTYPES); staff and desk users keep Frappe's answers
permission_query_conditions["*"] = "customer_portal.permissions.deny_by_default_conditions"
has_permission["*"] = "customer_portal.permissions.deny_by_default"
# files of customer-owned records load only for users who may reach the record (documents/scoped_file.py)
override_doctype_class = {"File": "customer_portal.documents.scoped_file.ScopedFile"}
has_website_permission = {
	doctype: "customer_portal.permissions.has_website_permission" for doctype in _SCOPED_DOCTYPES
}

# Private files live in the site's selected storage (local disk or a private S3 bucket): staff uploads
# in desk and customer uploads in the portal go through the same hooks (documents/storage.py)
write_file = "customer_portal.documents.file_hooks.write_file"
delete_file_data_content = "customer_portal.documents.file_hooks.delete_file_data_content"

# staff see and lift the sign-in throttle's lock on the User form
doctype_js = {"User": "public/js/user_sign_in.js"}

# Security headers on every response; a Content-Security-Policy on portal pages (web/security_headers.py)
# and a refused sign-in's count and Retry-After (accounts/login_throttle.py)
after_request = [
	"customer_portal.web.security_headers.add_security_headers",
	"customer_portal.accounts.login_throttle.after_sign_in",
	"customer_portal.portal.context.answer_not_found",
	"customer_portal.accounts.sessions.set_cookie_lifetime",
	# a server error during an outage of Redis or MariaDB is a 503 to try again shortly; a query the
	# database refuses answers customers with a clean error, not the SQL (web/error_answers.py)
	"customer_portal.web.error_answers.answer_outages",
	"customer_portal.web.error_answers.hide_database_errors",
]

# The portal's pages skip the website settings and desk boot data their shell does not use (web/page_renderer.py)
page_renderer = ["customer_portal.web.page_renderer.PortalPage"]
# and every website path is resolved against route rules compiled once per worker (web/route_map.py)
website_path_resolver = ["customer_portal.web.route_map.resolve_path"]

# Web pages load their templates compiled once per worker, not once per request (web/compiled_templates.py);
# a portal page that fails is kept in the Error Log: Frappe's error page records nothing (web/error_answers.py)
update_website_context = [
	"customer_portal.web.compiled_templates.use_compiled_templates",
	"customer_portal.web.error_answers.log_page_failure",
]

# A failure Frappe's error handling cannot answer while MariaDB or Redis is down is a 503 to try again
# shortly, not gunicorn's bare 500 (web/error_answers.py); the client address comes from X-Forwarded-For only
# behind proxies the site trusts (web/client_ip.py); private file URLs and REST deletes: another
# customer's record answers like a missing one
before_request = [
	"customer_portal.web.error_answers.use_outage_handlers",
	"customer_portal.web.client_ip.use_client_ip",
	"customer_portal.accounts.sessions.enforce",
	"customer_portal.portal.locale.use_user_language",
	"customer_portal.web.request_guards.guard_request",
]

# Named API tokens of portal users: a Bearer token makes the request its user's (accounts/api_tokens.py)
auth_hooks = ["customer_portal.accounts.api_tokens.authenticate"]

# A user's own data in Frappe's personal data download and deletion (accounts/personal_data.py)
user_data_fields = [
	{"doctype": "Portal Notification", "filter_by": "user", "strict": True},
	{"doctype": "Portal Notification Preference", "filter_by": "user", "strict": True},
	{"doctype": "Portal API Token", "filter_by": "user", "strict": True},
]

# Portal sessions: idle timeout, absolute lifetime, remember me, simultaneous sessions (accounts/sessions.py)
on_session_creation = "customer_portal.accounts.sessions.on_session_creation"
# and the login page's "Remember me" box and single sign-on link (public/js/login_page.js)
web_include_js = ["/assets/customer_portal/js/login_page.js"]

# Sign-in throttling with exponential backoff and lockout, over Frappe's own tracker: a throttled account
# or address is refused even with the right password, with the answer a wrong one gets
on_login = [
	"customer_portal.accounts.login_throttle.on_login",
	# and portal users who sign in with two factors give the code (accounts/two_factor.py)
	"customer_portal.accounts.two_factor.on_login",
]

_FORGET_DASHBOARD = "customer_portal.portal.dashboard.forget_customer"
# the logs outlive the records they name (the access and activity logs are append-only), and so do spent
# download links and past notifications
ignore_links_on_delete = [
	"Document Access Log",
	"Document Download Link",
	"Portal Event",
	"Portal Notification",
	"Portal Activity",
]

_EVENTS = "customer_portal.notifications.events"
_STAGE_TIMES = "customer_portal.analytics.stage_times"
_MONTH_FIGURES = "customer_portal.analytics.month_figures"
_MERGE_FIGURES = "customer_portal.analytics.kept_figures.before_merge"
_SPEND_FIGURES = "customer_portal.analytics.spend_figures.invoice_changed"
# which customer's identity provider an email domain signs in with (accounts/single_sign_on.py)
_FORGET_SSO_ROUTES = "customer_portal.accounts.single_sign_on.forget_routes"
doc_events = {
	# a rename rewrites the links in the activity log's chained entries: it is recorded there (activity/log.py)
	# and a merge of customers or stages adds their kept figures together first (analytics/kept_figures.py)
	"*": {"after_rename": "customer_portal.activity.log.record_rename"},
	# a record of a customer is never shared with portal users or everyone: shares widen Frappe's lists
	"DocShare": {
		"validate": [
			"customer_portal.permissions.refuse_scoped_share",
			"customer_portal.permissions.refuse_desk_action",
		]
	},
	# and customers' users make no comments, likes, assignments, tags, follows or emails on records
	**{
		doctype: {"validate": "customer_portal.permissions.refuse_desk_action"}
		for doctype in DESK_ACTION_DOCTYPES
		if doctype != "DocShare"
	},
	# a Document's earlier versions stay downloadable: their files cannot be deleted on their own
	"File": {"on_trash": "customer_portal.documents.file_hooks.keep_version_files"},
	# the portal dashboard's cached figures follow the records they count
	# and portal events are raised where the changes customers hear about happen (notifications/events.py)
	# and the analytics page's stage durations and monthly counts are kept as orders change
	# (analytics/stage_times.py, analytics/month_figures.py)
	"Order": {
		"on_update": [
			_FORGET_DASHBOARD,
			f"{_EVENTS}.order_updated",
			f"{_STAGE_TIMES}.order_saved",
			f"{_MONTH_FIGURES}.order_saved",
		],
		"on_trash": [_FORGET_DASHBOARD, f"{_STAGE_TIMES}.order_deleted", f"{_MONTH_FIGURES}.order_deleted"],
	},
	# (and the analytics page's monthly spend is kept as invoices are submitted and cancelled)
	"Invoice": {
		"on_update": _FORGET_DASHBOARD,
		"on_submit": [_FORGET_DASHBOARD, f"{_EVENTS}.invoice_submitted", _SPEND_FIGURES],
		"on_cancel": [_FORGET_DASHBOARD, _SPEND_FIGURES],
		"on_update_after_submit": [
			_FORGET_DASHBOARD,
			f"{_EVENTS}.invoice_updated_after_submit",
			# statements list every payment: a paid amount edited on the invoice becomes one (payments/ledger.py)
			"customer_portal.payments.ledger.track_direct_change",
		],
		"on_trash": _FORGET_DASHBOARD,
	},
	"Document": {"on_update": f"{_EVENTS}.document_updated"},
	# the activity log: logins, logouts and failed logins (Frappe's own authentication log), account changes
	# (its address is the trusted client address; a failed sign-in counts towards the throttle)
	"Activity Log": {
		"before_insert": "customer_portal.activity.hooks.use_client_address",
		"after_insert": "customer_portal.activity.hooks.authentication_logged",
	},
	"Customer": {
		"on_update": ["customer_portal.activity.hooks.customer_updated", _FORGET_SSO_ROUTES],
		"on_trash": _FORGET_SSO_ROUTES,
		"before_rename": _MERGE_FIGURES,
	},
	"Social Login Key": {"on_update": _FORGET_SSO_ROUTES, "on_trash": _FORGET_SSO_ROUTES},
	"Order Stage": {
		"on_update": "customer_portal.portal.dashboard.forget_all",
		"on_trash": "customer_portal.portal.dashboard.forget_all",
		"before_rename": _MERGE_FIGURES,
	},
	# a Workflow for Order drives its stage (orders/workflow.py)
	"Workflow": {"validate": "customer_portal.orders.workflow.validate_order_workflow"},
	# scheduled jobs stamped in a new site's provisional time zone run on time once it has its own
	"System Settings": {"on_update": "customer_portal.setup.scheduled_jobs_clock.keep_jobs_on_time"},
	"Web Form": {
		"on_update": "customer_portal.web.request_guards.clear_web_form_routes",
		"on_trash": "customer_portal.web.request_guards.clear_web_form_routes",
	},
}

# each email is handed to the SMTP server the way Frappe does it, and the server's acceptance kept in Redis,
# so an email left "Sending" by a failure is neither lost nor sent twice (notifications/email_handover.py)
override_email_send = "customer_portal.notifications.email_handover.send"

scheduler_events = {
	"daily": [
		"customer_portal.customer_portal.doctype.invoice.invoice.mark_overdue_invoices",
		"customer_portal.activity.log.archive_old_entries",
		"customer_portal.exports.invoices.remove_old_exports",
	],
	"cron": {
		# every hour: digests whose moment (Digest Hour in each recipient's time zone) has come
		"0 * * * *": [
			"customer_portal.notifications.digests.send_daily_digests",
			"customer_portal.notifications.digests.send_weekly_digests",
		],
		# events whose fan-out did not commit (a worker died) are queued again
		"*/5 * * * *": [
			"customer_portal.notifications.dispatch.requeue_pending_events",
			# emails a lost database or a killed worker left "Sending" (notifications/email_handover.py)
			"customer_portal.notifications.email_handover.release_stalled_emails",
		],
		# the activity log's hash chain is extended every minute
		"* * * * *": ["customer_portal.activity.log.seal_entries"],
	},
}

# Frappe v15 endpoints that would answer around the scoping policy (see api/overrides.py)
override_whitelisted_methods = {
	method: f"customer_portal.api.overrides.{method.rsplit('.', 1)[1]}"
	for method in (
		"frappe.client.get_count",
		"frappe.desk.search.search_link",
		"frappe.desk.search.search_widget",
		"frappe.desk.form.load.getdoc",
		"frappe.desk.form.load.get_docinfo",
	)
}
# password reset answers the same whether or not the address has an account (accounts/password_reset.py)
override_whitelisted_methods["frappe.core.doctype.user.user.reset_password"] = (
	"customer_portal.accounts.password_reset.reset_password"
)
# self sign-up: closed by default, one answer for every address, never a customer (accounts/sign_up.py)
override_whitelisted_methods["frappe.core.doctype.user.user.sign_up"] = (
	"customer_portal.accounts.sign_up.sign_up"
)
# Web Form submissions on customer-owned doctypes belong to the active customer (portal/web_forms.py)
override_whitelisted_methods["frappe.website.doctype.web_form.web_form.accept"] = (
	"customer_portal.portal.web_forms.accept"
)
# customers' identity providers sign in only through the portal's own flow (accounts/single_sign_on.py)
override_whitelisted_methods["frappe.integrations.oauth2_logins.custom"] = (
	"customer_portal.api.sso.frappe_social_login"
)
