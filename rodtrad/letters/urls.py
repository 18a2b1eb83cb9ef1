from django.urls import path

from rodtrad.letters import views

app_name = "letters"

urlpatterns = [
    path("arende/<int:pk>/", views.document_list, name="document-list"),
    path("arende/<int:pk>/nytt/", views.document_create, name="document-create"),
    path("<int:pk>/", views.document_detail, name="document-detail"),
    path("<int:pk>/html/", views.document_html, name="document-html"),
    path("<int:pk>/pdf/", views.document_pdf, name="document-pdf"),
    path("<int:pk>/skicka/", views.document_send, name="document-send"),
    path("<int:pk>/mottaget/", views.document_received, name="document-received"),
]
