"""View decorators for roles. A user without the role gets 404: we do not confirm that a page exists."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from surveyapp.enums import Role


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = roles_required(Role.ADMIN, Role.RESEARCHER)
admin_required = roles_required(Role.ADMIN)
