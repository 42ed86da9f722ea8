"""调解协议, 调解不成记录 and 回访 move from disputes to mediation (DESIGN §6: mediation uses
disputes, never the reverse). Their tables keep their names (``disputes_agreement``,
``disputes_failure``, ``disputes_followup``) and their rows: only Django's record of which app
owns them changes. This migration adds them to mediation's state without touching the database;
disputes 0017 then drops them from disputes' state, also without touching it. Their content
types (and so their permissions, and any role holding them) are moved to mediation."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ("agreement", "failure", "followup")


def move_content_types(apps, schema_editor, source="disputes", target="mediation"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="mediation", target="disputes")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('disputes', '0016_timeline_action_choices'),
        ('mediation', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (created by disputes 0001 and 0005).
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Agreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('written', '书面协议'), ('oral', '口头协议')], max_length=10, verbose_name='形式')),
                        ('facts', models.TextField(blank=True, verbose_name='纠纷主要事实')),
                        ('disputed_points', models.TextField(blank=True, verbose_name='争议事项')),
                        ('responsibilities', models.TextField(blank=True, verbose_name='各方当事人的责任')),
                        ('terms', models.TextField(verbose_name='协议内容')),
                        ('performance_method', models.CharField(blank=True, max_length=200, verbose_name='履行方式')),
                        ('performance_place', models.CharField(blank=True, max_length=200, verbose_name='履行地点')),
                        ('performance_deadline', models.DateField(blank=True, null=True, verbose_name='履行期限')),
                        ('concluded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='达成时间')),
                        ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='agreement', to='disputes.case', verbose_name='案件')),
                    ],
                    options={
                        'verbose_name': '调解协议',
                        'verbose_name_plural': '调解协议',
                        'db_table': 'disputes_agreement',
                    },
                ),
                migrations.CreateModel(
                    name='Failure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('undisputed_facts', models.TextField(verbose_name='无争议事实记载')),
                        ('note', models.TextField(blank=True, verbose_name='说明')),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='记录时间')),
                        ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='failure', to='disputes.case', verbose_name='案件')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                    ],
                    options={
                        'verbose_name': '调解不成记录',
                        'verbose_name_plural': '调解不成记录',
                        'db_table': 'disputes_failure',
                    },
                ),
                migrations.CreateModel(
                    name='FollowUp',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('visited_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='回访时间')),
                        ('satisfaction', models.PositiveSmallIntegerField(choices=[(5, '非常满意'), (4, '满意'), (3, '基本满意'), (2, '不满意'), (1, '非常不满意')], verbose_name='满意度')),
                        ('comment', models.TextField(blank=True, verbose_name='回访意见')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='disputes.case', verbose_name='案件')),
                        ('visitor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='回访人')),
                    ],
                    options={
                        'verbose_name': '回访',
                        'verbose_name_plural': '回访',
                        'db_table': 'disputes_followup',
                        'ordering': ['-visited_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('satisfaction__gte', 1), ('satisfaction__lte', 5)), name='followup_satisfaction_1_5')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
