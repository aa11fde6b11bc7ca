from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts import services
from accounts.models import Session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_purge_deletes_only_long_ended_sessions(fake_clock):
    user = UserFactory()
    _, old_revoked = services.start_session(user, "127.0.0.1", "a")
    _, old_expired = services.start_session(user, "127.0.0.1", "b")
    _, active = services.start_session(user, "127.0.0.1", "c")
    _, recent_revoked = services.start_session(user, "127.0.0.1", "d")
    now = fake_clock.current
    Session.objects.filter(pk=old_revoked.pk).update(
        revoked_at=now - timedelta(days=31)
    )
    Session.objects.filter(pk=old_expired.pk).update(
        expires_at=now - timedelta(days=40)
    )
    Session.objects.filter(pk=recent_revoked.pk).update(
        revoked_at=now - timedelta(days=2)
    )
    output = StringIO()

    call_command("purge_sessions", stdout=output)

    remaining = set(Session.objects.values_list("pk", flat=True))
    assert remaining == {active.pk, recent_revoked.pk}
    assert "Deleted 2 session(s)" in output.getvalue()


def test_purge_rejects_negative_days():
    with pytest.raises(CommandError, match="--days"):
        call_command("purge_sessions", "--days", "-1")
