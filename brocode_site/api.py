from rest_framework.exceptions import MethodNotAllowed
from rest_framework.views import APIView


class ApiView(APIView):
    """DRF's APIView, rejecting a method the view lacks with 405 first.

    DRF authenticates before it looks up the handler, so a wrong method
    without a token would get 401; a caller learns more from 405.
    """

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
