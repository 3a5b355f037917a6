"""Language choice: Simplified Chinese unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language header, which would serve an
English page to every officer whose browser happens to be English. Government pages here are
Chinese by default; a user switches explicitly (the language cookie set by ``set_language``).
"""

from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
