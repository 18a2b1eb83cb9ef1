from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "rodtrad.placements"
    label = "placements"
    verbose_name = "Placeringar"

    def ready(self) -> None:
        # The placement deadline kinds join the registry here, once the models are loaded
        # (Django's rule for ready()); after the investigation's, so they list after them on
        # the same day.
        from rodtrad.placements import deadlines

        deadlines.register()
