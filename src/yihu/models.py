"""Every table, imported in one place so metadata is complete (Alembic, tests)."""

from yihu.auth import models as auth_models
from yihu.billing import models as billing_models
from yihu.db import Base
from yihu.kit import audit, idempotency
from yihu.notify import models as notify_models
from yihu.nursing import models as nursing_models
from yihu.nursing import visit_models as nursing_visit_models
from yihu.queueing import models as queueing_models
from yihu.registry import models as registry_models
from yihu.reports import models as reports_models
from yihu.scheduling import exams as scheduling_exams
from yihu.scheduling import models as scheduling_models
from yihu.scheduling import waitlist as scheduling_waitlist

metadata = Base.metadata

__all__ = ["audit", "auth_models", "billing_models", "idempotency", "metadata", "notify_models", "nursing_models",
           "nursing_visit_models", "queueing_models", "registry_models", "reports_models", "scheduling_exams", "scheduling_models",
           "scheduling_waitlist"]
