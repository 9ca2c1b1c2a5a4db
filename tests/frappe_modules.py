#!/usr/bin/env python3
"""Frappe's own tests of the paths the app touches, on a plain site and on a site with the app: both must
give the same result, test by test. This is how we know the app changes Frappe only for customers.

Called by `./dev frappe-tests` with the bench's Python (as the bench user):
    env/bin/python apps/customer_portal/tests/frappe_modules.py --bench BENCH --plain SITE --with-app SITE

Both sites are fresh, with Frappe's setup wizard completed. Each module runs with `bench --verbose --site SITE run-tests --module MODULE` on each site; the outcome
of every test (ok, FAIL, ERROR, skipped) is read from unittest's verbose report. It prints one line per
module and every test whose outcome differs, and exits non-zero on a difference not in `EXPLAINED`.
"""

import argparse
import re
import subprocess
import sys
import time

MODULES = (
	"frappe.tests.test_api",
	"frappe.tests.test_api_v2",
	"frappe.tests.test_client",
	"frappe.tests.test_permissions",
	"frappe.tests.test_db_query",
	"frappe.core.doctype.file.test_file",
	"frappe.tests.test_website",
	"frappe.tests.test_webform",
	"frappe.tests.test_search",
	"frappe.tests.test_global_search",
)
# test id -> why its outcome differs with the app installed: each is the app doing what it is for
NO_TRACEBACKS = "the app's install turns System Settings' allow_error_traceback off: no traceback in answers"
CONFINED = "a user without a desk role is confined to the portal (deny by default); this test user has none"
OWN_COPY = "a private file always gets its own stored copy, never another record's file with the same bytes"
EXPLAINED: dict[str, str] = {
	"frappe.tests.test_api.TestMethodAPI.test_logs": NO_TRACEBACKS,
	"frappe.tests.test_api_v2.TestMethodAPIV2.test_logs": NO_TRACEBACKS,
	"frappe.tests.test_website.TestWebsite.test_safe_render": NO_TRACEBACKS,
	"frappe.tests.test_db_query.TestDBQuery.test_permission_query_condition": CONFINED,
	"frappe.core.doctype.file.test_file.TestAttachmentsAccess.test_list_private_attachments": CONFINED,
	"frappe.core.doctype.file.test_file.TestFile.test_same_file_url_update": OWN_COPY,
	"frappe.core.doctype.file.test_file.TestFileUtils.test_extract_images_from_doc": OWN_COPY,
	"frappe.tests.test_website.TestWebsite.test_home_page": (
		"Administrator holds every role, so the app's role_home_page (portal roles: /portal) is found "
		"before the home_page hook the test patches in"
	),
}
# unittest's verbose report: "test_x (frappe.tests.test_y.TestY.test_x) ... ok", or the test's header on one
# line and its docstring with the outcome on the next
HEADER = re.compile(r"^(?P<test>test\w*) \((?P<where>[\w.]+)\)")
OUTCOME = re.compile(r" \.\.\. (?P<outcome>ok|FAIL|ERROR|skipped|expected failure|unexpected success)\b")

BARE_OUTCOME = re.compile(r"^(?P<outcome>ok|FAIL|ERROR|skipped|expected failure|unexpected success)\b")


def outcomes_in(report: str) -> dict[str, str]:
	"""Outcome per test id; a test that prints has its outcome on a line of its own after the prints."""
	outcomes, current = {}, None
	for line in report.splitlines():
		header = HEADER.match(line.strip())
		if header:
			current = header["where"]
		outcome = OUTCOME.search(line) or BARE_OUTCOME.match(line.strip())
		if outcome and current and current not in outcomes:
			outcomes[current] = outcome["outcome"]
	return outcomes


def run_module(bench: str, site: str, module: str) -> dict[str, str]:
	"""Outcome per test id of one Frappe test module on one site."""
	done = subprocess.run(
		["bench", "--verbose", "--site", site, "run-tests", "--module", module],
		cwd=bench,
		capture_output=True,
		text=True,
	)
	outcomes = outcomes_in(done.stdout + "\n" + done.stderr)
	if not outcomes:  # the module did not run at all (an import error, a failed setUpClass)
		tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
		outcomes[f"{module} (did not run)"] = " | ".join(tail)
	return outcomes


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", required=True)
	parser.add_argument("--plain", required=True, help="a site without customer_portal, allow_tests set")
	parser.add_argument("--with-app", required=True, help="a site with customer_portal, allow_tests set")
	args = parser.parse_args()

	unexplained, started = [], time.monotonic()
	# Frappe's own before_tests completes the setup wizard only on a site with Frappe alone: both sites
	# start from the same state
	for site in (args.plain, args.with_app):
		subprocess.run(
			["bench", "--site", site, "execute", "frappe.utils.install.complete_setup_wizard"],
			cwd=args.bench,
			check=True,
			stdout=subprocess.DEVNULL,
		)
	print(f"{'module':<40} {'tests':>6} {'plain ok':>9} {'app ok':>7} {'differ':>7}", flush=True)
	for module in MODULES:
		plain = run_module(args.bench, args.plain, module)
		with_app = run_module(args.bench, args.with_app, module)
		differ = sorted(t for t in plain.keys() | with_app.keys() if plain.get(t) != with_app.get(t))
		ok = sum(1 for o in plain.values() if o == "ok"), sum(1 for o in with_app.values() if o == "ok")
		print(f"{module:<40} {len(plain):>6} {ok[0]:>9} {ok[1]:>7} {len(differ):>7}", flush=True)
		for test in differ:
			reason = EXPLAINED.get(test)
			print(
				f"    {test}: plain {plain.get(test)}, with the app {with_app.get(test)}"
				+ (f" ({reason})" if reason else ""),
				flush=True,
			)
			if not reason:
				unexplained.append(test)
	print(f"{len(unexplained)} unexplained differences, {time.monotonic() - started:.0f} s", flush=True)
	return 1 if unexplained else 0


if __name__ == "__main__":
	sys.exit(main())
