from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "rodtrad.followup"
    label = "followup"
    verbose_name = "Uppföljning och skattningar"

    def ready(self) -> None:
        # The commissions' follow-up dates join the deadline registry (after the decisions').
        from rodtrad.followup import deadlines

        deadlines.register()
