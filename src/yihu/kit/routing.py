"""The request boundary: the session dependency and the route class that commits before responding."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.db import Database, commit
from yihu.errors import DomainError


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        session.info["db"] = db
        request.state.session = session
        try:
            yield session
        finally:
            request.state.session = None


SessionDep = Annotated[AsyncSession, Depends(get_session)]


class CommittingRoute(APIRoute):
    """Commits the request's unit of work after the endpoint returns and before the response goes out.

    A failing request rolls back, unless its ``DomainError`` asks to keep what it did (``commit=True``).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except DomainError as exc:
                session = getattr(request.state, "session", None)
                if exc.commit and session is not None:
                    await commit(session)
                raise
            session = getattr(request.state, "session", None)
            if session is not None:
                await commit(session)
            return response

        return run
