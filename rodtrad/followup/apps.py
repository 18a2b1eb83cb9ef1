from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "rodtrad.followup"
    label = "followup"
    verbose_name = "Uppföljning och skattningar"
