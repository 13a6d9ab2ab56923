from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "samraad.demo"
    verbose_name = "Demo"
