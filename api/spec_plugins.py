"""apispec plugins for what flask-smorest does not express by itself."""
import copy

from apispec import BasePlugin

STREAM_TYPES = {
    "text/csv": {"schema": {"type": "string"}, "example": "id,type,summary,date,...\n"},
    "application/x-ndjson": {"schema": {"type": "string"}, "example": '{"id": "...", "type": "meeting"}\n'},
}


class StreamFormats(BasePlugin):
    """Operations marked ``x-streams`` also answer 200 as CSV or NDJSON (``format=`` or ``Accept``)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if operation.pop("x-streams", False):
                response = operation["responses"].get(200) or operation["responses"]["200"]
                response.setdefault("content", {}).update(copy.deepcopy(STREAM_TYPES))
