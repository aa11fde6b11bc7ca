from rest_framework.negotiation import BaseContentNegotiation


class JSONOnlyContentNegotiation(BaseContentNegotiation):
    """Render every response with the first renderer, JSON, whatever is accepted.

    The API speaks JSON only, so a browser's ``Accept: text/html`` gets JSON
    rather than a 406 page.
    """

    def select_parser(self, request, parsers):
        content_type = request.content_type or ""
        for parser in parsers:
            if content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
