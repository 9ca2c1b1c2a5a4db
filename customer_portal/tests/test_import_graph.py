"""The app's modules import each other at module level, in layers with no cycle.

The graph is read from the source (each module's top-level imports of the app's own modules, and the
packages they sit in), then every module is imported in a fresh interpreter, dependencies first.
"""

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

APP = "customer_portal"
ROOT = Path(frappe.get_app_path(APP)).parent
# function-level imports kept on purpose: bench loads `commands` at every CLI call, before any site, as
# Frappe's own commands do; the S3 and Stripe SDKs are heavy and loaded only where a site uses them
LAZY_FILES = frozenset({f"{APP}/commands.py"})
LAZY_PACKAGES = frozenset({"boto3", "botocore", "stripe"})


def app_modules() -> dict[str, Path]:
	modules = {}
	for path in (ROOT / APP).rglob("*.py"):
		parts = list(path.relative_to(ROOT).with_suffix("").parts)
		if parts[-1] == "__init__":
			parts.pop()
		modules[".".join(parts)] = path
	return modules


def imported(node, modules) -> set[str]:
	"""The app's modules an import statement loads: the module named, a submodule imported from it, and
	every package on the way."""
	if isinstance(node, ast.Import):
		names = [alias.name for alias in node.names]
	elif node.level == 0 and node.module:
		names = [
			f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
			for alias in node.names
		]
	else:
		names = []
	loaded = set()
	for name in names:
		parts = name.split(".")
		loaded |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & modules.keys()
	return loaded


def import_graph() -> dict[str, set[str]]:
	modules = app_modules()
	graph = {}
	for name, path in modules.items():
		tree = ast.parse(path.read_text())
		graph[name] = set().union(
			*(imported(node, modules) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom))
		) - {name}
	return graph


def function_level_imports() -> list[str]:
	found = []
	for name, path in app_modules().items():
		if str(path.relative_to(ROOT)) in LAZY_FILES:
			continue
		for function in ast.walk(ast.parse(path.read_text())):
			if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
				continue
			for node in ast.walk(function):
				if isinstance(node, ast.Import):
					packages = {alias.name.split(".")[0] for alias in node.names}
				elif isinstance(node, ast.ImportFrom):
					packages = {(node.module or "").split(".")[0]}
				else:
					continue
				if not packages <= LAZY_PACKAGES:
					found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
	return found


class TestImportGraph(FrappeTestCase):
	def test_no_import_cycle(self):
		graph = import_graph()
		self.assertGreater(len(graph), 200)
		try:
			order = list(TopologicalSorter(graph).static_order())
		except CycleError as error:
			self.fail(f"import cycle: {' -> '.join(error.args[1])}")
		self.assertEqual(set(order), set(graph))

	def test_imports_are_at_module_level(self):
		self.assertEqual(function_level_imports(), [])

	def test_every_module_imports_in_a_fresh_interpreter_in_dependency_order(self):
		order = [name for name in TopologicalSorter(import_graph()).static_order() if name != APP]
		script = (
			"import importlib, sys\n"
			"for name in sys.argv[1:]:\n"
			"\ttry:\n"
			"\t\timportlib.import_module(name)\n"
			"\texcept Exception as error:\n"
			"\t\tsys.exit(f'{name}: {type(error).__name__}: {error}')\n"
		)
		result = subprocess.run(
			[sys.executable, "-c", script, *order], capture_output=True, text=True, cwd=ROOT
		)
		self.assertEqual(result.returncode, 0, result.stderr[-2000:])
