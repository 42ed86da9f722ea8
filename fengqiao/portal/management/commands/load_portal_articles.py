"""Add the knowledge base's built-in articles that are missing (an edited one is left as it is).
The articles are the ones migration 0002 loads (kept there, frozen)."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.portal.models import Article


class Command(BaseCommand):
    help = "补充公众服务常见问题的内置条目（已编辑的条目不变）"

    def handle(self, *args: Any, **options: Any) -> None:
        seed = importlib.import_module("fengqiao.portal.migrations.0002_articles")
        added = 0
        for order, row in enumerate(seed.ARTICLES):
            _article, created = Article.objects.get_or_create(
                slug=row["slug"], defaults={**row, "order": order * 10}
            )
            added += created
        self.stdout.write(f"added {added} of {len(seed.ARTICLES)} articles")
