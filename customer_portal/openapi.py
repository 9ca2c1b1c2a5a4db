"""The customer-facing REST surface as an OpenAPI 3.1 document, built from the code itself: every
whitelisted method of `customer_portal.api` (its HTTP methods, parameters from its signature, guest or
signed-in, its docstring) and Frappe's `/api/resource` reads of the doctypes customers reach (their
fields from the doctype definitions). `docs/openapi.json` is its output, kept in the repository; a unit
test fails when it is out of date (`bench --site SITE customer-portal-openapi > docs/openapi.json`), and
an end-to-end test checks it against the live site.
"""

import importlib
import inspect
import json
import pkgutil
import typing
from pathlib import Path

import frappe

import customer_portal.api as package

APP = Path(__file__).resolve().parent
# what customer users read through Frappe's REST API (all of it scoped: permissions.py)
RESOURCES = (
	"Customer",
	"Order",
	"Invoice",
	"Invoice Payment",
	"Document",
	"Support Ticket",
	"Support Ticket Message",
	"Portal Notification",
)
LAYOUT = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading", "Fold"}
TYPES = {
	"Int": {"type": "integer"},
	"Check": {"type": "integer", "enum": [0, 1]},
	"Float": {"type": "number"},
	"Currency": {"type": "number"},
	"Percent": {"type": "number"},
	"Date": {"type": "string", "format": "date"},
	"Datetime": {"type": "string", "format": "date-time"},
	"Table": {"type": "array", "items": {"type": "object"}},
}
STANDARD = {
	"name": {"type": "string"},
	"owner": {"type": "string"},
	"creation": {"type": "string", "format": "date-time"},
	"modified": {"type": "string", "format": "date-time"},
	"modified_by": {"type": "string"},
	"docstatus": {"type": "integer", "enum": [0, 1, 2]},
	"idx": {"type": "integer"},
}


def whitelisted_methods() -> list[tuple[str, typing.Callable]]:
	"""(dotted path, function) of every whitelisted function in customer_portal.api, sorted."""
	found = []
	for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
		module = importlib.import_module(f"customer_portal.api.{module_info.name}")
		for name, function in inspect.getmembers(module, inspect.isfunction):
			if function.__module__ == module.__name__ and function in frappe.whitelisted:
				found.append((f"{module.__name__}.{name}", function))
	return sorted(found)


def http_methods(function) -> list[str]:
	methods = frappe.allowed_http_methods_for_whitelisted_func.get(function) or ["GET", "POST"]
	# unrestricted functions accept every method; GET and POST are the ones the portal uses
	return [m.lower() for m in methods if m in ("GET", "POST")] or [m.lower() for m in methods]


def parameter_schema(annotation) -> dict:
	if annotation is inspect.Parameter.empty:
		return {"type": "string"}
	args = [a for a in typing.get_args(annotation) if a is not type(None)]
	if args:
		annotation = args[0]
	if annotation is int:
		return {"type": "integer"}
	if annotation in (float,):
		return {"type": "number"}
	if annotation in (list, dict) or typing.get_origin(annotation) in (list, dict):
		return {"type": "string", "description": "JSON"}
	return {"type": "string"}


def method_operation(path: str, function, method: str) -> dict:
	signature = inspect.signature(function)
	parameters = [
		(name, parameter)
		for name, parameter in signature.parameters.items()
		if parameter.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
	]
	guest = function in frappe.guest_methods
	operation = {
		"operationId": f"{method}_{path.replace('.', '_')}",
		"summary": (inspect.getdoc(function) or path).split("\n")[0],
		"description": inspect.getdoc(function) or "",
		"tags": [path.split(".")[2]],
		"security": [] if guest else [{"session": [], "csrf": []}, {"token": []}],
		"responses": {
			"200": {"description": "Done (JSON `message`), a redirect for browser forms, or a file"},
			"404": {"description": "Not found: also the answer for anything outside the caller's scope"},
			"417": {"description": "Refused input, with a translated message"},
			"429": {"description": "Rate limited"},
		},
	}
	if method == "post" and parameters:
		operation["requestBody"] = {
			"content": {
				"application/x-www-form-urlencoded": {
					"schema": {
						"type": "object",
						"properties": {name: parameter_schema(p.annotation) for name, p in parameters},
						"required": [n for n, p in parameters if p.default is inspect.Parameter.empty],
					}
				}
			}
		}
	elif parameters:
		operation["parameters"] = [
			{
				"name": name,
				"in": "query",
				"required": p.default is inspect.Parameter.empty,
				"schema": parameter_schema(p.annotation),
			}
			for name, p in parameters
		]
	return operation


def doctype_schema(doctype: str) -> dict:
	"""The record's fields from its doctype definition (the app's JSON files)."""
	folder = frappe.scrub(doctype)
	definition = json.loads((APP / "customer_portal" / "doctype" / folder / f"{folder}.json").read_text())
	properties = dict(STANDARD)
	for field in definition["fields"]:
		if field["fieldtype"] in LAYOUT:
			continue
		schema = dict(TYPES.get(field["fieldtype"], {"type": "string"}))
		if field["fieldtype"] == "Select" and field.get("options"):
			schema["enum"] = [o for o in field["options"].split("\n") if o]
		schema["description"] = field.get("label") or field["fieldname"]
		if "enum" not in schema and not field.get("reqd"):
			schema["type"] = [schema["type"], "null"]
		properties[field["fieldname"]] = schema
	return {"type": "object", "properties": properties}


def build() -> dict:
	paths, schemas = {}, {}
	for doctype in RESOURCES:
		key = doctype.replace(" ", "")
		schemas[key] = doctype_schema(doctype)
		reference = {"$ref": f"#/components/schemas/{key}"}
		paths[f"/api/resource/{doctype}"] = {
			"get": {
				"operationId": f"list_{key}",
				"summary": f"{doctype} records the caller may see",
				"tags": ["resources"],
				"security": [{"session": []}, {"token": []}],
				"parameters": [
					{
						"name": "fields",
						"in": "query",
						"schema": {"type": "string", "description": "JSON list"},
					},
					{"name": "filters", "in": "query", "schema": {"type": "string", "description": "JSON"}},
					{"name": "limit_page_length", "in": "query", "schema": {"type": "integer"}},
					{"name": "limit_start", "in": "query", "schema": {"type": "integer"}},
					{"name": "order_by", "in": "query", "schema": {"type": "string"}},
				],
				"responses": {
					"200": {
						"description": "Only the caller's customers' rows",
						"content": {
							"application/json": {
								"schema": {
									"type": "object",
									"properties": {"data": {"type": "array", "items": reference}},
								}
							}
						},
					}
				},
			}
		}
		paths[f"/api/resource/{doctype}/{{name}}"] = {
			"get": {
				"operationId": f"get_{key}",
				"summary": f"One {doctype}",
				"tags": ["resources"],
				"security": [{"session": []}, {"token": []}],
				"parameters": [
					{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
				],
				"responses": {
					"200": {
						"description": "The record",
						"content": {
							"application/json": {
								"schema": {"type": "object", "properties": {"data": reference}}
							}
						},
					},
					"404": {"description": "Missing, or another customer's (the same answer)"},
				},
			}
		}
	for path, function in whitelisted_methods():
		paths[f"/api/method/{path}"] = {
			method: method_operation(path, function, method) for method in http_methods(function)
		}
	return {
		"openapi": "3.1.0",
		"info": {
			"title": "customer_portal API",
			"version": "1",
			"description": "What a customer's user (or their API token) can call. Every path answers through "
			"the scoping policy: another customer's record is a 404, exactly like a missing one.",
		},
		"paths": paths,
		"components": {
			"schemas": schemas,
			"securitySchemes": {
				"session": {"type": "apiKey", "in": "cookie", "name": "sid"},
				"csrf": {"type": "apiKey", "in": "header", "name": "X-Frappe-CSRF-Token"},
				"token": {
					"type": "http",
					"scheme": "bearer",
					"description": "A Portal API Token (cpt_…), created on /portal/account",
				},
			},
		},
	}


def render() -> str:
	return json.dumps(build(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
