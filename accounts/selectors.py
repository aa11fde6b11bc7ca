from brocode_site import clock
from brocode_site.ids import parse_numeric_id

from .models import Session, User


def active_sessions(user: User) -> list[Session]:
    return list(Session.objects.active(clock.now()).filter(user=user))


def all_users() -> list[User]:
    return list(User.objects.order_by("id"))


def user_by_id(user_id: str) -> User | None:
    pk = parse_numeric_id(user_id)
    if pk is None:
        return None
    return User.objects.filter(pk=pk).first()
