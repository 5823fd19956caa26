from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Chinese unless the person chose English with the switch (its cookie).

    A hall's kiosk or a borrowed laptop often sends an English Accept-Language; that must not
    turn a Chinese service hall English. The APIs (ours and Open311) still follow
    Accept-Language, which is how machines ask for a language.
    """

    MACHINE_PATHS = ("/api/", "/open311/")

    def process_request(self, request):
        if request.path_info.startswith(self.MACHINE_PATHS):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
