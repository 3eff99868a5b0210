from django.urls import path

from abri.billing import views

app_name = "billing"
urlpatterns = [path("", views.payment_list, name="list")]
