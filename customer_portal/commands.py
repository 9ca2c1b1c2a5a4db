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

	from customer_portal.demo import DemoSizes, generate

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

	from customer_portal.demo import demo_logins as logins

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


commands = [make_demo, demo_logins]
