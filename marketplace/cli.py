"""Flask commands: seed-demo, create-admin, jobs run-due / list, reconcile, queue worker."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .core.features import jobs as registered_jobs
from .core.jobs import run_due
from .core.queue import make_worker, queue_url
from .core.urls import links_context
from .extensions import db


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(jobs)
    app.cli.add_command(reconcile_command)
    app.cli.add_command(queue_group)


@click.command("reconcile")
def reconcile_command() -> None:
    """Check that payments, refunds, payouts, bookings and relief cover's funded hours add up; exit 1 and list the
    problems if not."""
    from .cover.reconcile import cover_problems
    from .payments.refunds_to_send import count_waiting
    from .payments.services import reconciliation_problems
    from .training.reconcile import booking_problems

    problems = reconciliation_problems() + booking_problems() + cover_problems()
    for problem in problems:
        click.echo(problem)
    waiting = count_waiting()
    click.echo(f"{waiting} refund{'' if waiting == 1 else 's'} waiting to be sent.")
    if problems:
        raise SystemExit(1)
    click.echo("Payments, refunds and bookings reconcile.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def seed_demo_command(if_empty: bool) -> None:
    """Create demo organisations and accounts, and print every demo login."""
    from .accounts.services import count_users
    from .demo import DEMO_PASSWORD, seed_demo

    if if_empty and count_users():
        click.echo("Demo data already present; nothing to do.")
        return
    with links_context():
        logins = seed_demo()
        db.session.commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<32} {email}")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a platform admin account."""
    from .accounts.passwords import password_problem
    from .accounts.services import EmailTaken, create_user
    from .core import audit

    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    try:
        user = create_user(name=name, email=email, password=password, intended_role="publisher", verified=True)
    except EmailTaken as error:
        raise click.ClickException(str(error)) from error
    user.is_admin = True
    audit.record("account.admin_created", obj=user, actor=None)
    db.session.commit()
    click.echo(f"Platform admin {user.email} created.")


jobs = AppGroup("jobs", help="Periodic jobs (run `flask jobs run-due` from cron every few minutes).")


@jobs.command("run-due")
def run_due_command() -> None:
    """Run every registered periodic job once."""
    with links_context():
        results = run_due()
    for name, changed in results.items():
        click.echo(f"{name}: {'FAILED' if changed < 0 else changed}")


@jobs.command("list")
def list_command() -> None:
    """List the registered jobs."""
    for job in registered_jobs().values():
        click.echo(f"{job.name}: {job.description}")


queue_group = AppGroup("queue", help="The background job queue (RQ on Redis; emails and notification fan-out).")


@queue_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--no-fork", is_flag=True, help="Run jobs in the worker's own process instead of a forked one.")
def queue_worker_command(burst: bool, no_fork: bool) -> None:
    """Run queued jobs (with their retries) until stopped; each job runs in a fresh app context."""
    app = current_app._get_current_object()
    if not queue_url(app):
        raise click.ClickException("Set REDIS_URL (or QUEUE_REDIS_URL): without Redis, jobs run in the web process.")
    make_worker(app, fork=not no_fork).work(burst=burst, with_scheduler=True, logging_level="INFO")
