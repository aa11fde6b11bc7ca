"""Settings of the benchmark servers.

The project's settings, plus DRF's ``rest_framework.authtoken`` app for the
``TokenAuthentication`` baseline, and ``bench.urls``, which adds the baseline
views to the project's URLs. Every variable is read from the environment as
in ``brocode_site.settings``.
"""

from brocode_site.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
