"""One error shape for the whole API: ``{"error": {"status": N, "message": "..."}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from catkg.queries.facts import NotFound
from catkg.queries.run import QueryError


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status code.")
    message: str = Field(description="What is wrong, naming the offending value or parameter.")
    fields: list[str] | None = Field(None, description="For 422: the parameters that are wrong.")


class ErrorBody(BaseModel):
    """The one error shape of every route."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the error statuses a route can answer, all in the one error shape."""
    meaning = {
        400: "Bad request",
        404: "Unknown id",
        406: "No acceptable representation",
        415: "Unsupported request body type",
        422: "Bad or unknown parameter",
        503: "Unavailable",
    }
    return {status: {"model": ErrorBody, "description": meaning.get(status, "Error")} for status in statuses}


class ApiError(Exception):
    """An HTTP error with a message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, **extra}}, status_code=status)


def install(app: FastAPI) -> None:
    """Map catkg's errors (and FastAPI's validation errors) onto the one error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, err: ApiError) -> JSONResponse:
        return error_response(err.status, err.message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, err: NotFound) -> JSONResponse:
        return error_response(404, str(err))

    @app.exception_handler(QueryError)
    async def _bad_parameter(request: Request, err: QueryError) -> JSONResponse:
        return error_response(422, str(err))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in e["loc"] if p not in ("query", "path", "body")) for e in err.errors()]
        message = "; ".join(f"{f}: {e['msg']}" for f, e in zip(fields, err.errors(), strict=True))
        return error_response(422, message, fields=fields)
