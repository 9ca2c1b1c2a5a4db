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

A portal page's own source (its `www/` file, rendered from a string by Frappe) is compiled once per
worker the same way (`render_page_source`).
"""

import frappe
from jinja2 import BytecodeCache

_MAX_PAGES = 256


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
_PAGE_CODE: dict[str, object] = {}


def use_compiled_templates(context=None) -> None:
	"""The request's Jinja environment loads templates through the worker's bytecode cache."""
	frappe.get_jenv().bytecode_cache = CACHE


def render_page_source(source: str, context: dict) -> str:
	"""`frappe.render_template(source, context)` for a page's source text (one of this app's `www/`
	files), with its compiled code kept, keyed by the text itself."""
	jenv = frappe.get_jenv()
	code = _PAGE_CODE.get(source)
	if code is None:
		if len(_PAGE_CODE) >= _MAX_PAGES:
			_PAGE_CODE.clear()
		code = _PAGE_CODE[source] = jenv.compile(source)
	return jenv.template_class.from_code(jenv, code, jenv.make_globals(None)).render(context)
