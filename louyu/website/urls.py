from django.urls import path

from louyu.website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("communities/", views.community_list, name="community_list"),
    path("communities/<int:pk>/", views.community_detail, name="community_detail"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<slug:code>/", views.catalog_item, name="catalog_item"),
    path("track/", views.track, name="track"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("manage/articles/", views.article_manage, name="article_manage"),
    path("manage/articles/new/", views.article_edit, name="article_create"),
    path("manage/articles/<int:pk>/", views.article_edit, name="article_edit"),
    path("manage/articles/<int:pk>/publish/", views.article_publish_toggle, name="article_publish"),
    path("<slug:kind>/", views.article_list, name="article_list"),
]
