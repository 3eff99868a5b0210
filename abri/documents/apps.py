from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "abri.documents"
    label = "documents"
    verbose_name = "Documents"
