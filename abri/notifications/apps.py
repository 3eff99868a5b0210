from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "abri.notifications"
    label = "notifications"
    verbose_name = "Notifications"
