from django.urls import path

from abri.support import views

app_name = "support"
urlpatterns = [path("", views.help_home, name="home")]
