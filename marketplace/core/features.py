"""Features plug in: each declares what it adds to the application, and core reads it without naming any feature.

A feature's `feature.py` builds one `Feature`:

    feature = Feature(
        "training",
        blueprints=(bp,),
        models=(models,),
        jobs=(Job("expire-training-holds", "Release seats held for bookings not paid", expire_holds),),
        dashboard_tasks=(DashboardTasks(40, training_tasks),),
        profile_sections=(ProfileSection(10, "training/_profile_records.html", records_context),),
        navigation=(nav_link(20, "Training", "training.catalogue", shown_to=everyone),),
        payment_purposes=(PaymentPurpose.TRAINING_BOOKING,),
    )

and create_app calls `feature.register(app)`, which registers the blueprints and plugs everything else into the
app's registry. Core asks the registry (`jobs()`, `navigation_for(user)`, `tasks_for(user)` ...) and so never
imports a feature. `order` numbers place one feature's links, tasks and sections among the others' (lower first).
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


@dataclass(frozen=True)
class DashboardTasks:
    """A feature's dashboard tasks: `tasks(user)` lists what the person should do next for that feature."""

    order: int
    tasks: Callable[[Any], list[Task]]


@dataclass(frozen=True)
class ProfileSection:
    """A section of the 'Your account' page: `context(user)` gives the template's variables, or None to leave it out."""

    order: int
    template: str
    context: Callable[[Any], Mapping | None]

    def render(self, user) -> Markup:
        """The section's HTML for this person ('' when it does not apply)."""
        context = self.context(user)
        return Markup(render_template(self.template, **context)) if context is not None else Markup("")


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
    """What one feature adds: pages, tables, periodic jobs, dashboard tasks, profile sections, links, payments."""

    name: str
    blueprints: tuple[Blueprint, ...] = ()
    models: tuple[ModuleType, ...] = ()  # imported here so metadata (and so migrations) sees the feature's tables
    jobs: tuple[Job, ...] = ()
    dashboard_tasks: tuple[DashboardTasks, ...] = ()
    profile_sections: tuple[ProfileSection, ...] = ()
    navigation: tuple[NavItem, ...] = ()
    # What the feature does when its payments change: objects with a `purpose` (payments.hooks.PurposeHandlers).
    payment_purposes: tuple[Any, ...] = ()

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
    def dashboard_tasks(self) -> list[DashboardTasks]:
        """Every feature's dashboard task lists, in order."""
        return self._sorted("dashboard_tasks")

    @property
    def profile_sections(self) -> list[ProfileSection]:
        """Every feature's profile sections, in order."""
        return self._sorted("profile_sections")

    @property
    def navigation(self) -> list[NavItem]:
        """Every feature's navigation items, in order."""
        return self._sorted("navigation")


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


def navigation_for(user) -> list[NavLink]:
    """The service navigation links for this person, in order."""
    return [link for item in registry().navigation for link in item.links(user)]
