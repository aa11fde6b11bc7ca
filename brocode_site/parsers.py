import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, with every malformed body reported as ``invalid_json``.

    DRF reports decoding errors itself, but a deeply nested body raises
    RecursionError, which it does not catch.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("The JSON body is nested too deeply.") from error
        except ParseError as error:
            cause = error.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(
                    f"The body is not valid JSON: {cause.msg} at line {cause.lineno}, "
                    f"column {cause.colno}."
                ) from cause
            raise ParseError("The body is not valid JSON.") from error
