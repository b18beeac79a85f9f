"""Features plug in: each declares what it adds to the application, and core reads it without naming any feature.

A feature's `feature.py` builds one `Feature`:

    feature = Feature(
        "training",
        blueprints=(bp,),
        models=(models,),
        jobs=(Job("expire-training-holds", "Release seats held for bookings not paid", expire_holds),),
        dashboard_tasks=(DashboardTasks(40, training_tasks),),
        profile_sections=(ProfileSection(10, "training/_profile_records.html", records_context),),
        dashboard_sections=(DashboardSection(20, "training/_dashboard_courses.html", courses_context),),
        dashboard_links=(DashboardLinks(20, "Training", booker_links),),
        navigation=(nav_link(20, "Training", "training.catalogue", shown_to=everyone),),
        payment_purposes=(PaymentPurpose.TRAINING_BOOKING,),
        personal_data=(PersonalData(40, export=personal_data.export, anonymise=personal_data.anonymise),),
        retention=(Retention(40, "Invitations", "{INVITATION_MAX_AGE_DAYS} days", purge_invitations),),
    )

and create_app calls `feature.register(app)`, which registers the blueprints and plugs everything else into the
app's registry. Core asks the registry (`jobs()`, `navigation_for(user)`, `tasks_for(user)`,
`dashboard_sections_for(user)`, `personal_data()`, `retention_schedule()` ...) and so never imports a feature. `order` numbers place one feature's links,
tasks and sections among the others' (lower first).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from markupsafe import Markup

EXTENSION = "backstop.features"


class FeatureConflict(RuntimeError):
    """Two features claim the same name, job or payment purpose."""


@dataclass(frozen=True)
class Job:
    """A named periodic job; run(now) must be idempotent and safe to run concurrently (returns how many changed)."""

    name: str
    description: str
    run: Callable[[datetime], int]


@dataclass(frozen=True)
class Task:
    """One thing on a person's dashboard to do, with where to do it."""

    text: str
    href: str
    hint: str = ""
    status: str = "To do"  # the tag beside it
    colour: str = "blue"  # the tag's GOV.UK colour: "red" for something overdue


@dataclass(frozen=True)
class DashboardTasks:
    """A feature's dashboard tasks: `tasks(user)` lists what the person should do next for that feature."""

    order: int
    tasks: Callable[[Any], list[Task]]


@dataclass(frozen=True)
class Section:
    """A part of a page a feature adds: `context(user)` gives the template's variables, or None to leave it out."""

    order: int
    template: str
    context: Callable[[Any], Mapping | None]

    def render(self, user) -> Markup:
        """The section's HTML for this person ('' when it does not apply)."""
        context = self.context(user)
        # render_template autoescapes; Markup only marks its already-escaped output as safe to embed (bandit B704).
        return Markup(render_template(self.template, **context)) if context is not None else Markup("")  # nosec B704


class ProfileSection(Section):
    """A section of the 'Your account' page."""


class DashboardSection(Section):
    """A section of the dashboard, below the tasks: what the person runs (their courses, their invoices ...)."""


@dataclass(frozen=True)
class NavLink:
    """One link in the service navigation."""

    text: str
    endpoint: str
    values: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class NavItem:
    """A feature's place in the service navigation: `links(user)` gives its links for this person (none: hidden)."""

    order: int
    links: Callable[[Any], Iterable[NavLink]]


@dataclass(frozen=True)
class DashboardLinks:
    """Links a feature puts on the dashboard under a heading; features giving the same heading share one list."""

    order: int
    heading: str
    links: Callable[[Any], Iterable[NavLink]]


def _holds_nothing(user) -> dict:
    return {}


def _keeps_nothing(user, pseudonym) -> None:
    return None


def _never_blocks(user) -> list[Task]:
    return []


@dataclass(frozen=True)
class PersonalData:
    """What a feature holds about a person, for a subject access export and for closing their account.

    export(user) gives {table name: rows (dicts of JSON values)}; anonymise(user, pseudonym) takes the person out of
    the feature's data when they close their account, keeping what must be kept under the pseudonym (features in
    `order`, lower first); blockers(user) lists what the person must do before they can close it (as Tasks).
    """

    order: int
    export: Callable[[Any], Mapping[str, list[dict]]] = _holds_nothing
    anonymise: Callable[[Any, Any], None] = _keeps_nothing
    blockers: Callable[[Any], list[Task]] = _never_blocks


@dataclass(frozen=True)
class Retention:
    """One line of the retention schedule: which data, how long it is kept, and the step that applies it.

    `kept` is the privacy notice's words, formatted with the app's config ("{SIGN_IN_WINDOW_MINUTES} minutes");
    run(now) deletes or strips what is older (idempotent; returns how many rows it changed).
    """

    order: int
    data: str
    kept: str
    run: Callable[[datetime], int]

    @property
    def kept_for(self) -> str:
        """How long, in the words of the privacy notice, with the configured numbers."""
        return self.kept.format_map(current_app.config)


def everyone(user) -> bool:
    """Shown to everyone."""
    return True


def signed_in(user) -> bool:
    """Shown once the person has signed in."""
    return bool(user and user.is_authenticated)


def signed_out(user) -> bool:
    """Shown until the person signs in."""
    return not signed_in(user)


def nav_link(order: int, text: str, endpoint: str, *, shown_to: Callable[[Any], bool] = signed_in) -> NavItem:
    """A fixed navigation link, shown to the people `shown_to` accepts."""
    link = NavLink(text, endpoint)
    return NavItem(order, lambda user: [link] if shown_to(user) else [])


@dataclass(frozen=True)
class Feature:
    """What one feature adds: pages, tables, jobs, dashboard tasks, sections, links, payments, personal data kept."""

    name: str
    blueprints: tuple[Blueprint, ...] = ()
    models: tuple[ModuleType, ...] = ()  # imported here so metadata (and so migrations) sees the feature's tables
    jobs: tuple[Job, ...] = ()
    dashboard_tasks: tuple[DashboardTasks, ...] = ()
    profile_sections: tuple[ProfileSection, ...] = ()
    dashboard_sections: tuple[DashboardSection, ...] = ()
    dashboard_links: tuple[DashboardLinks, ...] = ()
    navigation: tuple[NavItem, ...] = ()
    personal_data: tuple[PersonalData, ...] = ()
    retention: tuple[Retention, ...] = ()
    # What the feature does when its payments change: objects with a `purpose` (payments.hooks.PurposeHandlers).
    payment_purposes: tuple[Any, ...] = ()
    # What every page reads of the signed-in person (navigation, permissions): callables returning loader options
    # for User (e.g. `lambda: joinedload(User.memberships)`), applied in the one query that loads them per request.
    signed_in_loads: tuple[Callable[[], Any], ...] = ()

    def register(self, app: Flask) -> None:
        """Register the feature's blueprints and plug the rest into the app's registry."""
        registry = app.extensions.setdefault(EXTENSION, Registry())
        registry.add(self)
        for blueprint in self.blueprints:
            app.register_blueprint(blueprint)


@dataclass
class Registry:
    """Everything the registered features added to one app, each kind in its order."""

    features: dict[str, Feature] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    payment_purposes: dict[str, str] = field(default_factory=dict)  # purpose → the feature that declared it
    payment_handlers: dict[str, Any] = field(default_factory=dict)  # purpose → that feature's handlers
    _signed_in_loads: tuple | None = None

    def add(self, feature: Feature) -> None:
        """Take in one feature; refuse a second feature of the same name, job name or payment purpose."""
        if feature.name in self.features:
            raise FeatureConflict(f"Feature {feature.name!r} is registered twice")
        jobs = {job.name: job for job in feature.jobs}
        handlers = {item.purpose: item for item in feature.payment_purposes}
        purposes = dict.fromkeys(handlers, feature.name)
        _refuse_clash(self.jobs, jobs, "Job", feature.name)
        _refuse_clash(self.payment_purposes, purposes, "Purpose", feature.name)
        self.jobs.update(jobs)
        self.payment_purposes.update(purposes)
        self.payment_handlers.update(handlers)
        self.features[feature.name] = feature

    def _sorted(self, kind: str) -> list:
        items = [item for feature in self.features.values() for item in getattr(feature, kind)]
        return sorted(items, key=lambda item: item.order)

    @property
    def signed_in_loads(self) -> tuple:
        """Every feature's loader options for the signed-in person (built once: they are the same every request)."""
        if self._signed_in_loads is None:
            self._signed_in_loads = tuple(
                load() for feature in self.features.values() for load in feature.signed_in_loads
            )
        return self._signed_in_loads

    @property
    def dashboard_tasks(self) -> list[DashboardTasks]:
        """Every feature's dashboard task lists, in order."""
        return self._sorted("dashboard_tasks")

    @property
    def profile_sections(self) -> list[ProfileSection]:
        """Every feature's profile sections, in order."""
        return self._sorted("profile_sections")

    @property
    def dashboard_sections(self) -> list[DashboardSection]:
        """Every feature's dashboard sections, in order."""
        return self._sorted("dashboard_sections")

    @property
    def dashboard_links(self) -> list[DashboardLinks]:
        """Every feature's dashboard links, in order."""
        return self._sorted("dashboard_links")

    @property
    def navigation(self) -> list[NavItem]:
        """Every feature's navigation items, in order."""
        return self._sorted("navigation")

    @property
    def personal_data(self) -> list[PersonalData]:
        """What every feature holds about people, in order."""
        return self._sorted("personal_data")

    @property
    def retention(self) -> list[Retention]:
        """The retention schedule: every feature's steps, in order."""
        return self._sorted("retention")


def _refuse_clash(taken: dict, new: dict, what: str, feature: str) -> None:
    """Raise FeatureConflict if another feature already has any of the new names."""
    clash = sorted(set(taken) & set(new))
    if clash:
        raise FeatureConflict(f"{what} {', '.join(clash)} of feature {feature!r} is already registered")


def registry(app: Flask | None = None) -> Registry:
    """The registry of the given (or current) app."""
    return (app or current_app).extensions.setdefault(EXTENSION, Registry())


def jobs() -> dict[str, Job]:
    """Every registered periodic job by name."""
    return registry().jobs


def payment_handlers(purpose: str) -> Any:
    """The handlers the feature that takes payments of this purpose declared, or None."""
    return registry().payment_handlers.get(purpose)


def tasks_for(user) -> list[Task]:
    """Everything the person should do next, feature by feature in the registry's order."""
    return [task for source in registry().dashboard_tasks for task in source.tasks(user)]


def profile_sections_for(user) -> list[Markup]:
    """The HTML of each feature's section of the person's account page, in order (empty ones left out)."""
    rendered = (section.render(user) for section in registry().profile_sections)
    return [html for html in rendered if html]


def dashboard_sections_for(user) -> list[Markup]:
    """The HTML of each feature's section of the person's dashboard, in order (empty ones left out)."""
    rendered = (section.render(user) for section in registry().dashboard_sections)
    return [html for html in rendered if html]


def dashboard_links_for(user) -> list[tuple[str, list[NavLink]]]:
    """(heading, links) for the person's dashboard: each heading once, where its first links come, none empty."""
    grouped: dict[str, list[NavLink]] = {}
    for source in registry().dashboard_links:
        links = list(source.links(user))
        if links:
            grouped.setdefault(source.heading, []).extend(links)
    return list(grouped.items())


def signed_in_loads() -> tuple:
    """Loader options for the signed-in person, so navigation and permission checks read no more rows per page."""
    return registry().signed_in_loads


def navigation_for(user) -> list[NavLink]:
    """The service navigation links for this person, in order."""
    return [link for item in registry().navigation for link in item.links(user)]


def personal_data() -> list[PersonalData]:
    """What each feature holds about people (export, anonymise, blockers), in order."""
    return registry().personal_data


def retention_schedule() -> list[Retention]:
    """Every step of the retention schedule, in order (the privacy notice shows it; one job applies it)."""
    return registry().retention
