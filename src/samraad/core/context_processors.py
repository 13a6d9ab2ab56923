from django.conf import settings


def site(request):
    """Settings every page shows: the association's name and whether this is a demo."""
    return {
        "association_name": settings.ASSOCIATION_NAME,
        "association_long_name": settings.ASSOCIATION_LONG_NAME,
        "demo_mode": settings.DEMO_MODE,
    }
