"""Delete session rows that ended long ago, so the table stops growing."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Session
from brocode_site import clock


class Command(BaseCommand):
    help = (
        "Delete sessions that were revoked or expired more than --days days "
        "ago. Active sessions are never deleted. Run it daily, from cron or a "
        "systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="Keep ended sessions for this many days, for the admin's "
            "history (default 30).",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError(f"--days must be 0 or more, not {days}.")
        cutoff = clock.now() - timedelta(days=days)
        ended = Session.objects.filter(
            Q(revoked_at__lt=cutoff) | Q(expires_at__lt=cutoff)
        )
        # QuerySet.delete() sends post_delete per row, which marks each
        # session revoked in the cache, as for any deleted session.
        count, _ = ended.delete()
        self.stdout.write(
            f"Deleted {count} session(s) that ended before {cutoff:%Y-%m-%d}."
        )
