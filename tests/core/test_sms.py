"""Urgent alerts by text message: through GOV.UK Notify (the tests' Notify-compatible server), from the queue, once,
only to people who gave a mobile and opted in, and only when a Notify key is configured."""

import logging
import threading

import pytest

from marketplace.core import sms
from marketplace.core.notifications import SMS_STATES, Notification, SmsStatus, notify, notify_each, send_text
from marketplace.extensions import db
from tests import factories
from tests.core.test_queue import _keep_signal_handlers, rq_queue, work  # noqa: F401  (fixtures used here)
from tests.database import audit_events, fresh, notifications_for
from tests.races import POSTGRES_ONLY, race, repeat, summary

MOBILE = "+447700900982"
LINK = "https://backstop.test/relief/shifts/7"


def texter(**changes):
    """A person with a mobile who opted in to text alerts (changes: other column values)."""
    person = factories.user()
    person.mobile, person.sms_alerts = MOBILE, True
    for name, value in changes.items():
        setattr(person, name, value)
    db.session.commit()
    return person


def urgent(person, title: str = "A cover shift you could take on Tuesday", **kwargs) -> Notification:
    """An urgent notification, committed (the text's job runs in this process after the commit)."""
    note = notify(person, "cover_shift", title=title, body="Private: key safe 1234", link=LINK, urgent=True, **kwargs)
    db.session.commit()
    return note


def reloaded(note: Notification) -> Notification:
    fresh()
    return db.session.get(Notification, note.id)


def test_an_opted_in_person_is_texted_the_title_and_link(ctx, notify_mode):
    """Configured, with a mobile and opted in: Notify gets one text with the title and link, never the body, with
    our notification id as its reference; the row records Notify's id."""
    note = urgent(texter())
    [text] = notify_mode.texts()
    assert text["phone_number"] == MOBILE and text["template_id"] == notify_mode.template_id
    assert text["body"] == f"Backstop: A cover shift you could take on Tuesday\n{LINK}"
    assert "1234" not in text["body"] and text["reference"] == f"notification-{note.id}"
    note = reloaded(note)
    assert (note.sms_status, note.sms_id) == (SmsStatus.SENT, text["id"])
    assert [event.action for event in audit_events(prefix="sms.")] == ["sms.sending", "sms.sent"]


@pytest.mark.parametrize(
    "case",
    ["no Notify key", "no template", "no mobile", "not opted in", "account closed", "not urgent"],
)
def test_no_text_without_a_key_a_number_an_opt_in_or_urgency(app, ctx, notify_mode, case):
    """Each missing condition alone means no text (and no text job): in-app and email only."""
    changes = {"no mobile": {"mobile": None}, "not opted in": {"sms_alerts": False}}
    changes["account closed"] = {"is_active_account": False}
    person = texter(**changes.get(case, {}))
    if case == "no Notify key":
        app.config["NOTIFY_API_KEY"] = None
    if case == "no template":
        app.config["NOTIFY_SMS_TEMPLATE_ID"] = None
    if case == "not urgent":
        note = notify(person, "cover_shift", title="News", link=LINK)
        db.session.commit()
    else:
        note = urgent(person)
    assert notify_mode.texts() == [] and notify_mode.requests == []
    assert reloaded(note).sms_status is None


def test_a_bad_key_is_refused_and_recorded_without_raising(app, ctx, notify_mode, caplog):
    """A key Notify does not know: the server answers 403 AuthError, the commit (a request's) does not raise, the row
    says failed, and the log line names Notify's error but never the number."""
    app.config["NOTIFY_API_KEY"] = f"wrong-{notify_mode.service_id}-{'0' * 36}"
    with caplog.at_level(logging.WARNING):
        note = urgent(texter())
    assert notify_mode.texts() == []
    [request] = notify_mode.requests
    assert request.path == "/v2/notifications/sms"
    assert reloaded(note).sms_status == SmsStatus.FAILED
    [event] = audit_events("sms.failed")
    assert event.details["error"] == "403 AuthError: Invalid token: API key not found"
    assert "Invalid token: API key not found" in caplog.text
    assert "7700900982" not in caplog.text and "7700 900982" not in caplog.text


def test_notify_down_is_recorded_and_logged_without_raising(ctx, notify_mode, caplog):
    """A 500 from Notify (worth retrying) is raised to the queue; run in-process after the commit it is only logged."""
    notify_mode.fail_next(500)
    with caplog.at_level(logging.WARNING):
        note = urgent(texter())
    assert reloaded(note).sms_status == SmsStatus.FAILED
    assert "Job marketplace.core.notifications.send_text failed" in caplog.text
    assert "7700900982" not in caplog.text


def test_a_job_run_again_sends_nothing_more(ctx, notify_mode):
    """Running the job again (a retry or a duplicate) finds the text sent and asks Notify for nothing."""
    note = urgent(texter())
    asked = len(notify_mode.requests)
    assert send_text(note.id) is False
    assert len(notify_mode.texts()) == 1 and len(notify_mode.requests) == asked


def test_a_retry_after_notify_accepted_finds_the_text_by_reference(ctx, notify_mode):
    """Notify took the text but its answer was lost (a 500 after storing it): the retry asks Notify for the reference,
    records the text it finds, and does not send a second one."""
    notify_mode.fail_next(500, store=True)
    note = urgent(texter())
    assert reloaded(note).sms_status == SmsStatus.FAILED
    assert send_text(note.id) is False
    [text] = notify_mode.texts()
    note = reloaded(note)
    assert (note.sms_status, note.sms_id) == (SmsStatus.SENT, text["id"])
    assert [(r.method, r.path) for r in notify_mode.requests] == [
        ("POST", "/v2/notifications/sms"),
        ("GET", "/v2/notifications"),
    ]
    assert notify_mode.requests[-1].query == {"template_type": "sms", "reference": f"notification-{note.id}"}


def test_a_retry_after_a_failure_notify_never_saw_sends(ctx, notify_mode):
    """Notify was down and kept nothing: the retry looks for the reference, finds none, and sends the text once."""
    notify_mode.fail_next(503, "Exception", "Service unavailable")
    note = urgent(texter())
    assert notify_mode.texts() == []
    assert send_text(note.id) is True
    assert len(notify_mode.texts()) == 1 and reloaded(note).sms_status == SmsStatus.SENT


def test_a_job_interrupted_mid_send_is_resumed_by_reference(ctx, notify_mode):
    """A worker killed after recording 'sending' and after Notify took the text: the next run finds it there."""
    person = texter()
    note = Notification(user_id=person.id, kind="k", title="Shift", link=LINK, sms_status=SmsStatus.SENDING)
    db.session.add(note)
    db.session.commit()
    sms_id = sms.send(MOBILE, "Backstop: Shift", sms.reference(note.id))
    assert send_text(note.id) is False
    assert reloaded(note).sms_id == sms_id and len(notify_mode.texts()) == 1


def test_opting_out_before_the_job_runs_cancels_the_text(ctx, notify_mode):
    """The job checks again: a person who removed their number since the alert is not texted."""
    person = texter()
    note = Notification(user_id=person.id, kind="k", title="Shift", link=LINK, sms_status=SmsStatus.QUEUED)
    db.session.add(note)
    person.mobile = None
    db.session.commit()
    assert send_text(note.id) is False
    assert notify_mode.texts() == [] and reloaded(note).sms_status == SmsStatus.CANCELLED


def test_notify_each_texts_only_the_opted_in_once(ctx, notify_mode):
    """An urgent fan-out texts those who opted in; running the same fan-out again texts nobody twice."""
    ann, bob, quiet = texter(), texter(mobile="+447700900123"), texter(sms_alerts=False)
    notify_each([ann, bob, quiet], "cover_shift", title="A shift you could take", link=LINK, urgent=True, key="k1")
    db.session.commit()
    assert sorted(text["phone_number"] for text in notify_mode.texts()) == ["+447700900123", MOBILE]
    notify_each([ann, bob, quiet], "cover_shift", title="A shift you could take", link=LINK, urgent=True, key="k1")
    db.session.commit()
    assert len(notify_mode.texts()) == 2
    assert [n.sms_status for n in notifications_for(quiet)] == [None]


def test_the_text_is_short_and_links_to_backstop(ctx):
    """A long title is cut so the text fits one message with its whole link; a path becomes an absolute link."""
    text = sms.message("A very long title " * 20, LINK)
    assert len(text) <= sms.SMS_LENGTH and text.endswith(f"...\n{LINK}") and text.startswith("Backstop: A very")
    assert sms.message("Shift", "/relief/shifts/7") == "Backstop: Shift\nhttp://backstop.test/relief/shifts/7"


def test_uk_mobiles_are_recognised_and_normalised():
    """07… and +447… (with spaces, dashes, brackets, 0044 or +44 (0)) become +447…; anything else is not one."""
    for typed in ("07700 900982", "07700-900-982", "+44 7700 900982", "+44 (0)7700 900982", "0044 7700 900982"):
        assert sms.uk_mobile(typed) == MOBILE, typed
    for typed in ("0113 496 0000", "+33 6 12 34 56 78", "0770090098", "077009009821", "seven", ""):
        assert sms.uk_mobile(typed) is None, typed


def test_sms_states_allow_only_forward_moves():
    """Sent and cancelled are final; a failure may be retried; nothing goes back to queued."""
    assert SMS_STATES.allows(SmsStatus.FAILED, SmsStatus.SENDING)
    assert not SMS_STATES.allows(SmsStatus.SENT, SmsStatus.SENDING)
    assert not SMS_STATES.allows(SmsStatus.CANCELLED, SmsStatus.SENDING)
    assert SMS_STATES.sources(SmsStatus.QUEUED) == ()


# On the queue


def test_the_text_is_sent_by_the_worker_not_in_the_request(app, client, ctx, rq_queue, notify_mode):  # noqa: F811
    """With the queue on, committing only queues the text's job; the worker sends it."""
    note = urgent(texter())
    assert notify_mode.requests == [] and reloaded(note).sms_status == SmsStatus.QUEUED
    assert "marketplace.core.notifications.send_text" in [job.func_name for job in rq_queue.get_jobs()]
    work(app, rq_queue)
    assert len(notify_mode.texts()) == 1 and reloaded(note).sms_status == SmsStatus.SENT


def test_the_queue_retries_a_failed_text_and_it_goes_once(app, ctx, rq_queue, notify_mode):  # noqa: F811
    """Notify answers 500 once: RQ retries the job, which sends the text once; no job is left failed."""
    notify_mode.fail_next(500)
    note = urgent(texter())
    work(app, rq_queue)
    assert len(notify_mode.texts()) == 1 and reloaded(note).sms_status == SmsStatus.SENT
    assert rq_queue.failed_job_registry.count == 0
    posts = [r for r in notify_mode.requests if r.method == "POST"]
    assert len(posts) == 2


def test_the_queue_does_not_retry_a_refusal(app, ctx, rq_queue, notify_mode):  # noqa: F811
    """A refused key (403) will not work on a retry: the job records it, finishes, and asks Notify once."""
    app.config["NOTIFY_API_KEY"] = f"wrong-{notify_mode.service_id}-{'0' * 36}"
    note = urgent(texter())
    work(app, rq_queue)
    assert len(notify_mode.requests) == 1 and reloaded(note).sms_status == SmsStatus.FAILED
    assert rq_queue.failed_job_registry.count == 0


RACE_RUNS = 10


class _GoOnOnceBothLoaded:
    """Stands in for sms.wants_texts in send_text: a run goes on only once both runs have loaded the notification, so
    every run has the interleaving that matters (both read the status, then both try to change it)."""

    def __init__(self):
        self.both_loaded = threading.Barrier(2, timeout=10)
        self.real = sms.wants_texts

    def __call__(self, user) -> bool:
        self.both_loaded.wait()
        return self.real(user)


@pytest.mark.parametrize("status", [pytest.param(status, marks=POSTGRES_ONLY) for status in ("queued", "sending")])
def test_concurrent_runs_of_one_text_job_send_it_once(app, ctx, notify_mode, monkeypatch, status):
    """Two runs of the same job at once (a re-enqueued job, fresh or resumed), both having read the status before
    either changes it: the conditional updates let one send; the other waits for the row and finds it sent."""
    person_id = texter().id

    def attempt(run):
        note = Notification(user_id=person_id, kind="k", title=f"Shift {run}", link=LINK, sms_status=status)
        db.session.add(note)
        db.session.commit()
        note_id = note.id  # read here: the threads must not touch this session's objects
        with monkeypatch.context() as patch:
            patch.setattr(sms, "wants_texts", _GoOnOnceBothLoaded())
            outcomes = race(app, [lambda: lambda: send_text(note_id)] * 2)
        texts = [text for text in notify_mode.texts() if text["reference"] == sms.reference(note_id)]
        note = reloaded(note)
        sent_events = [e for e in audit_events("sms.sent") if e.object_id == note_id]
        if sorted(outcomes, key=str) != [False, True] or len(texts) != 1 or len(sent_events) != 1:
            return f"outcomes {outcomes!r}, {len(texts)} texts, {len(sent_events)} 'sent' events"
        if (note.sms_status, note.sms_id) != (SmsStatus.SENT, texts[0]["id"]):
            return f"row says {note.sms_status} {note.sms_id}, Notify has {texts[0]['id']}"
        return None

    problems = repeat(RACE_RUNS, attempt)
    assert not problems, summary(problems, RACE_RUNS)
