from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from samraad.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ["person"]}))
    raw_id_fields = ["person"]
