from brocode_site import clock

from .models import Session, User


def active_sessions(user: User) -> list[Session]:
    return list(Session.objects.active(clock.now()).filter(user=user))


def all_users() -> list[User]:
    return list(User.objects.order_by("id"))


def user_by_id(user_id: str) -> User | None:
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    return User.objects.filter(pk=int(user_id)).first()
