from django.contrib import admin

from samraad.directory.models import EmailDomain, Municipality, Person, Region, Role


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kkr_name", "valid_from", "valid_to"]


class EmailDomainInline(admin.TabularInline):
    model = EmailDomain
    extra = 1


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["official_code", "name", "region", "council_size"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    inlines = [EmailDomainInline]
    readonly_fields = ["code", "name", "slug", "region", "latitude", "longitude"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "municipality", "party", "title"]
    list_filter = ["roles__kind", "municipality__region"]
    search_fields = ["name", "email"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]
    inlines = [RoleInline]
