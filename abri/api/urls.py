from django.urls import path

from abri.api.main import api

urlpatterns = [path("", api.urls)]
