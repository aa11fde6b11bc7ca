"""Django's error handlers: JSON under ``/api/``, Django's pages elsewhere."""

from django.views import defaults

from .errors import error_response, is_api_path


def bad_request(request, exception):
    if is_api_path(request.path_info):
        return error_response(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_path(request.path_info):
        return error_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_path(request.path_info):
        return error_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_path(request.path_info):
        return error_response(500)
    return defaults.server_error(request)
