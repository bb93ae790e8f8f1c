from typing import Any

from django.http import HttpRequest

from csplan.web.programme import page_context


def csplan(request: HttpRequest) -> dict[str, Any]:
    return page_context(request)
