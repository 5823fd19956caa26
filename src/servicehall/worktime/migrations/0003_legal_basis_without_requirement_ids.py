"""The seeded legal bases named requirement ids (R-TIME-2 etc.), which people read in the admin;
strip them from the rows still as seeded (an edited basis is left as its editor wrote it)."""

import re

from django.db import migrations

RENAMED = {"R-FB-3 R-TIME-4：三个工作日内答复": "窗口服务投诉、建议：三个工作日内答复"}
SEEDED = re.compile(
    r"^(户籍窗口优质服务操作规范 六\(二\)|行政许可法 第[三四]十[二四]条|户籍窗口服务制度 四\(三\)"
    r"|GB/T 33358-2016|国办发〔2019〕51号) R-[A-Z]+-\d+"
)


def strip_ids(apps, schema_editor):
    SlaPolicy = apps.get_model("worktime", "SlaPolicy")
    for policy in SlaPolicy.objects.filter(legal_basis__contains="R-"):
        basis = RENAMED.get(policy.legal_basis) or SEEDED.sub(r"\1", policy.legal_basis)
        if basis != policy.legal_basis:
            policy.legal_basis = basis
            policy.save(update_fields=["legal_basis"])


class Migration(migrations.Migration):
    dependencies = [("worktime", "0002_help_text_without_requirement_ids")]

    operations = [migrations.RunPython(strip_ids, migrations.RunPython.noop)]
