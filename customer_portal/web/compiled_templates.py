"""Compiled templates kept between requests (`update_website_context`).

Frappe builds a new Jinja environment for every request (`frappe.utils.jinja.get_jenv` keeps it on
`frappe.local`), so each page view parsed and compiled every template it uses again, the portal's shell
and macros included: about 40% of `/portal/orders`' time under pyinstrument (`tests/profile_page.py`).

A bytecode cache is Jinja's own answer: the compiled code of a template, stored under its name and file
and checked against a checksum of its source when loaded, so an edited template compiles again. Only code
is shared between requests; each request still renders with its own environment (its globals hold that
request's user), and the sandbox still applies, because it acts when the code runs, not when it is
compiled. The code is kept as Python code objects, not as the marshalled bytes Jinja's file caches
write: unmarshalling every template of a page again was still 4 % of a page.

A template given as source text (a portal page's `www/` file, which Frappe renders from a string; an
Email Template admins edit in desk) is compiled once per worker the same way, keyed by the text itself,
so an edit compiles again (`template_from_string`).
"""

import frappe
from jinja2 import BytecodeCache

_MAX_SOURCES = 256


class ProcessBytecodeCache(BytecodeCache):
	"""Compiled template code in this worker process's memory."""

	def __init__(self):
		self.code: dict[str, tuple[str, object]] = {}

	def load_bytecode(self, bucket) -> None:
		kept = self.code.get(bucket.key)
		if kept is not None and kept[0] == bucket.checksum:  # else the source changed: compiled again
			bucket.code = kept[1]

	def dump_bytecode(self, bucket) -> None:
		self.code[bucket.key] = (bucket.checksum, bucket.code)

	def clear(self) -> None:
		self.code.clear()


CACHE = ProcessBytecodeCache()
_SOURCE_CODE: dict[str, object] = {}


def use_compiled_templates(context=None) -> None:
	"""The request's Jinja environment loads templates through the worker's bytecode cache."""
	frappe.get_jenv().bytecode_cache = CACHE


def template_from_string(source: str):
	"""`frappe.get_jenv().from_string(source)` for the request's environment, with the compiled code of
	`source` kept by the worker (a syntax error raises Jinja's TemplateSyntaxError, as there)."""
	jenv = frappe.get_jenv()
	code = _SOURCE_CODE.get(source)
	if code is None:
		if len(_SOURCE_CODE) >= _MAX_SOURCES:
			_SOURCE_CODE.clear()
		code = _SOURCE_CODE[source] = jenv.compile(source)
	return jenv.template_class.from_code(jenv, code, jenv.make_globals(None))
