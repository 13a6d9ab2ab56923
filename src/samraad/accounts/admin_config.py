"""django.contrib.admin with Samråd's two-factor admin site (admin_site.py).

A module of its own: INSTALLED_APPS imports it before the app registry is ready.
"""

from django.contrib.admin.apps import AdminConfig


class SamraadAdminConfig(AdminConfig):
    default_site = "samraad.accounts.admin_site.SamraadAdminSite"
