from django.urls import path

from abri.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/lu/", views.notification_read, name="read"),
]
