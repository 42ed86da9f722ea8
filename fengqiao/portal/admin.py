"""The knowledge base is edited here (基础数据 → 常见问题). The parties' ratings are case data:
they show on the case page, not in the admin (三员分立)."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.portal.models import Article


@admin.register(Article)
class ArticleAdmin(AuditedModelAdmin):
    list_display = ["question", "topic", "order", "is_published", "helpful", "not_helpful"]
    list_filter = ["topic", "is_published"]
    search_fields = ["question", "answer"]
    readonly_fields = ["helpful", "not_helpful", "updated_at"]
    fields = ["topic", "question", "answer", "law", "slug", "order", "is_published"]
    fields += readonly_fields
