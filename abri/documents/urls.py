from django.urls import path

from abri.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("historique/", views.download_history, name="history"),
    path("<int:pk>/telecharger/", views.document_download, name="download"),
]
