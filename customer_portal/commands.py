import click
from frappe.commands import get_site, pass_context


@click.command("customer-portal-demo")
@click.option("--customers", default=2, show_default=True, help="Customers (2 to 1,000)")
@click.option("--users-per-customer", default=2, show_default=True, help="Portal users of each customer")
@click.option("--orders", default=40, show_default=True, help="Orders (up to 100,000)")
@click.option("--invoices", default=60, show_default=True, help="Invoices (up to 200,000)")
@click.option("--documents", default=30, show_default=True, help="Documents with files (up to 50,000)")
@click.option("--password", default="portal-demo-2026", show_default=True, help="Password of every demo user")
@click.option("--seed", default=42, show_default=True, help="Random seed, for repeatable data")
@pass_context
def make_demo(context, customers, users_per_customer, orders, invoices, documents, password, seed):
	"Fill the site with realistic demo customers, users, orders, invoices and documents"
	import frappe

	from customer_portal.demo.generator import generate
	from customer_portal.demo.sizes import DemoSizes

	sizes = DemoSizes(
		customers=customers,
		users_per_customer=users_per_customer,
		orders=orders,
		invoices=invoices,
		documents=documents,
	)
	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		generate(sizes, password=password, seed=seed)
	except frappe.ValidationError as e:
		raise click.UsageError(str(e)) from e
	finally:
		frappe.destroy()


@click.command("customer-portal-demo-logins")
@click.option("--admin-password", default="admin", show_default=True)
@click.option("--password", default="portal-demo-2026", show_default=True)
@click.option("--url", default="http://127.0.0.1:8000", show_default=True)
@pass_context
def demo_logins(context, admin_password, password, url):
	"Print the demo site's logins"
	import frappe

	from customer_portal.demo.users import demo_logins as logins

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		rows = [("Administrator", "Administrator", "System Manager", admin_password)]
		rows += [(who, login, role, password) for who, login, role in logins()]
	finally:
		frappe.destroy()
	click.echo(f"\nCustomer portal: {url}/portal    Desk: {url}/app\n")
	width = max(len(row[1]) for row in rows)
	for who, login, role, secret in rows:
		click.echo(f"  {who:<22} {login:<{width}}  {secret:<18} {role}")
	click.echo("")


@click.command("customer-portal-migrate-files")
@click.option("--batch-size", default=50, show_default=True, help="Files per committed batch")
@click.option("--limit", type=int, help="Move at most this many files, then stop (run again to go on)")
@pass_context
def migrate_files(context, batch_size, limit):
	"Move the site's private files from local disk to its S3 bucket; safe to interrupt and run again"
	import frappe
	from frappe.utils import update_progress_bar

	from customer_portal.documents.migration import describe, migrate_to_s3
	from customer_portal.documents.storage import StorageUnavailable

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		report = migrate_to_s3(
			batch_size=max(1, batch_size),
			limit=limit,
			progress=lambda done, total: update_progress_bar("Moving files to S3", done - 1, total),
		)
	except StorageUnavailable as e:
		raise click.ClickException(f"{e} Nothing is lost: run the command again to resume.") from e
	finally:
		frappe.destroy()
	click.echo("\n" + describe(report))


@click.command("customer-portal-verify-activity")
@pass_context
def verify_activity(context):
	"Recompute the activity log's hash chain and report any entry changed, removed or inserted in the database"
	import frappe
	from frappe.utils import update_progress_bar

	from customer_portal.activity.log import verify

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		result = verify(
			progress=lambda done, total: update_progress_bar("Verifying activity", done - 1, total)
		)
	finally:
		frappe.destroy()
	click.echo(
		f"\n{result.checked:,} entries verified, {result.unsealed:,} not yet sealed (sealed every minute)."
	)
	if result.intact:
		click.echo("The activity log is intact.")
		return
	for problem in result.problems[:50]:
		click.echo(f"  {problem}")
	raise click.ClickException(f"{len(result.problems)} problems found: the activity log was altered.")


@click.command("customer-portal-openapi")
@pass_context
def openapi(context):
	"Print the OpenAPI document of the customer-facing API (docs/openapi.json is its output)"
	import frappe

	from customer_portal.openapi import render

	frappe.init(site=get_site(context))
	try:
		click.echo(render(), nl=False)
	finally:
		frappe.destroy()


commands = [make_demo, demo_logins, migrate_files, verify_activity, openapi]
